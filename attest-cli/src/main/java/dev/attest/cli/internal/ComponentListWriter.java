package dev.attest.cli.internal;

import dev.attest.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Run by the build (exec-maven-plugin, process-classes): turns the output of {@code
 * dependency:list} with absolute file names into {@code dev/attest/cli/demo/components.tsv}, one
 * runtime dependency per line: purl, name, version, SHA-256 of its jar ({@code -} when the
 * artifact is not a file, such as a reactor module's classes directory).
 *
 * <p>The jar is the file the list names; when the list names none, or a file that is not there
 * (a relative name read from another directory), it is looked up in the local repository Maven
 * actually used ({@code ${settings.localRepository}}, which follows {@code -Dmaven.repo.local}
 * and {@code settings.xml}), never in an assumed {@code ~/.m2}.
 */
public final class ComponentListWriter {
  private static final Set<String> SCOPES = Set.of("compile", "runtime", "provided", "system", "test");

  private ComponentListWriter() {}

  /** {@code args}: the dependency list, the TSV to write, and optionally the local repository. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2 && args.length != 3) {
      throw new IllegalArgumentException("usage: ComponentListWriter DEPENDENCY_LIST OUTPUT_TSV [LOCAL_REPOSITORY]");
    }
    @Nullable Path repository = args.length == 3 ? Path.of(args[2]) : null;
    List<String> rows = new ArrayList<>();
    for (String raw : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String line = raw.strip();
      int module = line.indexOf(" -- module ");
      if (module >= 0) {
        line = line.substring(0, module);
      }
      String[] t = line.split(":", -1);
      if (t.length < 5 || line.startsWith("The following")) {
        continue;
      }
      String group = t[0];
      String artifact = t[1];
      @Nullable String classifier = null;
      String version;
      int pathAt;
      if (SCOPES.contains(t[4])) {
        version = t[3];
        pathAt = 5;
      } else if (t.length >= 6 && SCOPES.contains(t[5])) {
        classifier = t[3];
        version = t[4];
        pathAt = 6;
      } else {
        continue;
      }
      @Nullable Path file = pathAt < t.length ? Path.of(String.join(":", Arrays.copyOfRange(t, pathAt, t.length))) : null;
      if ((file == null || !Files.exists(file)) && repository != null) {
        file = repository.resolve(group.replace('.', '/')).resolve(artifact).resolve(version)
            .resolve(artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + t[2]);
      }
      String sha256 = "-";
      if (file != null && Files.isRegularFile(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          sha256 = Digest.sha256(in).hex();
        }
      }
      String purl = "pkg:maven/" + group + "/" + artifact + "@" + version
          + (classifier == null ? "" : "?classifier=" + classifier);
      rows.add(purl + "\t" + group + ":" + artifact + "\t" + version + "\t" + sha256);
    }
    rows.sort(null);
    Path out = Path.of(args[1]);
    Files.createDirectories(out.getParent());
    StringBuilder sb = new StringBuilder();
    sb.append("# attest's runtime dependencies, written at build time: purl, name, version, sha256 of the jar\n");
    rows.forEach(r -> sb.append(r).append('\n'));
    Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
  }
}
