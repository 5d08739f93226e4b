package dev.attest.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code attest.jar} as a separate process, the way users run it: for tests
 * that run after {@code package} (failsafe, {@code *IT}). The jar is {@code target/attest.jar},
 * or the path in the system property {@code attest.jar}.
 */
public final class PackagedJar {
  private PackagedJar() {}

  /** What a run printed and returned. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
  }

  /** The packaged jar; fails if it was not built. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("attest.jar", "target/attest.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run these tests after 'package' (failsafe, *IT)");
    }
    return jar;
  }

  /** Runs {@code java -jar attest.jar args...} with the JVM running the tests, in {@code dir}. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(
        Path.of("/dev/null").toFile())).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p, false));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("attest " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static String read(Process p, boolean err) {
    try {
      return new String((err ? p.getErrorStream() : p.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
