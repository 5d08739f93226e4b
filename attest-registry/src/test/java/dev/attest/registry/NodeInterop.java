package dev.attest.registry;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the node scripts of {@code interop/sigstore-js}. Skips the calling test when node or the
 * installed packages are missing, unless {@code attest.it.require=true} or {@code CI=true}: then
 * it fails, telling to run {@code ./scripts/test}.
 */
final class NodeInterop {
  /** What a script printed and how it exited. */
  record Run(int exitCode, String output) {}

  private final Path node;
  private final Path dir;

  private NodeInterop(Path node, Path dir) {
    this.node = node;
    this.dir = dir;
  }

  static NodeInterop require() {
    Path dir = findInteropDir();
    Path node = findOnPath("node");
    String missing = null;
    if (node == null) {
      missing = "node is not on the PATH";
    } else if (dir == null || !Files.isDirectory(dir.resolve("node_modules/@sigstore/verify"))
        || !Files.isDirectory(dir.resolve("node_modules/@sigstore/oci"))) {
      missing = "interop/sigstore-js/node_modules is not installed (cd interop/sigstore-js && npm ci)";
    }
    if (missing != null) {
      String msg = "sigstore-js interop: " + missing + "; run ./scripts/test, which installs node and the packages";
      if (required()) {
        fail(msg + " (required because attest.it.require=true or CI=true)");
      }
      assumeTrue(false, msg);
    }
    return new NodeInterop(node, dir);
  }

  static boolean required() {
    return "true".equalsIgnoreCase(System.getProperty("attest.it.require"))
        || "true".equalsIgnoreCase(System.getenv("CI"));
  }

  Run run(String script, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(node.toString());
    cmd.add("--no-warnings");
    cmd.add(dir.resolve(script).toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("node " + script + " did not finish");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
  }

  private static Path findInteropDir() {
    Path here = Paths.get("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path candidate = p.resolve("interop/sigstore-js");
      if (Files.isRegularFile(candidate.resolve("package.json"))) {
        return candidate;
      }
    }
    return null;
  }

  private static Path findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Paths.get(d, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
