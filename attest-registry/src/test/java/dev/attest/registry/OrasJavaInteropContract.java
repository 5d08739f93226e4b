package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import land.oras.ContainerRef;
import land.oras.Index;
import land.oras.ManifestDescriptor;
import land.oras.Referrers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * oras-java 0.7.0 (an independent OCI client) pulls what {@link RemoteRegistry} pushes: manifests
 * with the same digest and JSON, blobs with the same bytes, an index with its children, and a
 * referrer.
 *
 * <p>Limits of oras-java 0.7.0 found here: its {@code getReferrers} asks only the referrers API, so
 * on a registry without it (2.8.2, the embedded registry in fallback mode) the referrer is checked
 * by pulling the tag-schema index {@code sha256-<hex>} instead. Its {@code getBlob} (to a byte
 * array) decodes the body as UTF-8 text and re-encodes it, so a binary layer fails oras-java's own
 * digest check; binary blobs are pulled with its streaming {@code fetchBlob}. Its {@code
 * Manifest#getJson()} holds the JSON as received, compared here as UTF-8 text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrasJavaInteropContract {
  RemoteRegistry registry;
  land.oras.Registry oras;
  String host;

  /** Starts the registry; answers its {@code host:port}. */
  abstract String startServer() throws Exception;

  abstract void stopServer() throws Exception;

  abstract boolean referrersApi();

  @BeforeAll
  void open() throws Exception {
    host = startServer();
    registry = RemoteRegistry.builder(host).credentials(CredentialStore.anonymous()).build();
    // Plain HTTP on loopback, no credentials.
    oras = land.oras.Registry.builder().insecure().build();
  }

  @AfterAll
  void close() throws Exception {
    if (registry != null) {
      registry.close();
    }
    stopServer();
  }

  ContainerRef ref(String repo, String reference) {
    return ContainerRef.parse(host + "/" + repo + (reference.contains(":") ? "@" : ":") + reference);
  }

  @Test
  void pullsAnImageAndItsBlobs() throws Exception {
    String repo = "oras/image";
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 7);
    registry.pushManifest(repo, m, PushOptions.tagged("v1"));

    land.oras.Manifest pulled = oras.getManifest(ref(repo, "v1"));
    assertThat(pulled.getDescriptor().getDigest()).isEqualTo(m.digest().toString());
    assertThat(pulled.getJson()).isEqualTo(new String(m.bytes(), StandardCharsets.UTF_8));
    assertThat(pulled.getLayers()).extracting(land.oras.Layer::getDigest)
        .containsExactly(m.layers().get(0).digest().toString());
    assertThat(oras.getDescriptor(ref(repo, m.digest().toString())).getDigest()).isEqualTo(m.digest().toString());

    for (Descriptor blob : new Descriptor[] {m.config(), m.layers().get(0)}) {
      byte[] ours;
      try (InputStream in = registry.fetchBlob(repo, blob)) {
        ours = in.readAllBytes();
      }
      try (InputStream in = oras.fetchBlob(ref(repo, blob.digest().toString()))) {
        assertThat(in.readAllBytes()).isEqualTo(ours);
      }
    }
    // getBlob (byte[]) decodes the body as text: fine for the JSON config, not for binary layers.
    byte[] config;
    try (InputStream in = registry.fetchBlob(repo, m.config())) {
      config = in.readAllBytes();
    }
    assertThat(oras.getBlob(ref(repo, m.config().digest().toString()))).isEqualTo(config);
  }

  @Test
  void pullsAThreePlatformIndex() throws Exception {
    String repo = "oras/multi";
    ImageManifest[] children = new ImageManifest[3];
    for (int i = 0; i < 3; i++) {
      children[i] = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 70 + i);
    }
    ImageIndex idx = TestContent.index(children);
    registry.pushManifest(repo, idx, PushOptions.tagged("multi"));

    Index pulled = oras.getIndex(ref(repo, "multi"));
    assertThat(pulled.getDescriptor().getDigest()).isEqualTo(idx.digest().toString());
    assertThat(pulled.getManifests()).extracting(ManifestDescriptor::getDigest)
        .containsExactly(children[0].digest().toString(), children[1].digest().toString(), children[2].digest().toString());
    assertThat(pulled.getManifests()).extracting(d -> d.getPlatform().architecture())
        .containsExactly("amd64", "arm64", "s390x");
    for (ImageManifest child : children) {
      assertThat(oras.getManifest(ref(repo, child.digest().toString())).getJson())
          .isEqualTo(new String(child.bytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void findsAReferrer() throws Exception {
    String repo = "oras/referrers";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 8);
    ImageManifest sbom = TestContent.referrer(registry, repo, subject.descriptor(), "application/spdx+json", 1);
    registry.pushManifest(repo, sbom);

    java.util.List<ManifestDescriptor> listed;
    if (referrersApi()) {
      Referrers referrers = oras.getReferrers(ref(repo, subject.digest().toString()), null);
      listed = referrers.getManifests();
    } else {
      listed = oras.getIndex(ref(repo, subject.digest().tagSchemaTag())).getManifests();
    }
    assertThat(listed).singleElement().satisfies(d -> {
      assertThat(d.getDigest()).isEqualTo(sbom.digest().toString());
      assertThat(d.getArtifactType()).isEqualTo("application/spdx+json");
      assertThat(d.getAnnotations()).containsAllEntriesOf(Map.of("dev.attest.n", "1"));
    });
    land.oras.Manifest pulled = oras.getManifest(ref(repo, sbom.digest().toString()));
    assertThat(pulled.getSubject().getDigest()).isEqualTo(subject.digest().toString());
    assertThat(pulled.getArtifactTypeAsString()).isEqualTo("application/spdx+json");
  }
}
