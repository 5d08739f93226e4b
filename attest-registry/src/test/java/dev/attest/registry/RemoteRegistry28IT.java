package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.testing.DockerRegistry;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every client operation against the real distribution 2.8.2 server. */
class RemoteRegistry28IT {
  static DockerRegistry server;
  static RemoteRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    server = DockerRegistry.start();
    registry = RemoteRegistry.builder(server.hostPort())
        .chunking(64 * 1024, 100 * 1024).streamBuffer(64 * 1024)
        .pageSize(2)
        .build();
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

  @ParameterizedTest
  @ValueSource(strings = {MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST})
  void pushFetchResolveByTagAndDigest(String mediaType) throws Exception {
    String repo = "it/manifests";
    ImageManifest m = TestContent.pushImage(registry, repo, mediaType, mediaType.hashCode());
    registry.pushManifest(repo, m, PushOptions.tagged("v-" + Math.abs(mediaType.hashCode())));
    String tag = "v-" + Math.abs(mediaType.hashCode());

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
  }

  @ParameterizedTest
  @ValueSource(strings = {MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST})
  void indexOfThreePlatforms(String indexType) throws Exception {
    String repo = "it/multi";
    String childType = indexType.equals(MediaTypes.OCI_INDEX) ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    ImageManifest[] children = new ImageManifest[3];
    for (int i = 0; i < 3; i++) {
      children[i] = TestContent.pushImage(registry, repo, childType, 100 + i + indexType.length());
    }
    ImageIndex idx = TestContent.index(children);
    if (indexType.equals(MediaTypes.DOCKER_MANIFEST_LIST)) {
      ImageIndex.Builder b = ImageIndex.builder().mediaType(MediaTypes.DOCKER_MANIFEST_LIST);
      idx.manifests().forEach(b::manifest);
      idx = b.build();
    }
    String tag = indexType.equals(MediaTypes.OCI_INDEX) ? "oci-multi" : "docker-multi";
    registry.pushManifest(repo, idx, PushOptions.tagged(tag));

    Manifest fetched = registry.fetchManifest(repo, tag);
    assertThat(fetched).isInstanceOf(ImageIndex.class);
    assertThat(fetched.digest()).isEqualTo(idx.digest());
    assertThat(((ImageIndex) fetched).manifests()).hasSize(3);
    assertThat(registry.resolve(repo, tag).digest()).isEqualTo(idx.digest());
  }

  @Test
  void blobsMonolithicChunkedAndStreamed() throws Exception {
    String repo = "it/blobs";
    for (int size : new int[] {0, 50 * 1024, 1024 * 1024 + 17}) {
      byte[] data = TestContent.random(size, size);
      Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, data);
      registry.pushBlob(repo, d, BlobSource.of(data));
      assertThat(registry.hasBlob(repo, d.digest())).as("blob of %d bytes", size).isTrue();
      try (InputStream in = registry.fetchBlob(repo, d)) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
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
        .isInstanceOf(dev.attest.core.DigestMismatchException.class)
        .hasMessageContaining(claimed.digest().toString());
    assertThat(registry.hasBlob("it/bad", claimed.digest())).isFalse();
  }

  @Test
  void mountFromAnotherRepository() throws Exception {
    byte[] data = TestContent.random(4096, 77);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    registry.pushBlob("it/mount-src", d, BlobSource.of(data));
    assertThat(registry.mountBlob("it/mount-dst", d.digest(), "it/mount-src")).isTrue();
    assertThat(registry.hasBlob("it/mount-dst", d.digest())).isTrue();

    byte[] other = TestContent.random(4096, 78);
    Descriptor o = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, other);
    assertThat(registry.mountBlob("it/mount-dst", o.digest(), "it/mount-src")).isFalse();
    registry.mountOrPushBlob("it/mount-dst", o, "it/mount-src", BlobSource.of(other));
    assertThat(registry.hasBlob("it/mount-dst", o.digest())).isTrue();
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
  void referrersThroughTheTagSchemaFallback() throws Exception {
    String repo = "it/referrers";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 31);
    ImageManifest sbom = TestContent.referrer(registry, repo, subject.descriptor(), "application/spdx+json", 1);
    ImageManifest sig = TestContent.referrer(registry, repo, subject.descriptor(), MediaTypes.SIGSTORE_BUNDLE_V03, 2);
    PushResult r1 = registry.pushManifest(repo, sbom);
    registry.pushManifest(repo, sig);
    assertThat(r1.referrersApi()).isFalse();
    assertThat(r1.fallbackIndexUpdated()).isTrue();

    List<Descriptor> all = registry.referrers(repo, subject.digest(), null);
    assertThat(all).extracting(Descriptor::digest).containsExactlyInAnyOrder(sbom.digest(), sig.digest());
    Descriptor entry = all.stream().filter(d -> d.digest().equals(sbom.digest())).findFirst().orElseThrow();
    assertThat(entry.artifactType()).isEqualTo("application/spdx+json");
    assertThat(entry.annotations()).containsEntry("dev.attest.n", "1");
    assertThat(registry.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03))
        .extracting(Descriptor::digest).containsExactly(sig.digest());
    assertThat(registry.tags(repo)).contains(subject.digest().tagSchemaTag());
    // Pushing the same referrer again does not duplicate it.
    registry.pushManifest(repo, sbom);
    assertThat(registry.referrers(repo, subject.digest(), null)).hasSize(2);
  }

  @Test
  void fiftyConcurrentAttachersAreAllFound() throws Exception {
    String repo = "it/concurrent";
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 50);
    // 2.8.2 rewrites blob link files non-atomically: concurrent uploads of one blob can make a
    // concurrent manifest PUT fail with DIGEST_INVALID. Real attachers share only this one.
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

  @Test
  void contentSurvivesAKillAndRestart() throws Exception {
    String repo = "it/restart";
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 404);
    server.kill();
    assertThatThrownBy(() -> RemoteRegistry.builder(server.hostPort()).retries(0).build().hasManifest(repo, m.digest()))
        .isInstanceOf(RegistryUnreachableException.class);
    server.restart();
    assertThat(registry.fetchManifest(repo, m.digest().toString()).bytes()).isEqualTo(m.bytes());
  }
}
