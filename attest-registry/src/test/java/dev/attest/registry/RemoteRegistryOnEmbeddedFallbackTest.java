package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link RemoteRegistryContract} against the embedded registry without the referrers API (like 2.8.2): the tag-schema fallback. */
class RemoteRegistryOnEmbeddedFallbackTest extends RemoteRegistryContract {
  EmbeddedRegistry server;

  @Override
  RemoteRegistry.Builder startServer() {
    server = EmbeddedRegistry.builder().referrersApi(false).build().start();
    return RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous());
  }

  @Override
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  boolean referrersApi() {
    return false;
  }

  @Test
  void severalReferrersAreAddedToTheFallbackIndexInOneUpdate() throws Exception {
    String repo = "it/batched";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 61);
    ImageManifest first = TestContent.referrer(registry, repo, subject.descriptor(), "application/spdx+json", 1);
    ImageManifest second = TestContent.referrer(registry, repo, subject.descriptor(), MediaTypes.SIGSTORE_BUNDLE_V03, 2);
    ImageManifest third = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.test+json", 3);
    registry.pushManifest(repo, first);
    registry.pushManifest(repo, second, PushOptions.DEFAULT.withoutFallbackIndex());
    registry.pushManifest(repo, third, PushOptions.DEFAULT.withoutFallbackIndex());
    assertThat(registry.referrers(repo, subject.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(first.digest());

    // "first" is listed already and is not duplicated; "third" is named twice.
    registry.addToFallbackIndex(repo, subject.digest(),
        List.of(first.descriptor(), second.descriptor(), third.descriptor(), third.descriptor()));

    ImageIndex index = (ImageIndex) registry.fetchManifest(repo, subject.digest().tagSchemaTag());
    assertThat(index.manifests()).extracting(Descriptor::digest)
        .containsExactly(first.digest(), second.digest(), third.digest());
    assertThat(registry.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03))
        .extracting(Descriptor::digest).containsExactly(second.digest());
    assertThatThrownBy(() -> registry.addToFallbackIndex(repo, subject.digest(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no referrers");
  }
}
