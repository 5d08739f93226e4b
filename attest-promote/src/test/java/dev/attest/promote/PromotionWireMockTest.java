package dev.attest.promote;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A source registry (WireMock) that serves a wrong byte in a layer. */
class PromotionWireMockTest {
  WireMockServer wm;
  EmbeddedRegistry dstServer;
  RemoteRegistry src;
  RemoteRegistry dst;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    wm.stubFor(get(urlEqualTo("/v2/")).willReturn(aResponse().withStatus(200).withBody("{}")));
    dstServer = EmbeddedRegistry.builder().referrersApi(false).build().start();
    src = RemoteRegistry.builder("127.0.0.1:" + wm.port()).retries(1)
        .retryDelays(Duration.ofMillis(10), Duration.ofMillis(20)).build();
    dst = RemoteRegistry.builder(dstServer.host()).retries(1)
        .retryDelays(Duration.ofMillis(10), Duration.ofMillis(20)).build();
  }

  @AfterEach
  void stop() {
    src.close();
    dst.close();
    dstServer.close();
    wm.stop();
  }

  private void serveManifest(Manifest m) {
    for (String method : new String[] {"GET", "HEAD"}) {
      wm.stubFor(request(method, urlEqualTo("/v2/dev/api/manifests/" + m.digest()))
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", m.mediaType())
              .withHeader("Docker-Content-Digest", m.digest().toString())
              .withHeader("Content-Length", Long.toString(m.size()))
              .withBody(method.equals("GET") ? m.bytes() : new byte[0])));
    }
  }

  private void serveBlob(Descriptor d, byte[] bytes) {
    wm.stubFor(get(urlEqualTo("/v2/dev/api/blobs/" + d.digest()))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
            .withHeader("Docker-Content-Digest", d.digest().toString()).withBody(bytes)));
  }

  private ImageManifest image(long seed, boolean corrupt) {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = Content.random(200_000, seed);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    Descriptor l = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, layer);
    serveBlob(c, config);
    byte[] served = layer.clone();
    if (corrupt) {
      served[123_456] ^= 0x01;
    }
    serveBlob(l, served);
    ImageManifest m = ImageManifest.builder().config(c).layer(l).build();
    serveManifest(m);
    return m;
  }

  @Test
  void aWrongByteInALayerWritesNoManifestThatNeedsIt() throws Exception {
    ImageManifest m = image(1, true);
    assertThatThrownBy(() -> Promotion.of(m.digest()).from(src, "dev/api").to(dst, "prod/api").tags("v1").execute())
        .isInstanceOf(AttestException.class)
        .satisfies(e -> assertThat(chainHas(e, DigestMismatchException.class)).as("cause chain of %s", e).isTrue());
    assertThat(dst.hasManifest("prod/api", m.digest())).isFalse();
    assertThat(dst.hasBlob("prod/api", m.layers().get(0).digest())).isFalse();
    assertThat(PromotionTest.hasTag(dst, "prod/api", "v1")).isFalse();
  }

  @Test
  void aWrongByteInOneChildWritesNeitherTheChildrenNorTheIndex() throws Exception {
    ImageManifest good = image(2, false);
    ImageManifest bad = image(3, true);
    ImageIndex index = ImageIndex.builder()
        .manifest(good.plainDescriptor().withPlatform(Platform.parse("linux/amd64")))
        .manifest(bad.plainDescriptor().withPlatform(Platform.parse("linux/arm64")))
        .build();
    serveManifest(index);
    assertThatThrownBy(() -> Promotion.of(index.digest()).from(src, "dev/api").to(dst, "prod/api").execute())
        .isInstanceOf(AttestException.class);
    assertThat(dst.hasManifest("prod/api", bad.digest())).isFalse();
    assertThat(dst.hasManifest("prod/api", index.digest())).isFalse();
    assertThat(dst.hasManifest("prod/api", good.digest())).as("manifests wait for every blob").isFalse();
    assertThat(dst.hasBlob("prod/api", bad.layers().get(0).digest())).isFalse();
  }

  private static boolean chainHas(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (chainHas(s, type)) {
          return true;
        }
      }
    }
    return false;
  }
}
