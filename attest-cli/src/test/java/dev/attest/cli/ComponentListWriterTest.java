package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.cli.internal.ComponentListWriter;
import dev.attest.core.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's component list hashes jars from the local repository Maven used, wherever it is. */
class ComponentListWriterTest {

  @TempDir Path dir;

  @Test
  void findsJarsInTheLocalRepositoryMavenUsed() throws Exception {
    Path repo = dir.resolve("custom-repo");
    byte[] lib = "lib".getBytes(StandardCharsets.UTF_8);
    byte[] natives = "natives".getBytes(StandardCharsets.UTF_8);
    byte[] listed = "listed".getBytes(StandardCharsets.UTF_8);
    write(repo.resolve("org/example/lib/1.0/lib-1.0.jar"), lib);
    write(repo.resolve("org/example/native/2.0/native-2.0-linux.jar"), natives);
    Path elsewhere = write(dir.resolve("elsewhere/listed-3.0.jar"), listed);
    Path list = Files.writeString(dir.resolve("deps.txt"), String.join("\n",
        "",
        "The following files have been resolved:",
        // a file name that does not exist from here: the local repository is asked
        "   org.example:lib:jar:1.0:compile:relative/repo/org/example/lib/1.0/lib-1.0.jar -- module lib",
        // no file name at all, with a classifier
        "   org.example:native:jar:linux:2.0:runtime",
        // an existing file is taken as named
        "   org.example:listed:jar:3.0:compile:" + elsewhere,
        // a reactor module's classes directory has no jar to hash
        "   dev.attest:attest-core:jar:0.1.0-SNAPSHOT:compile:" + dir,
        ""));
    Path out = dir.resolve("components.tsv");

    ComponentListWriter.main(new String[] {list.toString(), out.toString(), repo.toString()});

    assertThat(Files.readAllLines(out)).contains(
        "pkg:maven/org.example/lib@1.0\torg.example:lib\t1.0\t" + Digest.sha256(lib).hex(),
        "pkg:maven/org.example/native@2.0?classifier=linux\torg.example:native\t2.0\t" + Digest.sha256(natives).hex(),
        "pkg:maven/org.example/listed@3.0\torg.example:listed\t3.0\t" + Digest.sha256(listed).hex(),
        "pkg:maven/dev.attest/attest-core@0.1.0-SNAPSHOT\tdev.attest:attest-core\t0.1.0-SNAPSHOT\t-");
  }

  private static Path write(Path p, byte[] bytes) throws Exception {
    Files.createDirectories(p.getParent());
    return Files.write(p, bytes);
  }
}
