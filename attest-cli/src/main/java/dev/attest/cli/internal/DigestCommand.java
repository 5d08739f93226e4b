package dev.attest.cli.internal;

import dev.attest.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attest digest FILE|-}. */
@Command(
    name = "digest",
    header = "Print the sha256 digest of a file or of standard input.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "Print the sha256 digest of a file, or of standard input with '-'. The input is streamed.")
final class DigestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "FILE|-", description = "The file to hash, or '-' for standard input.")
  String file;

  @Override
  public Integer call() throws IOException {
    Digest digest;
    if (file.equals("-")) {
      digest = Digest.sha256(System.in);
    } else {
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        digest = Digest.sha256(in);
      } catch (NoSuchFileException e) {
        throw new UsageException("no such file: " + file);
      }
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file);
      m.put("digest", digest.toString());
      OutputOptions.printJson(out, m);
    } else {
      out.println(digest);
    }
    out.flush();
    return 0;
  }
}
