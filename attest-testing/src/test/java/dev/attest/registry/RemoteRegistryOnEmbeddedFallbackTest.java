package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.testing.EmbeddedRegistry;
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
    registry.fallbackIndex().orElseThrow().add(repo, subject.digest(),
        List.of(first.descriptor(), second.descriptor(), third.descriptor(), third.descriptor()), false);

    ImageIndex index = (ImageIndex) registry.fetchManifest(repo, subject.digest().tagSchemaTag());
    assertThat(index.manifests()).extracting(Descriptor::digest)
        .containsExactly(first.digest(), second.digest(), third.digest());
    assertThat(registry.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03))
        .extracting(Descriptor::digest).containsExactly(second.digest());
    assertThatThrownBy(() -> registry.fallbackIndex().orElseThrow().add(repo, subject.digest(), List.of(), false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no referrers");
  }

  /**
   * ADR 0016: the index of a subject the caller has just created is read once and confirmed once;
   * otherwise (and when an index turns out to exist) a "not found" is read twice and the entry is
   * confirmed twice (ADR 0008).
   */
  @Test
  void theIndexOfANewSubjectIsReadOnceAndConfirmedOnce() throws Exception {
    String repo = "it/new-subject";
    List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    RegistryListener record = e -> {
      if (e instanceof RegistryEvent.ResponseReceived r && r.url().contains("/manifests/sha256-")) {
        calls.add(r.method() + " " + r.status());
      }
    };
    try (RemoteRegistry counted = RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous())
        .listener(record).build()) {
      ImageManifest fresh = TestContent.pushImage(counted, repo, MediaTypes.OCI_MANIFEST, 71);
      ImageManifest a = TestContent.referrer(counted, repo, fresh.descriptor(), "application/vnd.test+json", 1);
      ImageManifest b = TestContent.referrer(counted, repo, fresh.descriptor(), "application/vnd.test+json", 2);
      counted.pushManifest(repo, a, PushOptions.DEFAULT.withoutFallbackIndex());
      counted.pushManifest(repo, b, PushOptions.DEFAULT.withoutFallbackIndex());
      calls.clear();
      counted.fallbackIndex().orElseThrow().add(repo, fresh.digest(), List.of(a.descriptor(), b.descriptor()), true);
      assertThat(calls).containsExactly("GET 404", "PUT 201", "GET 200");

      // An index that exists although the subject is new: someone else writes it, full procedure.
      ImageManifest c = TestContent.referrer(counted, repo, fresh.descriptor(), "application/vnd.test+json", 3);
      counted.pushManifest(repo, c, PushOptions.DEFAULT.withoutFallbackIndex());
      calls.clear();
      counted.fallbackIndex().orElseThrow().add(repo, fresh.digest(), List.of(c.descriptor()), true);
      assertThat(calls).containsExactly("GET 200", "PUT 201", "GET 200", "GET 200");

      // A subject that was there before: a "not found" is read twice, the entry confirmed twice.
      ImageManifest old = TestContent.pushImage(counted, repo, MediaTypes.OCI_MANIFEST, 72);
      ImageManifest d = TestContent.referrer(counted, repo, old.descriptor(), "application/vnd.test+json", 4);
      counted.pushManifest(repo, d, PushOptions.DEFAULT.withoutFallbackIndex());
      calls.clear();
      counted.fallbackIndex().orElseThrow().add(repo, old.digest(), List.of(d.descriptor()), false);
      assertThat(calls).containsExactly("GET 404", "GET 404", "PUT 201", "GET 200", "GET 200");

      assertThat(counted.referrers(repo, fresh.digest(), null)).extracting(Descriptor::digest)
          .containsExactlyInAnyOrder(a.digest(), b.digest(), c.digest());
      assertThat(counted.referrers(repo, old.digest(), null)).extracting(Descriptor::digest)
          .containsExactly(d.digest());
    }
  }
}
