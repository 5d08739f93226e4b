package dev.attest.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory of a missing referrers API (docs/adr/0017-referrers-api-memory.md) and the bounded
 * tag listing, against WireMock: which requests are sent, and that no referrer is missed.
 */
class RemoteRegistryReferrersMemoryTest {
  static final Descriptor SUBJECT =
      Descriptor.ofBytes(MediaTypes.OCI_MANIFEST, "subject".getBytes(StandardCharsets.UTF_8));
  static final String API = "/v2/%s/referrers/" + SUBJECT.digest();
  static final String TAG = SUBJECT.digest().tagSchemaTag();

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
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  WireMockServer wm;
  final MutableClock clock = new MutableClock();
  RemoteRegistry registry;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    registry = client().build();
  }

  RemoteRegistry.Builder client() {
    return RemoteRegistry.builder("127.0.0.1:" + wm.port()).retries(0).clock(clock);
  }

  @AfterEach
  void stop() {
    registry.close();
    wm.stop();
  }

  static ImageManifest referrer(int n) {
    Descriptor layer = Descriptor.ofBytes("application/json", ("{\"r\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    return ImageManifest.builder().config(Descriptor.EMPTY.withoutData()).layer(layer).artifactType("application/a")
        .subject(SUBJECT).build();
  }

  /** Serves {@code repo}'s referrers index under the tag schema. */
  void fallback(String repo, ImageManifest... referrers) {
    ImageIndex.Builder b = ImageIndex.builder();
    for (ImageManifest r : referrers) {
      b.manifest(r.descriptor());
    }
    ImageIndex index = b.build();
    wm.stubFor(get(urlEqualTo("/v2/" + repo + "/manifests/" + TAG)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaTypes.OCI_INDEX).withHeader("Docker-Content-Digest", index.digest().toString())
        .withBody(index.bytes())));
  }

  /** What registry 2.8.2 answers: Go's mux has no such route. */
  void noApi(String repo) {
    wm.stubFor(get(urlPathEqualTo(String.format(API, repo))).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "text/plain; charset=utf-8").withBody("404 page not found\n")));
  }

  void api(String repo, ImageManifest... referrers) {
    ImageIndex.Builder b = ImageIndex.builder();
    for (ImageManifest r : referrers) {
      b.manifest(r.descriptor());
    }
    wm.stubFor(get(urlPathEqualTo(String.format(API, repo))).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaTypes.OCI_INDEX).withBody(b.build().bytes())));
  }

  int apiCalls(String repo) {
    return wm.findAll(getRequestedFor(urlPathEqualTo(String.format(API, repo)))).size();
  }

  @Test
  void a404IsRememberedForTheNamespaceUntilTheMemoryExpires() throws Exception {
    ImageManifest a = referrer(1);
    noApi("acme/app");
    fallback("acme/app", a);
    for (int i = 0; i < 5; i++) {
      assertThat(registry.referrers("acme/app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
          .containsExactly(a.digest());
    }
    assertThat(apiCalls("acme/app")).as("asked once, then remembered").isEqualTo(1);
    assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v2/acme/app/manifests/" + TAG)))).hasSize(5);

    // Same namespace, another repository: still remembered.
    noApi("acme/other");
    fallback("acme/other", a);
    registry.referrers("acme/other", SUBJECT.digest(), null);
    assertThat(apiCalls("acme/other")).isZero();

    // The registry is upgraded: within the memory the fallback is all that is read...
    ImageManifest b = referrer(2);
    api("acme/app", b);
    clock.advance(Duration.ofMinutes(4));
    assertThat(registry.referrers("acme/app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(a.digest());
    // ...and once it has passed, the API is asked again and its referrers are listed.
    clock.advance(Duration.ofMinutes(1));
    assertThat(registry.referrers("acme/app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(b.digest(), a.digest());
    assertThat(apiCalls("acme/app")).isEqualTo(2);
    // A 200 is not remembered as anything: the API stays the first source.
    registry.referrers("acme/app", SUBJECT.digest(), null);
    assertThat(apiCalls("acme/app")).isEqualTo(3);
  }

  @Test
  void anotherNamespaceIsAskedItself() throws Exception {
    noApi("acme/app");
    fallback("acme/app");
    ImageManifest b = referrer(2);
    api("other/app", b);
    fallback("other/app");
    registry.referrers("acme/app", SUBJECT.digest(), null);
    // A front end that routes by namespace may serve other/ from a registry with the API.
    assertThat(registry.referrers("other/app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(b.digest());
    assertThat(apiCalls("other/app")).isEqualTo(1);
  }

  @Test
  void a404NamingTheRepositoryUnknownIsNotRemembered() throws Exception {
    wm.stubFor(get(urlPathEqualTo(String.format(API, "acme/app"))).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}")));
    fallback("acme/app");
    registry.referrers("acme/app", SUBJECT.digest(), null);
    registry.referrers("acme/app", SUBJECT.digest(), null);
    assertThat(apiCalls("acme/app")).isEqualTo(2);
  }

  @Test
  void aZeroMemoryAsksEveryTime() throws Exception {
    noApi("acme/app");
    fallback("acme/app");
    try (RemoteRegistry asking = client().referrersApiMemory(Duration.ZERO).build()) {
      asking.referrers("acme/app", SUBJECT.digest(), null);
      asking.referrers("acme/app", SUBJECT.digest(), null);
    }
    assertThat(apiCalls("acme/app")).isEqualTo(2);
    assertThatThrownBy(() -> client().referrersApiMemory(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listedTagsDecideWhetherTheFallbackIndexIsRead() throws Exception {
    ImageManifest a = referrer(1);
    noApi("acme/app");
    fallback("acme/app", a);
    assertThat(registry.tagListing().orElseThrow().referrers("acme/app", SUBJECT.digest(), null, List.of("v1"))).isEmpty();
    assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v2/acme/app/manifests/" + TAG)))).isEmpty();
    assertThat(registry.tagListing().orElseThrow().referrers("acme/app", SUBJECT.digest(), null, List.of("v1", TAG)))
        .extracting(Descriptor::digest).containsExactly(a.digest());
    // The API is asked whatever the tags say (here once, then remembered).
    assertThat(apiCalls("acme/app")).isEqualTo(1);
  }

  @Test
  void tagsUpToListsASmallRepositoryAndGivesUpOnALargeOne() throws Exception {
    wm.stubFor(get(urlPathEqualTo("/v2/small/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"name\":\"small\",\"tags\":[\"a\",\"b\"]}")));
    assertThat(registry.tagListing().orElseThrow().tagsUpTo("small", 2)).contains(List.of("a", "b"));
    wm.verify(getRequestedFor(urlEqualTo("/v2/small/tags/list?n=3")));
    assertThat(registry.tagListing().orElseThrow().tagsUpTo("small", 1)).isEmpty();

    wm.stubFor(get(urlPathEqualTo("/v2/empty/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"name\":\"empty\",\"tags\":null}")));
    assertThat(registry.tagListing().orElseThrow().tagsUpTo("empty", 10)).contains(List.of());

    // A registry that pages one tag at a time: at most a few pages are read.
    wm.stubFor(get(urlPathMatching("/v2/paged/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withHeader("Link", "</v2/paged/tags/list?n=1&last=x>; rel=\"next\"")
        .withBody("{\"name\":\"paged\",\"tags\":[\"x\"]}")));
    Optional<List<String>> paged = registry.tagListing().orElseThrow().tagsUpTo("paged", 100);
    assertThat(paged).isEmpty();
    assertThat(wm.findAll(getRequestedFor(urlPathEqualTo("/v2/paged/tags/list"))))
        .hasSize(RemoteRegistry.MAX_SMALL_LISTING_PAGES);
    assertThatThrownBy(() -> registry.tagListing().orElseThrow().tagsUpTo("small", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
