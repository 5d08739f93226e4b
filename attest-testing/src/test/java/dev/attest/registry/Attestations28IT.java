package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.testing.DockerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The done-when list on the real distribution 2.8.2 (no referrers API, so every referrer goes
 * through the {@code sha256-<hex>} fallback index): provenance, SBOM, scan and image signature on
 * a single image and, recursively, on a 3-platform index, read back byte-identical.
 */
class Attestations28IT {
  static DockerRegistry server;
  static Registry registry;

  @BeforeAll
  static void start() throws Exception {
    server = DockerRegistry.start();
    registry = RemoteRegistry.builder(server.hostPort()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void singleImage() throws Exception {
    ImageManifest image = TestContent.pushImage(registry, "it/attest", MediaTypes.OCI_MANIFEST, 11);
    AttachResult result = AttestFixtures.all(registry, "it/attest", image.digest()).attach();
    assertThat(result.referrers()).hasSize(4);
    AttestationsTest.assertLayout(registry, "it/attest", image, result.referrers());
    AttestationsTest.assertReadBack(registry, "it/attest", image.digest(), result.referrers());
    assertThat(registry.tags("it/attest")).contains(image.digest().tagSchemaTag());
  }

  @Test
  void bundlesEmbeddedInDescriptorsAreAcceptedAndReadWithoutBlobRequests() throws Exception {
    ImageManifest image = TestContent.pushImage(registry, "it/attest-inline", MediaTypes.OCI_MANIFEST, 12);
    AttachResult result = AttestFixtures.all(registry, "it/attest-inline", image.digest()).embedBundles(64 * 1024).attach();
    assertThat(result.referrers()).hasSize(4);
    for (AttachedReferrer r : result.referrers()) {
      ImageManifest m = (ImageManifest) registry.fetchManifest("it/attest-inline", r.descriptor().digest().toString());
      assertThat(m.layers().get(0).dataBytes()).isPresent();
    }
    AttestationsTest.assertReadWithoutBlobs(registry, "it/attest-inline", image.digest(), result.referrers());
    AttestationsTest.assertReadBack(registry, "it/attest-inline", image.digest(), result.referrers());
  }

  @Test
  void threePlatformIndexRecursive() throws Exception {
    String repo = "it/attest-multi";
    ImageManifest[] children = new ImageManifest[3];
    for (int i = 0; i < 3; i++) {
      children[i] = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 20 + i);
    }
    ImageIndex index = TestContent.index(children);
    registry.pushManifest(repo, index, PushOptions.tagged("v1"));

    AttachResult result = AttestFixtures.all(registry, repo, index.digest()).recursive().attach();
    assertThat(result.referrers()).hasSize(16);
    AttestationsTest.assertLayout(registry, repo, index, result.forSubject(index.digest()));
    AttestationsTest.assertReadBack(registry, repo, index.digest(), result.forSubject(index.digest()));
    for (ImageManifest child : children) {
      AttestationsTest.assertLayout(registry, repo, child, result.forSubject(child.digest()));
      AttestationsTest.assertReadBack(registry, repo, child.digest(), result.forSubject(child.digest()));
    }
    // The index itself is unchanged.
    assertThat(registry.resolve(repo, "v1").digest()).isEqualTo(index.digest());
    assertThat(result.referrers()).extracting(r -> r.descriptor().artifactType())
        .containsOnly(MediaTypes.SIGSTORE_BUNDLE_V03);
    assertThat(result.referrers()).extracting(AttachedReferrer::subject).extracting(Descriptor::mediaType)
        .contains(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);
  }
}
