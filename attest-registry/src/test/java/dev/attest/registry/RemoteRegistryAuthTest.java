package dev.attest.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Authentication as wired into {@link RemoteRegistry}: challenges, token scopes, failures. */
class RemoteRegistryAuthTest {
  WireMockServer wm;
  final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  String host() {
    return "127.0.0.1:" + wm.port();
  }

  RemoteRegistry client(CredentialStore store) {
    return RemoteRegistry.builder(host()).credentials(store).listener(events::add)
        .retries(2).retryDelays(Duration.ofMillis(1), Duration.ofMillis(10)).build();
  }

  String challenge(String scope) {
    return "Bearer realm=\"http://" + host() + "/token\",service=\"reg\",scope=\"" + scope + "\"";
  }

  static String basic(String user, String pw) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8));
  }

  void stubToken(String authorization, String token) {
    wm.stubFor(get(urlPathEqualTo("/token")).withHeader("Authorization", equalTo(authorization))
        .willReturn(aResponse().withStatus(200).withBody("{\"token\":\"" + token + "\",\"expires_in\":300}")));
  }

  @Test
  void bearerChallengeIsAnsweredWithATokenForTheCredentials() throws Exception {
    ImageManifest m = RemoteRegistryWireMockTest.manifest(1);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(get(urlEqualTo(url)).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge("repository:app:pull"))));
    wm.stubFor(get(urlEqualTo(url)).withHeader("Authorization", equalTo("Bearer tok"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType()).withBody(m.bytes())));
    stubToken(basic("alice", "pw"), "tok");
    try (RemoteRegistry r = client(CredentialStore.anonymous().with(host(), Credentials.basic("alice", "pw")))) {
      assertThat(r.fetchManifest("app", m.digest().toString()).bytes()).isEqualTo(m.bytes());
      // The token is cached: a second fetch goes straight through.
      r.fetchManifest("app", m.digest().toString());
    }
    wm.verify(1, getRequestedFor(urlPathEqualTo("/token")).withQueryParam("service", equalTo("reg"))
        .withQueryParam("scope", equalTo("repository:app:pull")));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.ResponseReceived rr && rr.url().endsWith("/token"))
        .singleElement().extracting(e -> ((RegistryEvent.ResponseReceived) e).status()).isEqualTo(200);
  }

  @Test
  void aWrongPasswordIsAnUnauthorizedExceptionNamingTheRegistry() {
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/v1"))
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge("repository:app:pull"))));
    wm.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)));
    try (RemoteRegistry r = client(CredentialStore.anonymous().with(host(), Credentials.basic("alice", "wrong")))) {
      assertThatThrownBy(() -> r.fetchManifest("app", "v1"))
          .isExactlyInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("registry " + host())
          .hasMessageContaining("as user alice")
          .hasMessageNotContaining("wrong");
    }
    // Refusals are not retried like 5xx.
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
  }

  @Test
  void basicChallengeIsAnsweredAndSentPreemptivelyAfterwards() throws Exception {
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list")).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"reg\"")));
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list")).withHeader("Authorization", equalTo(basic("bob", "s3")))
        .willReturn(aResponse().withStatus(200).withBody("{\"name\":\"app\",\"tags\":[\"a\"]}")));
    try (RemoteRegistry r = client(CredentialStore.anonymous().with(host(), Credentials.basic("bob", "s3")))) {
      assertThat(r.tags("app")).containsExactly("a");
      assertThat(r.tags("app")).containsExactly("a");
    }
    wm.verify(1, getRequestedFor(urlPathEqualTo("/v2/app/tags/list")).withHeader("Authorization", absent()));
  }

  @Test
  void crossRepositoryMountAsksForAMultiScopeToken() throws Exception {
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, TestContent.random(100, 1));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge("repository:app:pull,push"))));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withHeader("Authorization", equalTo("Bearer multi"))
        .withQueryParam("mount", equalTo(d.digest().toString())).withQueryParam("from", equalTo("base/image"))
        .willReturn(aResponse().withStatus(201)));
    stubToken(basic("alice", "pw"), "multi");
    try (RemoteRegistry r = client(CredentialStore.anonymous().with(host(), Credentials.basic("alice", "pw")))) {
      assertThat(r.mountBlob("app", d.digest(), "base/image")).isTrue();
    }
    List<LoggedRequest> tokenRequests = wm.findAll(getRequestedFor(urlPathEqualTo("/token")));
    assertThat(tokenRequests).hasSize(1);
    assertThat(tokenRequests.get(0).queryParameter("scope").values())
        .containsExactlyInAnyOrder("repository:app:pull,push", "repository:base/image:pull");
  }

  @Test
  void aStreamedUploadRefusedForAnExpiredTokenIsRestartedOnce() throws Exception {
    byte[] data = TestContent.random(5000, 2);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String chal = challenge("repository:app:pull,push");
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", chal)));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withHeader("Authorization", equalTo("Bearer t1"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/app/blobs/uploads/u1")));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withHeader("Authorization", equalTo("Bearer t2"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/app/blobs/uploads/u2")));
    // t1 "expires" between opening the session and the streamed PUT.
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/u1"))
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", chal)));
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/u2")).withHeader("Authorization", equalTo("Bearer t2"))
        .willReturn(aResponse().withStatus(201)));
    wm.stubFor(get(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withBody("{\"token\":\"t1\"}")).willSetStateTo("second"));
    wm.stubFor(get(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs("second")
        .willReturn(aResponse().withStatus(200).withBody("{\"token\":\"t2\"}")));
    try (RemoteRegistry r = client(CredentialStore.anonymous())) {
      r.pushBlob("app", d, BlobSource.of(data));
    }
    wm.verify(putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/u2")).withRequestBody(binaryEqualTo(data)));
    wm.verify(2, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void aFailingCredentialStoreIsItsOwnErrorAndNotRetried() {
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/v1"))
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"reg\"")));
    CredentialStore broken = h -> {
      throw new RegistryException("credential helper docker-credential-x failed");
    };
    try (RemoteRegistry r = client(broken)) {
      assertThatThrownBy(() -> r.fetchManifest("app", "v1"))
          .isExactlyInstanceOf(RegistryException.class)
          .hasMessageContaining("docker-credential-x");
    }
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
  }

  @Test
  void anonymousAccessNeedsNoCredentials() throws Exception {
    ImageManifest m = RemoteRegistryWireMockTest.manifest(3);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(get(urlEqualTo(url)).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge("repository:app:pull"))));
    wm.stubFor(get(urlEqualTo(url)).withHeader("Authorization", equalTo("Bearer anon"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType()).withBody(m.bytes())));
    wm.stubFor(get(urlPathEqualTo("/token")).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(200).withBody("{\"token\":\"anon\"}")));
    try (RemoteRegistry r = client(CredentialStore.anonymous())) {
      assertThat(r.fetchManifest("app", m.digest().toString()).digest()).isEqualTo(m.digest());
    }
    wm.verify(0, postRequestedFor(urlPathEqualTo("/token")));
  }
}
