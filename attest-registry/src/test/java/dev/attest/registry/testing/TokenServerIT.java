package dev.attest.registry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.internal.auth.AuthFailure;
import dev.attest.registry.internal.auth.AuthInterceptor;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry 2.8.2 ({@code docker-registry}) configured with {@code auth: token:} against {@link
 * TokenServer} accepts its tokens through {@link AuthInterceptor}.
 */
class TokenServerIT {

  @TempDir Path dir;
  private Process registry;

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Path binary() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, "docker-registry");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    boolean required = Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"));
    assertThat(required).as("docker-registry is required (apt-get install docker-registry)").isFalse();
    assumeTrue(false, "docker-registry not installed");
    throw new AssertionError();
  }

  private String start(TokenServer tokens) throws Exception {
    Path bin = binary();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        "version: 0.1\n"
            + "log:\n  level: warn\n"
            + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
            + "http:\n  addr: 127.0.0.1:" + port + "\n"
            + tokens.registryAuthConfig(dir.resolve("root.pem")));
    registry =
        new ProcessBuilder(bin.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    String base = "http://127.0.0.1:" + port;
    OkHttpClient plain = new OkHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Response r = plain.newCall(new Request.Builder().url(base + "/v2/").build()).execute()) {
        if (r.code() == 401) {
          return base;
        }
      } catch (IOException notYet) {
        // still starting
      }
      assertThat(registry.isAlive()).as("registry exited: %s", Files.readString(dir.resolve("registry.log"))).isTrue();
      assertThat(System.nanoTime()).as("registry did not start").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void registry282AcceptsTheTokens() throws Exception {
    try (TokenServer tokens = TokenServer.builder().user("alice", "pw").requireLogin().start()) {
      String base = start(tokens);
      CredentialStore creds = CredentialStore.anonymous().with(base.substring(7), Credentials.basic("alice", "pw"));
      OkHttpClient c = new OkHttpClient.Builder().addInterceptor(new AuthInterceptor(creds, Clock.systemUTC())).build();
      try (Response r = c.newCall(new Request.Builder().url(base + "/v2/").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      // Authorized, and the repository does not exist: 404, not 401.
      try (Response r = c.newCall(new Request.Builder().url(base + "/v2/app/tags/list").build()).execute()) {
        assertThat(r.code()).as(r.body().string()).isEqualTo(404);
      }
      try (Response r =
          c.newCall(new Request.Builder().url(base + "/v2/app/blobs/uploads/").post(RequestBody.create(new byte[0])).build())
              .execute()) {
        assertThat(r.code()).isEqualTo(202);
      }
      int before = tokens.requestCount();
      try (Response r = c.newCall(new Request.Builder().url(base + "/v2/app/tags/list").build()).execute()) {
        assertThat(r.code()).isEqualTo(404);
      }
      assertThat(tokens.requestCount()).as("cached pull,push token covers pull").isEqualTo(before);
    }
  }

  @Test
  void tokensOfAnotherIssuerAreRejected() throws Exception {
    try (TokenServer trusted = TokenServer.builder().start();
        TokenServer stranger = TokenServer.builder().start()) {
      String base = start(trusted);
      String forged = stranger.issue("mallory", java.util.List.of("repository:app:pull"));
      OkHttpClient plain = new OkHttpClient();
      try (Response r =
          plain.newCall(new Request.Builder().url(base + "/v2/app/tags/list").header("Authorization", "Bearer " + forged).build())
              .execute()) {
        assertThat(r.code()).isEqualTo(401);
      }
      // Wrong password at the token server: the interceptor reports it.
      try (TokenServer strict = TokenServer.builder().user("alice", "pw").requireLogin().start()) {
        stop();
        base = start(strict);
        CredentialStore wrong = CredentialStore.anonymous().with(base.substring(7), Credentials.basic("alice", "nope"));
        OkHttpClient c = new OkHttpClient.Builder().addInterceptor(new AuthInterceptor(wrong, Clock.systemUTC())).build();
        try (Response r = c.newCall(new Request.Builder().url(base + "/v2/app/tags/list").build()).execute()) {
          assertThat(r.code()).isEqualTo(401);
          assertThat(AuthFailure.of(r).orElseThrow().message()).contains("answered 401").contains("as user alice");
        }
      }
    }
  }
}
