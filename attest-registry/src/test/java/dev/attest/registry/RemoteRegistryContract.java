package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@link RemoteRegistry} operation, run against each registry a subclass starts: the real
 * distribution 2.8.2 ({@link RemoteRegistry28IT}) and the embedded registry with the referrers API
 * on ({@link RemoteRegistryOnEmbeddedApiTest}) and off ({@link RemoteRegistryOnEmbeddedFallbackTest}).
 *
 * <p>Small chunk and buffer sizes make the chunked paths run with small blobs; a page size of 2
 * makes tag listing page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteRegistryContract {
  RemoteRegistry registry;

  /** Starts the server and answers a client builder for it. */
  abstract RemoteRegistry.Builder startServer() throws Exception;

  abstract void stopServer() throws Exception;

  /** Whether the server has the referrers API. */
  abstract boolean referrersApi();

  @BeforeAll
  void open() throws Exception {
    registry = startServer().chunking(64 * 1024, 100 * 1024).streamBuffer(64 * 1024).pageSize(2).build();
  }

  @AfterAll
  void close() throws Exception {
    if (registry != null) {
      registry.close();
    }
    stopServer();
  }

  @ParameterizedTest
  @ValueSource(strings = {MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST})
  void pushFetchResolveByTagAndDigest(String mediaType) throws Exception {
    String repo = "it/manifests";
    ImageManifest m = TestContent.pushImage(registry, repo, mediaType, mediaType.hashCode());
    String tag = "v-" + Math.abs(mediaType.hashCode());
    registry.pushManifest(repo, m, PushOptions.tagged(tag));

    Manifest byTag = registry.fetchManifest(repo, tag);
    Manifest byDigest = registry.fetchManifest(repo, m.digest().toString());
    assertThat(byTag.bytes()).isEqualTo(m.bytes());
    assertThat(byDigest.bytes()).isEqualTo(m.bytes());
    assertThat(byTag.mediaType()).isEqualTo(mediaType);

    Descriptor resolved = registry.resolve(repo, tag);
    assertThat(resolved.digest()).isEqualTo(m.digest());
    assertThat(resolved.size()).isEqualTo(m.size());
    assertThat(resolved.mediaType()).isEqualTo(mediaType);
    assertThat(registry.resolve(repo, m.digest().toString()).digest()).isEqualTo(m.digest());
    assertThat(registry.hasManifest(repo, m.digest())).isTrue();
    assertThatThrownBy(() -> registry.resolve(repo, "no-such-tag")).isInstanceOf(NotFoundException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST})
  void indexOfThreePlatforms(String indexType) throws Exception {
    String repo = "it/multi";
    boolean oci = indexType.equals(MediaTypes.OCI_INDEX);
    String childType = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    ImageManifest[] children = new ImageManifest[3];
    for (int i = 0; i < 3; i++) {
      children[i] = TestContent.pushImage(registry, repo, childType, 100 + i + indexType.length());
    }
    ImageIndex idx = TestContent.index(children);
    if (!oci) {
      ImageIndex.Builder b = ImageIndex.builder().mediaType(MediaTypes.DOCKER_MANIFEST_LIST);
      idx.manifests().forEach(b::manifest);
      idx = b.build();
    }
    String tag = oci ? "oci-multi" : "docker-multi";
    registry.pushManifest(repo, idx, PushOptions.tagged(tag));

    Manifest fetched = registry.fetchManifest(repo, tag);
    assertThat(fetched).isInstanceOf(ImageIndex.class);
    assertThat(fetched.mediaType()).isEqualTo(indexType);
    assertThat(fetched.bytes()).isEqualTo(idx.bytes());
    assertThat(((ImageIndex) fetched).manifests()).extracting(d -> d.platform().architecture())
        .containsExactly("amd64", "arm64", "s390x");
    assertThat(registry.resolve(repo, tag).digest()).isEqualTo(idx.digest());
    for (ImageManifest child : children) {
      assertThat(registry.fetchManifest(repo, child.digest().toString()).bytes()).isEqualTo(child.bytes());
    }
  }

  @Test
  void blobsMonolithicChunkedAndOfUnknownSize() throws Exception {
    String repo = "it/blobs";
    // 0 and 50 KiB: one PUT; 1 MiB + 17: 64 KiB PATCH chunks.
    for (int size : new int[] {0, 50 * 1024, 1024 * 1024 + 17}) {
      byte[] data = TestContent.random(size, size);
      Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, data);
      registry.pushBlob(repo, d, BlobSource.of(data));
      assertThat(registry.hasBlob(repo, d.digest())).as("blob of %d bytes", size).isTrue();
      try (InputStream in = registry.fetchBlob(repo, d)) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
    // Unknown size: one buffer (one PUT), and several buffers (PATCH chunks).
    for (int size : new int[] {10 * 1024, 300 * 1024 + 5}) {
      byte[] data = TestContent.random(size, -size);
      Descriptor d = registry.pushBlob(repo, MediaTypes.OCI_LAYER_TAR, new ByteArrayInputStream(data));
      assertThat(d.digest()).isEqualTo(Digest.sha256(data));
      assertThat(d.size()).isEqualTo(size);
      try (InputStream in = registry.fetchBlob(repo, d)) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
  }

  @Test
  void uploadOfWrongBytesIsRefused() throws Exception {
    byte[] data = TestContent.random(1000, 5);
    Descriptor claimed = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, TestContent.random(1000, 6));
    assertThatThrownBy(() -> registry.pushBlob("it/bad", claimed, BlobSource.of(data)))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(claimed.digest().toString());
    assertThat(registry.hasBlob("it/bad", claimed.digest())).isFalse();
  }

  @Test
  void mountFromAnotherRepositoryAnswers201Or202() throws Exception {
    byte[] data = TestContent.random(4096, 77);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    registry.pushBlob("it/mount-src", d, BlobSource.of(data));
    // 201: mounted.
    assertThat(registry.mountBlob("it/mount-dst", d.digest(), "it/mount-src")).isTrue();
    assertThat(registry.hasBlob("it/mount-dst", d.digest())).isTrue();
    // The client remembers where it last saw the blob, to mount it from there next time.
    assertThat(registry.knownRepository(d.digest())).contains("it/mount-dst");

    // 202: the source lacks the blob, so the registry opens an upload, which mountOrPushBlob uses.
    byte[] other = TestContent.random(4096, 78);
    Descriptor o = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, other);
    assertThat(registry.mountBlob("it/mount-dst", o.digest(), "it/mount-src")).isFalse();
    assertThat(registry.hasBlob("it/mount-dst", o.digest())).isFalse();
    assertThat(registry.knownRepository(o.digest())).isEmpty();
    registry.mountOrPushBlob("it/mount-dst", o, "it/mount-src", BlobSource.of(other));
    assertThat(registry.knownRepository(o.digest())).contains("it/mount-dst");
    try (InputStream in = registry.fetchBlob("it/mount-dst", o)) {
      assertThat(in.readAllBytes()).isEqualTo(other);
    }
  }

  @Test
  void tagsArePagedAndDeleteWorksByDigest() throws Exception {
    String repo = "it/tags";
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 9);
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      registry.tag(repo, m.descriptor(), "t" + i);
      want.add("t" + i);
    }
    assertThat(registry.tags(repo)).containsExactlyInAnyOrderElementsOf(want);

    registry.delete(repo, m.digest());
    assertThat(registry.hasManifest(repo, m.digest())).isFalse();
    assertThatThrownBy(() -> registry.fetchManifest(repo, m.digest().toString())).isInstanceOf(NotFoundException.class);
    Descriptor layer = m.layers().get(0);
    registry.delete(repo, layer.digest());
    assertThat(registry.hasBlob(repo, layer.digest())).isFalse();
    assertThatThrownBy(() -> registry.delete(repo, layer.digest())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void referrersWithArtifactTypeFilterAndAnnotations() throws Exception {
    String repo = "it/referrers";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 31);
    ImageManifest sbom = TestContent.referrer(registry, repo, subject.descriptor(), "application/spdx+json", 1);
    ImageManifest sig = TestContent.referrer(registry, repo, subject.descriptor(), MediaTypes.SIGSTORE_BUNDLE_V03, 2);
    PushResult r1 = registry.pushManifest(repo, sbom);
    registry.pushManifest(repo, sig);
    // With the API the registry confirms the subject (OCI-Subject) and no fallback index is written.
    assertThat(r1.referrersApi()).isEqualTo(referrersApi());
    assertThat(r1.fallbackIndexUpdated()).isEqualTo(!referrersApi());
    if (referrersApi()) {
      assertThat(registry.tags(repo)).doesNotContain(subject.digest().tagSchemaTag());
    } else {
      assertThat(registry.tags(repo)).contains(subject.digest().tagSchemaTag());
    }

    List<Descriptor> all = registry.referrers(repo, subject.digest(), null);
    assertThat(all).extracting(Descriptor::digest).containsExactlyInAnyOrder(sbom.digest(), sig.digest());
    Descriptor entry = all.stream().filter(d -> d.digest().equals(sbom.digest())).findFirst().orElseThrow();
    assertThat(entry.artifactType()).isEqualTo("application/spdx+json");
    assertThat(entry.annotations()).containsEntry("dev.attest.n", "1");
    assertThat(entry.size()).isEqualTo(sbom.size());
    assertThat(registry.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03))
        .extracting(Descriptor::digest).containsExactly(sig.digest());
    assertThat(registry.referrers(repo, subject.digest(), "application/none")).isEmpty();
    // Pushing the same referrer again does not duplicate it.
    registry.pushManifest(repo, sbom);
    assertThat(registry.referrers(repo, subject.digest(), null)).hasSize(2);
  }

  /**
   * 2.8.2 rewrites blob link files non-atomically: concurrent uploads of one blob can make a
   * concurrent manifest PUT fail with DIGEST_INVALID. Real attachers share only the empty config,
   * so it is pushed once first (ADR 0008); each attacher's own layer is unique.
   */
  @Test
  void fiftyConcurrentAttachersAreAllFound() throws Exception {
    String repo = "it/concurrent";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 50);
    registry.pushBlob(repo, Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Callable<Digest>> tasks = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        int n = i;
        tasks.add(() -> {
          ImageManifest ref = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.test+json", n);
          return registry.pushManifest(repo, ref).descriptor().digest();
        });
      }
      List<Digest> pushed = new ArrayList<>();
      for (Future<Digest> f : pool.invokeAll(tasks)) {
        pushed.add(f.get());
      }
      List<Digest> found = registry.referrers(repo, subject.digest(), null).stream()
          .map(Descriptor::digest).collect(Collectors.toList());
      assertThat(found).hasSize(50).containsExactlyInAnyOrderElementsOf(pushed);
    } finally {
      pool.shutdownNow();
    }
  }
}
