package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shaded {@code attest-cli/target/attest.jar}, as users run it: {@code java -jar} in a separate
 * process with its own environment, standard input, output and exit code. Integration tests run
 * after the package phase, so the jar is the one the build just made.
 */
final class PackagedJar {
  static final Path JAR = Path.of(System.getProperty("attest.jar", "target/attest.jar")).toAbsolutePath();

  /** What one run printed and returned. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }

    /** Asserts the run failed with {@code code} and said why in one line, without a stack trace. */
    Run failsWith(int code) {
      assertThat(exitCode).as(toString()).isEqualTo(code);
      assertNoStackTrace();
      if (code != Main.INVALID) {
        // A usage or I/O failure is one line on standard error (picocli adds a '--help' hint for usage).
        assertThat(err.lines().filter(l -> !l.isBlank() && !l.startsWith("Try '")).count()).as(toString()).isEqualTo(1);
      }
      return this;
    }

    Run succeeds() {
      assertThat(exitCode).as(toString()).isZero();
      assertNoStackTrace();
      return this;
    }

    void assertNoStackTrace() {
      for (String s : List.of(out, err)) {
        assertThat(s).as(toString()).doesNotContain("\tat ").doesNotContain("Caused by")
            .doesNotContainPattern("[A-Za-z]Error\\b");
      }
    }

    /** The one line of standard error a failed command prints. */
    String errLine() {
      List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).as(toString()).isNotEmpty();
      return lines.get(0);
    }
  }

  private final Map<String, String> env = new HashMap<>();
  private final List<String> jvmOptions = new ArrayList<>();
  private final Path dir;

  /** Runs in {@code dir}, with a Docker config of its own there (no credentials of the machine). */
  PackagedJar(Path dir) throws IOException {
    this.dir = dir;
    Path docker = Files.createDirectories(dir.resolve(".docker"));
    env.put("DOCKER_CONFIG", docker.toString());
  }

  PackagedJar env(Map<String, String> vars) {
    env.putAll(vars);
    return this;
  }

  /** JVM options before {@code -jar}, such as {@code -Xmx32m}. */
  PackagedJar jvm(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  Run run(String... args) {
    return runWithStdin(new byte[0], args);
  }

  Run runWithStdin(byte[] stdin, String... args) {
    assertThat(JAR).as("the packaged jar; run the integration tests with 'verify', after 'package'").isRegularFile();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    // Only what a user's shell would give; none of the test JVM's system properties.
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("MAVEN_OPTS");
    pb.environment().keySet().removeIf(k -> k.startsWith("ACTIONS_") || k.startsWith("GITHUB_"));
    pb.environment().putAll(env);
    try {
      Path out = Files.createTempFile(dir, "out", ".txt");
      Path err = Files.createTempFile(dir, "err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().write(stdin);
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("attest " + String.join(" ", args) + " did not finish in 120 s");
      }
      Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + JAR + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
