package dev.attest.registry.internal.auth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthInterceptorTest {

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private WireMockServer server;
  private final MutableClock clock = new MutableClock();
  private String base;
  private String host;

  @BeforeEach
  void start() {
    server = new WireMockServer(options().dynamicPort());
    server.start();
    base = "http://localhost:" + server.port();
    host = "localhost:" + server.port();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private OkHttpClient client(CredentialStore store) {
    return new OkHttpClient.Builder().addInterceptor(new AuthInterceptor(store, new OkHttpClient(), clock)).build();
  }

  private Response call(OkHttpClient c, String method, String path) throws IOException {
    RequestBody body = method.equals("GET") || method.equals("HEAD") ? null : RequestBody.create(new byte[0]);
    return c.newCall(new Request.Builder().url(base + path).method(method, body).build()).execute();
  }

  private static String basic(String user, String pass) {
    return okhttp3.Credentials.basic(user, pass, StandardCharsets.UTF_8);
  }

  private String bearerChallenge(String scope) {
    return "Bearer realm=\"" + base + "/token\",service=\"registry.test\",scope=\"" + scope + "\"";
  }

  /** Unauthenticated requests to {@code path} get a 401 with {@code challenge}. */
  private void challenge(MappingBuilder m, String challenge) {
    server.stubFor(m.atPriority(10).willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
  }

  @Test
  void anonymousRequestsPassThrough() throws Exception {
    server.stubFor(get("/v2/app/manifests/1").willReturn(aResponse().withStatus(200).withBody("m")));
    try (Response r = call(client(CredentialStore.anonymous()), "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("m");
    }
    server.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/1")).withHeader("Authorization", absent()));
  }

  @Test
  void basicRetriesOnceThenSendsPreemptively() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), "Basic realm=\"registry\"");
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo(basic("alice", "pw")))
            .willReturn(aResponse().withStatus(200)));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.basic("alice", "pw")));
    try (Response r = call(c, "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = call(c, "GET", "/v2/app/manifests/2")) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(1, getRequestedFor(urlPathMatching("/v2/.*")).withHeader("Authorization", absent()));
    server.verify(2, getRequestedFor(urlPathMatching("/v2/.*")).withHeader("Authorization", equalTo(basic("alice", "pw"))));
  }

  @Test
  void basicWithoutCredentialsReturnsTheTagged401() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), "Basic realm=\"registry\"");
    try (Response r = call(client(CredentialStore.anonymous()), "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(AuthFailure.of(r).orElseThrow().toException())
          .hasMessageContaining(host)
          .hasMessageContaining("none are configured");
    }
  }

  @Test
  void bearerFetchesATokenWithServiceAndEncodedScope() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:team/app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer tok-1"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"tok-1\",\"expires_in\":300}")));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.basic("alice", "pw")));
    try (Response r = call(c, "GET", "/v2/team/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(
        1,
        getRequestedFor(urlEqualTo("/token?service=registry.test&scope=repository%3Ateam%2Fapp%3Apull"))
            .withHeader("Authorization", equalTo(basic("alice", "pw"))));
  }

  @Test
  void crossRepositoryMountAsksForBothScopes() throws Exception {
    challenge(post(urlPathEqualTo("/v2/app/blobs/uploads/")), bearerChallenge("repository:app:pull,push"));
    server.stubFor(
        post(urlPathEqualTo("/v2/app/blobs/uploads/"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer mount-tok"))
            .willReturn(aResponse().withStatus(201)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"access_token\":\"mount-tok\"}")));
    try (Response r =
        call(client(CredentialStore.anonymous()), "POST", "/v2/app/blobs/uploads/?mount=sha256:ab&from=base/img")) {
      assertThat(r.code()).isEqualTo(201);
    }
    server.verify(
        1,
        getRequestedFor(
                urlEqualTo(
                    "/token?service=registry.test&scope=repository%3Aapp%3Apull%2Cpush&scope=repository%3Abase%2Fimg%3Apull"))
            .withHeader("Authorization", absent()));
  }

  private OkHttpClient cachingSetup(String tokenJson) {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer cached"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson(tokenJson)));
    return client(CredentialStore.anonymous());
  }

  private int ok(OkHttpClient c, String path) throws IOException {
    try (Response r = call(c, "GET", path)) {
      return r.code();
    }
  }

  @Test
  void tokensAreCachedByScopeUntilTheyExpire() throws Exception {
    OkHttpClient c = cachingSetup("{\"token\":\"cached\",\"expires_in\":60}");
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    server.resetRequests();

    clock.advance(Duration.ofSeconds(30));
    assertThat(ok(c, "/v2/app/blobs/sha256:aa")).isEqualTo(200);
    assertThat(ok(c, "/v2/app/tags/list")).isEqualTo(200);
    server.verify(0, getRequestedFor(urlPathEqualTo("/token")));
    server.verify(0, getRequestedFor(urlPathMatching("/v2/.*")).withHeader("Authorization", absent()));

    clock.advance(Duration.ofSeconds(31));
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void anotherRepositoryNeedsItsOwnToken() throws Exception {
    OkHttpClient c = cachingSetup("{\"token\":\"cached\"}");
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    assertThat(ok(c, "/v2/other/manifests/1")).isEqualTo(200);
    server.verify(2, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void issuedAtShortensTheLifetime() throws Exception {
    // Issued 50 s before our clock with 60 s to live: stale 10 s from now (less the margin).
    OkHttpClient c =
        cachingSetup("{\"token\":\"cached\",\"expires_in\":60,\"issued_at\":\"2025-12-31T23:59:10Z\"}");
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    clock.advance(Duration.ofSeconds(11));
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    server.verify(2, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void identityTokenUsesTheOAuth2RefreshGrant() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer oauth"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(post("/token").willReturn(okJson("{\"access_token\":\"oauth\",\"expires_in\":900}")));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.identityToken("refresh-1")));
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    server.verify(
        1,
        postRequestedFor(urlEqualTo("/token"))
            .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
            .withRequestBody(
                equalTo(
                    "grant_type=refresh_token&service=registry.test&client_id=attest"
                        + "&scope=repository%3Aapp%3Apull&refresh_token=refresh-1")));
    server.verify(0, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void identityTokenFallsBackToGetWhereThereIsNoOAuth2() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer viaget"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(post("/token").willReturn(aResponse().withStatus(404)));
    server.stubFor(
        get(urlPathEqualTo("/token"))
            .withHeader("Authorization", equalTo(basic("<token>", "refresh-1")))
            .willReturn(okJson("{\"token\":\"viaget\"}")));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.identityToken("refresh-1")));
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
  }

  @Test
  void challengeWithCommasInsideQuotes() throws Exception {
    challenge(
        get(urlPathMatching("/v2/.*")),
        "Basic realm=\"a, b\", Bearer realm=\"" + base + "/token\", service=\"svc, \\\"eu\\\"\" ,scope=\"repository:app:pull\"");
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer q"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"q\"}")));
    assertThat(ok(client(CredentialStore.anonymous()), "/v2/app/manifests/1")).isEqualTo(200);
    server.verify(
        1, getRequestedFor(urlEqualTo("/token?service=svc%2C%20%22eu%22&scope=repository%3Aapp%3Apull")));
  }

  @Test
  void a401AfterAFreshTokenIsReportedWithRegistryRealmAndScopes() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"useless\"}")));
    OkHttpClient c = client(CredentialStore.anonymous());
    try (Response r = call(c, "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(401);
      AuthFailure f = AuthFailure.of(r).orElseThrow();
      assertThat(f.retryable()).isFalse();
      assertThat(f.message())
          .contains(host)
          .contains(base + "/token")
          .contains("repository:app:pull")
          .contains("rejected a fresh token");
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    server.verify(1, getRequestedFor(urlPathMatching("/v2/.*")).withHeader("Authorization", equalTo("Bearer useless")));
    // The rejected token is not reused.
    try (Response r = call(c, "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(401);
    }
    server.verify(2, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void tokenServerDenialIsReported() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.basic("alice", "bad")));
    try (Response r = call(c, "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(AuthFailure.of(r).orElseThrow().message())
          .contains("answered 401")
          .contains("as user alice")
          .doesNotContain("bad");
    }
  }

  @Test
  void neverSendsCredentialsToAPlainHttpRealmOffLoopback() throws Exception {
    challenge(
        get(urlPathMatching("/v2/.*")),
        "Bearer realm=\"http://auth.example.invalid/token\",service=\"s\"");
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.basic("alice", "pw")));
    try (Response r = call(c, "GET", "/v2/app/manifests/1")) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(AuthFailure.of(r).orElseThrow().message()).contains("refusing to send credentials over plain HTTP");
    }
  }

  @Test
  void redirectsToStorageCarryNoAuthorization() throws Exception {
    WireMockServer storage = new WireMockServer(options().dynamicPort());
    storage.start();
    try {
      storage.stubFor(get(urlPathEqualTo("/blob")).willReturn(aResponse().withStatus(200).withBody("data")));
      challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
      server.stubFor(
          get(urlPathMatching("/v2/.*"))
              .atPriority(1)
              .withHeader("Authorization", equalTo("Bearer t"))
              .willReturn(aResponse().withStatus(307).withHeader("Location", "http://127.0.0.1:" + storage.port() + "/blob")));
      server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"t\"}")));
      try (Response r = call(client(CredentialStore.anonymous()), "GET", "/v2/app/blobs/sha256:aa")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo("data");
      }
      storage.verify(1, getRequestedFor(urlPathEqualTo("/blob")).withHeader("Authorization", absent()));
    } finally {
      storage.stop();
    }
  }

  @Test
  void aFailingCredentialStoreSurfacesAsAuthIOException() {
    challenge(get(urlPathMatching("/v2/.*")), "Basic realm=\"r\"");
    CredentialStore broken =
        h -> {
          throw new RegistryException("helper exploded");
        };
    assertThatThrownBy(() -> call(client(broken), "GET", "/v2/app/manifests/1").close())
        .isInstanceOf(AuthIOException.class)
        .satisfies(e -> assertThat(((AuthIOException) e).registryException()).hasMessage("helper exploded"));
  }

  @Test
  void oneShotBodiesAreNotReplayedButTheTokenIsCached() throws Exception {
    challenge(WireMock.put(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull,push"));
    server.stubFor(
        WireMock.put(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer push"))
            .willReturn(aResponse().withStatus(201)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"push\"}")));
    OkHttpClient c = client(CredentialStore.anonymous());
    Request put =
        new Request.Builder().url(base + "/v2/app/blobs/uploads/u1?digest=sha256:aa").put(new OneShot()).build();
    try (Response r = c.newCall(put).execute()) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(AuthFailure.of(r).orElseThrow().retryable()).isTrue();
    }
    Request again = put.newBuilder().put(new OneShot()).build();
    try (Response r = c.newCall(again).execute()) {
      assertThat(r.code()).isEqualTo(201);
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void registryTokensAreSentAsIsWithoutATokenServer() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer raw-rt"))
            .willReturn(aResponse().withStatus(200)));
    OkHttpClient c = client(CredentialStore.anonymous().with(host, Credentials.registryToken("raw-rt")));
    assertThat(ok(c, "/v2/app/manifests/1")).isEqualTo(200);
    assertThat(ok(c, "/v2/app/manifests/2")).isEqualTo(200);
    server.verify(0, getRequestedFor(urlPathEqualTo("/token")));
    server.verify(1, getRequestedFor(urlPathMatching("/v2/.*")).withHeader("Authorization", absent()));
  }

  @Test
  void credentialsTravelOverHttpOnlyBetweenLoopbackPeers() {
    okhttp3.HttpUrl httpLocal = okhttp3.HttpUrl.get("http://127.0.0.1:5000/v2/");
    okhttp3.HttpUrl httpLocalRealm = okhttp3.HttpUrl.get("http://localhost:9000/token");
    okhttp3.HttpUrl httpRemote = okhttp3.HttpUrl.get("http://auth.example/token");
    okhttp3.HttpUrl httpsRemote = okhttp3.HttpUrl.get("https://auth.example/token");
    okhttp3.HttpUrl httpsLocal = okhttp3.HttpUrl.get("https://127.0.0.1:5000/v2/");
    assertThat(AuthInterceptor.mayCarryCredentials(httpLocal, httpsRemote)).isTrue();
    assertThat(AuthInterceptor.mayCarryCredentials(httpLocal, httpLocalRealm)).isTrue();
    assertThat(AuthInterceptor.mayCarryCredentials(httpLocal, httpRemote)).isFalse();
    assertThat(AuthInterceptor.mayCarryCredentials(httpsLocal, httpLocalRealm)).isFalse();
    assertThat(AuthInterceptor.mayCarryCredentials(okhttp3.HttpUrl.get("http://registry.example/v2/"), httpLocalRealm))
        .isFalse();
    assertThat(RegistryHosts.isLoopback(okhttp3.HttpUrl.get("http://127.9.8.7/"))).isTrue();
    assertThat(RegistryHosts.isLoopback(okhttp3.HttpUrl.get("http://[::1]:5000/"))).isTrue();
    assertThat(RegistryHosts.isLoopback(okhttp3.HttpUrl.get("http://127.0.0.1.nip.io/"))).isFalse();
  }

  @Test
  void concurrentRequestsShareOneTokenFetch() throws Exception {
    challenge(get(urlPathMatching("/v2/.*")), bearerChallenge("repository:app:pull"));
    server.stubFor(
        get(urlPathMatching("/v2/.*"))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer shared"))
            .willReturn(aResponse().withStatus(200)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"shared\"}").withFixedDelay(200)));
    OkHttpClient c = client(CredentialStore.anonymous());
    int n = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String path = "/v2/app/manifests/" + i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return ok(c, path);
                }));
      }
      go.countDown();
      for (java.util.concurrent.Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")));
  }

  private static final class OneShot extends RequestBody {
    @Override
    public okhttp3.MediaType contentType() {
      return null;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      sink.writeUtf8("blob");
    }
  }
}
