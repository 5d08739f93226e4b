package dev.attest.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
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
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every operation and the faults real registries rarely produce, against WireMock. */
class RemoteRegistryWireMockTest {
  static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST_TYPES);
  static final Descriptor SUBJECT = Descriptor.ofBytes(MediaTypes.OCI_MANIFEST, "subject".getBytes(StandardCharsets.UTF_8));

  WireMockServer wm;
  RemoteRegistry registry;
  final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    registry = client().build();
  }

  RemoteRegistry.Builder client() {
    return RemoteRegistry.builder("127.0.0.1:" + wm.port())
        .listener(events::add)
        .retries(3)
        .retryDelays(Duration.ofMillis(1), Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    registry.close();
    wm.stop();
  }

  static ImageManifest manifest(int n) {
    Descriptor layer = Descriptor.ofBytes("application/json", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    return ImageManifest.builder().config(Descriptor.EMPTY.withoutData()).layer(layer).artifactType("application/vnd.test+json").build();
  }

  static ImageManifest referrer(int n, String artifactType) {
    Descriptor layer = Descriptor.ofBytes("application/json", ("{\"r\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    return ImageManifest.builder().config(Descriptor.EMPTY.withoutData()).layer(layer).artifactType(artifactType)
        .subject(SUBJECT).annotation("n", Integer.toString(n)).build();
  }

  void stubManifest(String ref, byte[] body, String type, String digestHeader) {
    var r = aResponse().withStatus(200).withHeader("Content-Type", type).withBody(body);
    if (digestHeader != null) {
      r = r.withHeader("Docker-Content-Digest", digestHeader);
    }
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/" + ref)).willReturn(r));
  }

  // ---------------------------------------------------------------- manifests

  @Test
  void fetchByDigestSendsTheFullAcceptListAndVerifies() throws Exception {
    ImageManifest m = manifest(1);
    stubManifest(m.digest().toString(), m.bytes(), m.mediaType(), m.digest().toString());
    Manifest got = registry.fetchManifest("app", m.digest().toString());
    assertThat(got.bytes()).isEqualTo(m.bytes());
    wm.verify(getRequestedFor(urlEqualTo("/v2/app/manifests/" + m.digest())).withHeader("Accept", equalTo(ACCEPT)));
  }

  @Test
  void wrongManifestBytesForADigestAreRejectedNamingBothDigests() {
    ImageManifest asked = manifest(1);
    ImageManifest served = manifest(2);
    stubManifest(asked.digest().toString(), served.bytes(), served.mediaType(), null);
    assertThatThrownBy(() -> registry.fetchManifest("app", asked.digest().toString()))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(asked.digest().toString())
        .hasMessageContaining(served.digest().toString());
  }

  @Test
  void truncatedManifestIsRejected() {
    ImageManifest m = manifest(3);
    byte[] half = Arrays.copyOf(m.bytes(), m.bytes().length / 2);
    stubManifest(m.digest().toString(), half, m.mediaType(), m.digest().toString());
    assertThatThrownBy(() -> registry.fetchManifest("app", m.digest().toString()))
        .isInstanceOf(DigestMismatchException.class).hasMessageContaining(m.digest().toString());
  }

  @Test
  void tagFetchIsComparedWithDockerContentDigest() throws Exception {
    ImageManifest m = manifest(4);
    stubManifest("v1", m.bytes(), m.mediaType(), manifest(5).digest().toString());
    assertThatThrownBy(() -> registry.fetchManifest("app", "v1"))
        .isInstanceOf(DigestMismatchException.class).hasMessageContaining(manifest(5).digest().toString());
    stubManifest("v2", m.bytes(), m.mediaType(), m.digest().toString());
    assertThat(registry.fetchManifest("app", "v2").digest()).isEqualTo(m.digest());
  }

  @Test
  void manifestsOverFourMebibytesAreRefused() {
    byte[] big = new byte[Manifest.MAX_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    stubManifest("big", big, MediaTypes.OCI_MANIFEST, null);
    assertThatThrownBy(() -> registry.fetchManifest("app", "big"))
        .isInstanceOf(RegistryException.class).hasMessageContaining("byte limit");
  }

  @Test
  void resolveUsesHeadAndFallsBackToAHashedGet() throws Exception {
    ImageManifest m = manifest(6);
    wm.stubFor(head(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", m.mediaType()).withHeader("Docker-Content-Digest", m.digest().toString())
        .withHeader("Content-Length", Long.toString(m.size()))));
    assertThat(registry.resolve("app", "v1")).isEqualTo(Descriptor.of(m.mediaType(), m.digest(), m.size()));

    wm.stubFor(head(urlEqualTo("/v2/app/manifests/v2")).willReturn(aResponse().withStatus(200)));
    stubManifest("v2", m.bytes(), m.mediaType(), null);
    assertThat(registry.resolve("app", "v2").digest()).isEqualTo(m.digest());
    wm.verify(getRequestedFor(urlEqualTo("/v2/app/manifests/v2")));

    wm.stubFor(head(urlEqualTo("/v2/app/manifests/gone")).willReturn(aResponse().withStatus(404)));
    assertThatThrownBy(() -> registry.resolve("app", "gone")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void pushSendsExactBytesWithTheirMediaTypeAndTag() throws Exception {
    ImageManifest m = manifest(7);
    wm.stubFor(put(urlPathEqualTo("/v2/app/manifests/" + m.digest())).willReturn(aResponse().withStatus(201)
        .withHeader("Docker-Content-Digest", m.digest().toString())));
    wm.stubFor(put(urlPathEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(201)));
    PushResult r = registry.pushManifest("app", m, PushOptions.tagged("v1"));
    assertThat(r.descriptor().digest()).isEqualTo(m.digest());
    assertThat(r.fallbackIndexUpdated()).isFalse();
    wm.verify(putRequestedFor(urlPathEqualTo("/v2/app/manifests/" + m.digest()))
        .withHeader("Content-Type", equalTo(m.mediaType())).withRequestBody(binaryEqualTo(m.bytes())));
    wm.verify(putRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")).withRequestBody(binaryEqualTo(m.bytes())));
  }

  // ---------------------------------------------------------------- retries

  @Test
  void fiveHundredBurstThenSuccessIsRetried() throws Exception {
    ImageManifest m = manifest(8);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("burst").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("burst").whenScenarioStateIs("2")
        .willReturn(aResponse().withStatus(502)).willSetStateTo("3"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("burst").whenScenarioStateIs("3")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType()).withBody(m.bytes())));
    assertThat(registry.fetchManifest("app", m.digest().toString()).digest()).isEqualTo(m.digest());
    wm.verify(3, getRequestedFor(urlEqualTo(url)));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying).hasSize(2);
  }

  @Test
  void persistentFiveHundredsMakeTheRegistryUnreachable() {
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(500)));
    assertThatThrownBy(() -> registry.fetchManifest("app", "v1")).isInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("500");
    wm.verify(4, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
  }

  @Test
  void tooManyRequestsHonoursRetryAfter() throws Exception {
    ImageManifest m = manifest(9);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("429").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("429").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType()).withBody(m.bytes())));
    assertThat(registry.fetchManifest("app", m.digest().toString()).digest()).isEqualTo(m.digest());
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying)
        .singleElement().extracting(e -> ((RegistryEvent.Retrying) e).delay()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void connectionResetIsRetried() throws Exception {
    ImageManifest m = manifest(10);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("reset").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("ok"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("reset").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType()).withBody(m.bytes())));
    assertThat(registry.fetchManifest("app", m.digest().toString()).digest()).isEqualTo(m.digest());
  }

  // ---------------------------------------------------------------- blobs

  @Test
  void blobIsStreamedAndVerified() throws Exception {
    byte[] data = TestContent.random(100_000, 1);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(get(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(200).withBody(data)));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(200)));
    assertThat(registry.hasBlob("app", d.digest())).isTrue();
    assertThat(registry.hasBlob("app", Digest.sha256(new byte[1]))).isFalse();
  }

  @Test
  void wrongBlobBytesFailBeforeEof() throws Exception {
    byte[] data = TestContent.random(10_000, 2);
    byte[] wrong = data.clone();
    wrong[5000] ^= 1;
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(get(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(200).withBody(wrong)));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent())
          .hasMessageContaining(d.digest().toString());
    }
  }

  @Test
  void truncatedBlobIsASizeMismatch() {
    byte[] data = TestContent.random(10_000, 3);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(get(urlEqualTo("/v2/app/blobs/" + d.digest()))
        .willReturn(aResponse().withStatus(200).withBody(Arrays.copyOf(data, 4000))));
    assertThatThrownBy(() -> {
      try (InputStream in = registry.fetchBlob("app", d)) {
        in.readAllBytes();
      }
    }).satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent()).hasMessageContaining("10000");
  }

  @Test
  void resetMidBlobResumesWithARangeRequest() throws Exception {
    byte[] data = TestContent.random(200_000, 4);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String url = "/v2/app/blobs/" + d.digest();
    // The first answer promises every byte and breaks off after 50,000.
    wm.stubFor(get(urlEqualTo(url)).inScenario("mid").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Length", Integer.toString(data.length))
            .withBody(Arrays.copyOf(data, 50_000))).willSetStateTo("resume"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("mid").whenScenarioStateIs("resume")
        .withHeader("Range", equalTo("bytes=50000-"))
        .willReturn(aResponse().withStatus(206)
            .withHeader("Content-Range", "bytes 50000-199999/200000")
            .withBody(Arrays.copyOfRange(data, 50_000, data.length))));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    wm.verify(getRequestedFor(urlEqualTo(url)).withHeader("Range", equalTo("bytes=50000-")));
  }

  @Test
  void aBlobThatKeepsBreakingFailsWithAnError() {
    byte[] data = TestContent.random(20_000, 5);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(get(urlEqualTo("/v2/app/blobs/" + d.digest()))
        .willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    assertThatThrownBy(() -> {
      try (InputStream in = registry.fetchBlob("app", d)) {
        in.readAllBytes();
      }
    }).isInstanceOf(RegistryUnreachableException.class);
  }

  @Test
  void resetMidBlobWithoutRangeSupportFetchesAgainAndSkips() throws Exception {
    byte[] data = TestContent.random(120_000, 14);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String url = "/v2/app/blobs/" + d.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("norange").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Length", Integer.toString(data.length))
            .withBody(Arrays.copyOf(data, 30_000))).willSetStateTo("again"));
    // This registry ignores Range and sends the whole blob again.
    wm.stubFor(get(urlEqualTo(url)).inScenario("norange").whenScenarioStateIs("again")
        .willReturn(aResponse().withStatus(200).withBody(data)));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    wm.verify(2, getRequestedFor(urlEqualTo(url)));
  }

  @Test
  void resumedBytesAreHashedToo() throws Exception {
    byte[] data = TestContent.random(100_000, 15);
    byte[] tampered = Arrays.copyOfRange(data, 40_000, data.length);
    tampered[1000] ^= 0x20;
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String url = "/v2/app/blobs/" + d.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("bad-resume").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Length", Integer.toString(data.length))
            .withBody(Arrays.copyOf(data, 40_000))).willSetStateTo("resume"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("bad-resume").whenScenarioStateIs("resume")
        .willReturn(aResponse().withStatus(206).withHeader("Content-Range", "bytes 40000-99999/100000").withBody(tampered)));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent());
    }
  }

  @Test
  void tooManyRequestsOnABlobIsRetriedAfterRetryAfter() throws Exception {
    byte[] data = TestContent.random(5000, 16);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String url = "/v2/app/blobs/" + d.digest();
    wm.stubFor(get(urlEqualTo(url)).inScenario("429b").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")).willSetStateTo("ok"));
    wm.stubFor(get(urlEqualTo(url)).inScenario("429b").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withBody(data)));
    try (InputStream in = registry.fetchBlob("app", d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying).singleElement()
        .satisfies(e -> {
          assertThat(((RegistryEvent.Retrying) e).delay()).isEqualTo(Duration.ZERO);
          assertThat(((RegistryEvent.Retrying) e).reason()).contains("429");
        });
  }

  @Test
  void fiveHundredBurstOnAManifestPutIsRetriedWithTheSameBytes() throws Exception {
    ImageManifest m = manifest(17);
    String url = "/v2/app/manifests/" + m.digest();
    wm.stubFor(put(urlEqualTo(url)).inScenario("put5xx").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
    wm.stubFor(put(urlEqualTo(url)).inScenario("put5xx").whenScenarioStateIs("2")
        .willReturn(aResponse().withStatus(500)).willSetStateTo("3"));
    wm.stubFor(put(urlEqualTo(url)).inScenario("put5xx").whenScenarioStateIs("3")
        .willReturn(aResponse().withStatus(201).withHeader("Docker-Content-Digest", m.digest().toString())));
    registry.pushManifest("app", m);
    wm.verify(3, putRequestedFor(urlEqualTo(url)).withRequestBody(binaryEqualTo(m.bytes())));
  }

  @Test
  void aResetDuringTheUploadPutAsksWhetherTheBlobLandedBeforeRestarting() throws Exception {
    byte[] data = TestContent.random(3000, 18);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    String blob = "/v2/app/blobs/" + d.digest();
    wm.stubFor(head(urlEqualTo(blob)).inScenario("landed").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202)
        .withHeader("Location", "/v2/app/blobs/uploads/s")));
    // The PUT lands but its answer is lost.
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/s")).inScenario("landed").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("stored"));
    wm.stubFor(head(urlEqualTo(blob)).inScenario("landed").whenScenarioStateIs("stored")
        .willReturn(aResponse().withStatus(200)));
    registry.pushBlob("app", d, BlobSource.of(data));
    wm.verify(1, postRequestedFor(urlEqualTo("/v2/app/blobs/uploads/")));
    wm.verify(1, putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/s")));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying).isEmpty();
  }

  @Test
  void monolithicUploadIsPostThenPut() throws Exception {
    byte[] data = TestContent.random(5000, 6);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202)
        .withHeader("Location", "/v2/app/blobs/uploads/s1?_state=x")));
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/s1")).withQueryParam("digest", equalTo(d.digest().toString()))
        .withQueryParam("_state", equalTo("x")).willReturn(aResponse().withStatus(201)));
    registry.pushBlob("app", d, BlobSource.of(data));
    wm.verify(putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/s1")).withRequestBody(binaryEqualTo(data)));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.BlobProgress p && p.upload())
        .last().extracting(e -> ((RegistryEvent.BlobProgress) e).transferred()).isEqualTo(5000L);
  }

  @Test
  void failedUploadRestartsFromANewSession() throws Exception {
    byte[] data = TestContent.random(3000, 7);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202)
        .withHeader("Location", "/v2/app/blobs/uploads/s")));
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/s")).inScenario("up").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/s")).inScenario("up").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(201)));
    registry.pushBlob("app", d, BlobSource.of(data));
    // The failed PUT was not retried on its session: a new session was opened.
    wm.verify(2, postRequestedFor(urlEqualTo("/v2/app/blobs/uploads/")));
    wm.verify(2, putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/s")).withRequestBody(binaryEqualTo(data)));
  }

  @Test
  void chunkedUploadSendsContentRangesAndChecksRange() throws Exception {
    RemoteRegistry chunked = client().chunking(1000, 1000).streamBuffer(1000).build();
    byte[] data = TestContent.random(2500, 8);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202)
        .withHeader("Location", "/up/0")));
    String[][] chunks = {{"/up/0", "0-999", "/up/1"}, {"/up/1", "1000-1999", "/up/2"}, {"/up/2", "2000-2499", "/up/3"}};
    for (String[] c : chunks) {
      wm.stubFor(patch(urlEqualTo(c[0])).withHeader("Content-Range", equalTo(c[1]))
          .willReturn(aResponse().withStatus(202).withHeader("Range", "0-" + c[1].split("-")[1]).withHeader("Location", c[2])));
    }
    wm.stubFor(put(urlPathEqualTo("/up/3")).withQueryParam("digest", equalTo(d.digest().toString()))
        .willReturn(aResponse().withStatus(201)));
    chunked.pushBlob("app", d, BlobSource.of(data));
    wm.verify(patchRequestedFor(urlEqualTo("/up/1")).withRequestBody(binaryEqualTo(Arrays.copyOfRange(data, 1000, 2000))));
    wm.verify(putRequestedFor(urlPathEqualTo("/up/3")));

    // A stream of unknown size goes the same way, buffered one chunk at a time.
    Descriptor streamed = chunked.pushBlob("app", MediaTypes.OCI_LAYER_TAR, new ByteArrayInputStream(data));
    assertThat(streamed.digest()).isEqualTo(d.digest());
    assertThat(streamed.size()).isEqualTo(2500);
    chunked.close();
  }

  @Test
  void aFailedChunkOfAStreamIsResentOnlyIfNoneOfItLanded() throws Exception {
    RemoteRegistry chunked = client().chunking(1000, 1000).streamBuffer(1000).build();
    byte[] data = TestContent.random(1500, 13);
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202).withHeader("Location", "/up/0")));
    wm.stubFor(patch(urlEqualTo("/up/0")).inScenario("p").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("again"));
    wm.stubFor(get(urlEqualTo("/up/0")).willReturn(aResponse().withStatus(204).withHeader("Range", "0-0")
        .withHeader("Location", "/up/0")));
    wm.stubFor(patch(urlEqualTo("/up/0")).inScenario("p").whenScenarioStateIs("again")
        .withHeader("Content-Range", equalTo("0-999"))
        .willReturn(aResponse().withStatus(202).withHeader("Range", "0-999").withHeader("Location", "/up/1")));
    wm.stubFor(patch(urlEqualTo("/up/1")).withHeader("Content-Range", equalTo("1000-1499"))
        .willReturn(aResponse().withStatus(202).withHeader("Range", "0-1499").withHeader("Location", "/up/2")));
    wm.stubFor(put(urlPathEqualTo("/up/2")).willReturn(aResponse().withStatus(201)));
    Descriptor d = chunked.pushBlob("app", MediaTypes.OCI_LAYER_TAR, new ByteArrayInputStream(data));
    assertThat(d.digest()).isEqualTo(Digest.sha256(data));
    wm.verify(getRequestedFor(urlEqualTo("/up/0")));
    wm.verify(1, putRequestedFor(urlPathEqualTo("/up/2")).withQueryParam("digest", equalTo(d.digest().toString())));
    chunked.close();
  }

  @Test
  void aFailedChunkOfAStreamThatPartlyLandedFails() {
    RemoteRegistry chunked = client().chunking(1000, 1000).streamBuffer(1000).build();
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202).withHeader("Location", "/up/0")));
    wm.stubFor(patch(urlEqualTo("/up/0")).willReturn(aResponse().withStatus(503)));
    wm.stubFor(get(urlEqualTo("/up/0")).willReturn(aResponse().withStatus(204).withHeader("Range", "0-499")));
    assertThatThrownBy(() -> chunked.pushBlob("app", MediaTypes.OCI_LAYER_TAR,
        new ByteArrayInputStream(TestContent.random(1500, 14))))
        .isInstanceOf(RegistryException.class).hasMessageContaining("cannot be re-read");
    chunked.close();
  }

  @Test
  void aWrongRangeAfterAChunkFailsTheSession() {
    RemoteRegistry chunked = client().retries(0).chunking(1000, 1000).streamBuffer(1000).build();
    byte[] data = TestContent.random(2500, 9);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202).withHeader("Location", "/up/0")));
    wm.stubFor(patch(urlEqualTo("/up/0")).willReturn(aResponse().withStatus(202).withHeader("Range", "0-499").withHeader("Location", "/up/1")));
    assertThatThrownBy(() -> chunked.pushBlob("app", d, BlobSource.of(data)))
        .isInstanceOf(RegistryUnreachableException.class).hasMessageContaining("0-499").hasMessageContaining("0-999");
    chunked.close();
  }

  @Test
  void aSourceWithOtherBytesIsADigestMismatch() {
    byte[] data = TestContent.random(3000, 10);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202).withHeader("Location", "/up/0")));
    wm.stubFor(put(urlPathEqualTo("/up/0")).willReturn(aResponse().withStatus(201)));
    assertThatThrownBy(() -> registry.pushBlob("app", d, BlobSource.of(TestContent.random(3000, 11))))
        .isInstanceOf(DigestMismatchException.class).hasMessageContaining(d.digest().toString());
  }

  @Test
  void aVerifyingSourceWithOtherBytesIsStillADigestMismatch() {
    // Such a source (a fetched blob) is not hashed a second time; its own check must still fire.
    byte[] data = TestContent.random(3000, 10);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlEqualTo("/v2/app/blobs/uploads/")).willReturn(aResponse().withStatus(202).withHeader("Location", "/up/0")));
    wm.stubFor(put(urlPathEqualTo("/up/0")).willReturn(aResponse().withStatus(201)));
    BlobSource wrong = () -> d.digest().verifying(new java.io.ByteArrayInputStream(TestContent.random(3000, 11)), 3000);
    assertThatThrownBy(() -> registry.pushBlob("app", d, wrong))
        .isInstanceOf(DigestMismatchException.class).hasMessageContaining(d.digest().toString());
  }

  @Test
  void mountAnswersAndFallsBackThroughTheOpenedSession() throws Exception {
    byte[] data = TestContent.random(1000, 12);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    wm.stubFor(head(urlEqualTo("/v2/app/blobs/" + d.digest())).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withQueryParam("mount", equalTo(d.digest().toString()))
        .withQueryParam("from", equalTo("base")).willReturn(aResponse().withStatus(201)));
    assertThat(registry.mountBlob("app", d.digest(), "base")).isTrue();

    wm.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).withQueryParam("from", equalTo("other"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/app/blobs/uploads/m1")));
    wm.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/m1")).willReturn(aResponse().withStatus(201)));
    registry.mountOrPushBlob("app", d, "other", BlobSource.of(data));
    wm.verify(putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/m1")).withRequestBody(binaryEqualTo(data)));
    wm.verify(0, postRequestedFor(urlEqualTo("/v2/app/blobs/uploads/")));
  }

  // ---------------------------------------------------------------- referrers

  @Test
  void referrersApiIsPagedAndFilteredClientSideWhenTheServerDidNot() throws Exception {
    ImageManifest a = referrer(1, "application/a");
    ImageManifest b = referrer(2, "application/b");
    ImageIndex page1 = ImageIndex.builder().manifest(a.descriptor()).build();
    ImageIndex page2 = ImageIndex.builder().manifest(b.descriptor()).build();
    String base = "/v2/app/referrers/" + SUBJECT.digest();
    wm.stubFor(get(urlPathEqualTo(base)).withQueryParam("last", equalTo("p2")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaTypes.OCI_INDEX).withBody(page2.bytes())).atPriority(1));
    wm.stubFor(get(urlPathEqualTo(base)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaTypes.OCI_INDEX).withHeader("Link", "<" + base + "?last=p2>; rel=\"next\"")
        .withBody(page1.bytes())).atPriority(2));
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/" + SUBJECT.digest().tagSchemaTag())).willReturn(aResponse().withStatus(404)));

    assertThat(registry.referrers("app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(a.digest(), b.digest());
    List<Descriptor> onlyB = registry.referrers("app", SUBJECT.digest(), "application/b");
    assertThat(onlyB).extracting(Descriptor::digest).containsExactly(b.digest());
    assertThat(onlyB.get(0).annotations()).containsEntry("n", "2");
  }

  @Test
  void referrersFallBackToTheTagSchemaIndexOn404AndUnionDeduplicates() throws Exception {
    ImageManifest a = referrer(1, "application/a");
    ImageManifest b = referrer(2, "application/b");
    wm.stubFor(get(urlPathEqualTo("/v2/app/referrers/" + SUBJECT.digest())).willReturn(aResponse().withStatus(404)));
    ImageIndex fallback = ImageIndex.builder().manifest(a.descriptor()).manifest(b.descriptor()).build();
    stubManifest(SUBJECT.digest().tagSchemaTag(), fallback.bytes(), MediaTypes.OCI_INDEX, fallback.digest().toString());
    assertThat(registry.referrers("app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(a.digest(), b.digest());
    assertThat(registry.referrers("app", SUBJECT.digest(), "application/a")).extracting(Descriptor::digest)
        .containsExactly(a.digest());

    // Both sources: deduplicated by digest. (A client that does not remember the earlier 404.)
    wm.stubFor(get(urlPathEqualTo("/v2/app/referrers/" + SUBJECT.digest())).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaTypes.OCI_INDEX).withBody(ImageIndex.builder().manifest(b.descriptor()).build().bytes())));
    try (RemoteRegistry asking = client().referrersApiMemory(Duration.ZERO).build()) {
      assertThat(asking.referrers("app", SUBJECT.digest(), null)).extracting(Descriptor::digest)
          .containsExactly(b.digest(), a.digest());
    }
  }

  @Test
  void fallbackIndexUpdateRetriesOn412WithIfMatch() throws Exception {
    ImageManifest mine = referrer(1, "application/mine");
    ImageManifest other = referrer(2, "application/other");
    ImageManifest third = referrer(3, "application/third");
    ImageIndex v0 = ImageIndex.builder().manifest(other.descriptor()).build();
    ImageIndex v1 = ImageIndex.builder().manifest(other.descriptor()).manifest(third.descriptor()).build();
    ImageIndex v2 = ImageIndex.builder().manifests(v1.manifests()).manifest(mine.descriptor()).build();
    String tagUrl = "/v2/app/manifests/" + SUBJECT.digest().tagSchemaTag();
    wm.stubFor(put(urlPathEqualTo("/v2/app/manifests/" + mine.digest())).willReturn(aResponse().withStatus(201)));
    wm.stubFor(get(urlEqualTo(tagUrl)).inScenario("idx").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaTypes.OCI_INDEX)
            .withHeader("ETag", "\"e0\"").withBody(v0.bytes())));
    wm.stubFor(put(urlEqualTo(tagUrl)).inScenario("idx").whenScenarioStateIs(Scenario.STARTED)
        .withHeader("If-Match", equalTo("\"e0\"")).willReturn(aResponse().withStatus(412)).willSetStateTo("changed"));
    wm.stubFor(get(urlEqualTo(tagUrl)).inScenario("idx").whenScenarioStateIs("changed")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaTypes.OCI_INDEX)
            .withHeader("ETag", "\"e1\"").withBody(v1.bytes())));
    wm.stubFor(put(urlEqualTo(tagUrl)).inScenario("idx").whenScenarioStateIs("changed")
        .withHeader("If-Match", equalTo("\"e1\"")).withRequestBody(binaryEqualTo(v2.bytes()))
        .willReturn(aResponse().withStatus(201)).willSetStateTo("written"));
    wm.stubFor(get(urlEqualTo(tagUrl)).inScenario("idx").whenScenarioStateIs("written")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaTypes.OCI_INDEX)
            .withHeader("ETag", "\"e2\"").withBody(v2.bytes())));

    PushResult r = registry.pushManifest("app", mine);
    assertThat(r.referrersApi()).isFalse();
    assertThat(r.fallbackIndexUpdated()).isTrue();
    wm.verify(2, putRequestedFor(urlEqualTo(tagUrl)));
    wm.verify(putRequestedFor(urlEqualTo(tagUrl)).withHeader("If-Match", equalTo("\"e1\"")));
  }

  @Test
  void ociSubjectHeaderMeansNoFallbackIndex() throws Exception {
    ImageManifest mine = referrer(1, "application/mine");
    wm.stubFor(put(urlPathEqualTo("/v2/app/manifests/" + mine.digest())).willReturn(aResponse().withStatus(201)
        .withHeader("OCI-Subject", SUBJECT.digest().toString())));
    PushResult r = registry.pushManifest("app", mine);
    assertThat(r.referrersApi()).isTrue();
    assertThat(r.fallbackIndexUpdated()).isFalse();
    wm.verify(0, getRequestedFor(urlEqualTo("/v2/app/manifests/" + SUBJECT.digest().tagSchemaTag())));
  }

  // ---------------------------------------------------------------- tags and delete

  @Test
  void tagsFollowLinkPaging() throws Exception {
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list")).withQueryParam("last", equalTo("b"))
        .willReturn(aResponse().withStatus(200).withBody("{\"name\":\"app\",\"tags\":[\"c\"]}")).atPriority(1));
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Link", "</v2/app/tags/list?n=2&last=b>; rel=\"next\"")
        .withBody("{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}")).atPriority(2));
    assertThat(registry.tags("app")).containsExactly("a", "b", "c");
  }

  @Test
  void tagsAreBoundedInCount() {
    RemoteRegistry small = client().limits(10, 10, 2).build();
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list"))
        .willReturn(aResponse().withStatus(200).withBody("{\"name\":\"app\",\"tags\":[\"a\",\"b\",\"c\"]}")));
    assertThatThrownBy(() -> small.tags("app")).isInstanceOf(RegistryException.class).hasMessageContaining("more than 2 tags");
    small.close();
  }

  @Test
  void linkToAnotherOriginIsRefused() {
    wm.stubFor(get(urlPathEqualTo("/v2/app/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Link", "<http://evil.example/v2/app/tags/list?last=b>; rel=\"next\"")
        .withBody("{\"name\":\"app\",\"tags\":[\"a\"]}")));
    assertThatThrownBy(() -> registry.tags("app")).isInstanceOf(RegistryException.class).hasMessageContaining("another origin");
  }

  @Test
  void deleteByDigestTriesManifestThenBlob() throws Exception {
    Digest d = Digest.sha256(new byte[] {1});
    wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlEqualTo("/v2/app/manifests/" + d))
        .willReturn(aResponse().withStatus(404)));
    wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlEqualTo("/v2/app/blobs/" + d))
        .willReturn(aResponse().withStatus(202)));
    registry.delete("app", d);
    wm.verify(com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor(urlEqualTo("/v2/app/blobs/" + d)));
  }

  @Test
  void errorsMapToTheExceptionTree() {
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/secret")).willReturn(aResponse().withStatus(401)
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    assertThatThrownBy(() -> registry.fetchManifest("app", "secret")).isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("UNAUTHORIZED: authentication required");
    wm.stubFor(get(urlEqualTo("/v2/app/manifests/bad")).willReturn(aResponse().withStatus(400).withBody("nope")));
    assertThatThrownBy(() -> registry.fetchManifest("app", "bad")).isExactlyInstanceOf(RegistryException.class)
        .hasMessageContaining("400").hasMessageContaining("nope");
    assertThatThrownBy(() -> registry.fetchManifest("App", "v1")).isInstanceOf(IllegalArgumentException.class);
  }
}
