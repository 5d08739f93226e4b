package dev.attest.registry.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real CNCF distribution 2.8.2 registry (Debian's {@code docker-registry}) on a free
 * {@code 127.0.0.1} port, with filesystem storage in a temporary directory and deletion enabled.
 * It can be stopped (or killed) and started again on the same port and storage.
 *
 * <p>If the binary is missing the calling test is skipped, unless the system property {@code
 * attest.it.require} is {@code true} or the environment has {@code CI=true}: then it fails.
 *
 * <pre>{@code
 * try (DockerRegistry reg = DockerRegistry.start()) {
 *   Registry r = RemoteRegistry.builder(reg.hostPort()).build();
 * }
 * }</pre>
 */
public final class DockerRegistry implements AutoCloseable {
  /** Where Debian installs it; override with the system property {@code attest.docker-registry}. */
  public static final String DEFAULT_BINARY = "/usr/bin/docker-registry";

  private final Path binary;
  private final Path dir;
  private final int port;
  private final @Nullable TokenServer tokens;
  private @Nullable Process process;

  private DockerRegistry(Path binary, Path dir, int port, @Nullable TokenServer tokens) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.tokens = tokens;
  }

  /** Starts a fresh registry, or skips (or fails, in CI) the test if the binary is missing. */
  public static DockerRegistry start() throws IOException {
    return start(null);
  }

  /**
   * Starts a fresh registry that demands bearer tokens from {@code tokens} ({@code auth: token:}
   * in its configuration), or an open one if {@code tokens} is null.
   */
  public static DockerRegistry start(@Nullable TokenServer tokens) throws IOException {
    Path binary = Paths.get(System.getProperty("attest.docker-registry", DEFAULT_BINARY));
    if (!Files.isExecutable(binary)) {
      String msg = "registry 2.8.2 binary not found at " + binary
          + "; install it with 'sudo apt-get install docker-registry' (Debian/Ubuntu)";
      if (required()) {
        fail(msg + " (required because attest.it.require=true or CI=true)");
      }
      assumeTrue(false, msg);
    }
    Path dir = Files.createTempDirectory("attest-registry-2.8.2-");
    DockerRegistry r = new DockerRegistry(binary, dir, freePort(), tokens);
    r.writeConfig();
    r.startProcess();
    return r;
  }

  static boolean required() {
    return required(System.getProperty("attest.it.require"), System.getenv("CI"));
  }

  /** The rule itself, apart from where its inputs come from, so that it can be tested anywhere. */
  static boolean required(@Nullable String requireProperty,
      @Nullable String ciEnvironment) {
    return "true".equalsIgnoreCase(requireProperty) || "true".equalsIgnoreCase(ciEnvironment);
  }

  /** {@code 127.0.0.1:<port>}, for {@code RemoteRegistry.builder}. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The storage root. */
  public Path storage() {
    return dir.resolve("storage");
  }

  /** Stops it gracefully (SIGTERM), keeping its storage. */
  public void stop() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
      process = null;
    }
  }

  /** Kills it at once (SIGKILL), as a crash would, keeping its storage. */
  public void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly().waitFor();
      process = null;
    }
  }

  /** Starts it again on the same port and storage. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  private void writeConfig() throws IOException {
    Files.createDirectories(storage());
    String config = "version: 0.1\n"
        + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        + "storage:\n  filesystem:\n    rootdirectory: " + storage() + "\n  delete:\n    enabled: true\n"
        + "  maintenance:\n    uploadpurging:\n      enabled: false\n"
        + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: attest-test-secret\n"
        + (tokens == null ? "" : tokens.registryAuthConfig(dir.resolve("token-root.pem")));
    Files.writeString(dir.resolve("config.yml"), config, StandardCharsets.UTF_8);
  }

  private void startProcess() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", dir.resolve("config.yml").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited with " + process.exitValue() + "; log:\n" + log());
      }
      if (ready()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for docker-registry", e);
      }
    }
    process.destroyForcibly();
    throw new IOException("docker-registry did not answer GET /v2/ within 30 s; log:\n" + log());
  }

  private boolean ready() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + hostPort() + "/v2/").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try {
        // With token auth, an anonymous GET /v2/ is challenged: that is ready too.
        int code = c.getResponseCode();
        return code == 200 || (tokens != null && code == 401);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** The registry's own output, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Stops it and deletes its storage. */
  @Override
  public void close() throws IOException, InterruptedException {
    kill();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
