package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.attest.core.AttestException;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Registry} contract, one test per guarantee its javadoc (and that of {@link
 * FallbackIndex} and {@link TagListing}) names, run against every implementation: {@link
 * RemoteRegistry} on the embedded registry with the referrers API on and off and on the real
 * distribution 2.8.2, {@link OciLayout}, and the embedded registry's own {@code Registry}. A
 * capability an implementation declares is tested; one it does not declare is asserted absent
 * only where the subclass says so.
 *
 * <p>Promotion and verification rely on these guarantees and nothing else, so a new
 * implementation that passes this suite can be a promotion's source or destination.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryContract {
  private static final AtomicInteger REPOS = new AtomicInteger();

  Registry registry;

  /** Starts (or creates) the storage and answers the Registry under test. */
  abstract Registry start() throws Exception;

  /** A second, independent {@code Registry} object of the same storage. */
  abstract Registry reopen() throws Exception;

  abstract void stop() throws Exception;

  /** Whether this storage indexes referrers itself (the referrers API answers pushes with OCI-Subject). */
  abstract boolean referrersApi();

  @BeforeAll
  void open() throws Exception {
    registry = start();
  }

  @AfterAll
  void close() throws Exception {
    if (registry != null) {
      registry.close();
    }
    stop();
  }

  /** A repository no other test of this class uses. */
  static String repo() {
    return "contract/r" + REPOS.incrementAndGet();
  }

  // ---------------------------------------------------------------- exact bytes, verified reads

  @Test
  void manifestsAreStoredAndServedAsTheirExactBytesByTagAndDigest() throws Exception {
    String repo = repo();
    ImageManifest image = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 1);
    // Unusual spacing and field order: a re-serialising storage would change the digest.
    String json = "{ \"schemaVersion\" : 2,\n  \"config\": " + descriptorJson(image.config())
        + ",\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\n\"layers\":[" + descriptorJson(image.layers().get(0))
        + "],\"annotations\":{\"b\":\"2\",\"a\":\"1\"}   }";
    Manifest odd = Manifest.parse(json.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
    registry.pushManifest(repo, odd, PushOptions.tagged("odd"));

    for (String ref : List.of("odd", odd.digest().toString())) {
      Manifest got = registry.fetchManifest(repo, ref);
      assertThat(got.bytes()).as(ref).isEqualTo(odd.bytes());
      assertThat(got.digest()).isEqualTo(odd.digest());
      assertThat(got.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      Descriptor d = registry.resolve(repo, ref);
      assertThat(d.digest()).isEqualTo(odd.digest());
      assertThat(d.size()).isEqualTo(odd.size());
      assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }
    assertThat(registry.hasManifest(repo, odd.digest())).isTrue();
  }

  @Test
  void aBlobStreamOnlyEndsWhenItsBytesMatchTheDescriptor() throws Exception {
    String repo = repo();
    byte[] data = TestContent.random(5000, 2);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    registry.pushBlob(repo, d, BlobSource.of(data));
    try (InputStream in = registry.fetchBlob(repo, d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    // The right digest with a wrong size: refused before any byte (a Content-Length check) or at
    // EOF, never read to a normal end.
    Descriptor wrongSize = Descriptor.of(d.mediaType(), d.digest(), d.size() - 1);
    assertThat(refusal(() -> readAll(repo, wrongSize))).isInstanceOf(DigestMismatchException.class);
    Descriptor longer = Descriptor.of(d.mediaType(), d.digest(), d.size() + 1);
    assertThat(refusal(() -> readAll(repo, longer))).isInstanceOf(DigestMismatchException.class);
  }

  @Test
  void whatIsNotThereIsNotFound() throws Exception {
    String repo = repo();
    ImageManifest image = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 3);
    Digest absent = Digest.sha256("absent".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> registry.resolve(repo, "no-such-tag")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> registry.fetchManifest(repo, absent.toString())).isInstanceOf(NotFoundException.class);
    assertThat(registry.hasManifest(repo, absent)).isFalse();
    assertThat(registry.hasBlob(repo, absent)).isFalse();
    assertThatThrownBy(() -> registry.fetchBlob(repo, Descriptor.of(MediaTypes.OCI_LAYER_TAR, absent, 6)))
        .isInstanceOf(NotFoundException.class);
    assertThat(registry.referrers(repo, image.digest(), null)).isEmpty();
  }

  @Test
  void aRepositoryNobodyWroteHasNoTags() throws Exception {
    String unknown = repo();
    Throwable listed = catchThrowable(() -> assertThat(registry.tags(unknown)).isEmpty());
    if (listed != null) {
      assertThat(listed).isInstanceOf(NotFoundException.class);
    }
    TagListing listing = registry.tagListing().orElse(null);
    if (listing != null) {
      Throwable small = catchThrowable(() -> assertThat(listing.tagsUpTo(unknown, 1).orElseThrow()).isEmpty());
      if (small != null) {
        assertThat(small).isInstanceOf(NotFoundException.class);
        assertThat(((NotFoundException) small).errorCode()).contains("NAME_UNKNOWN");
      }
    }
  }

  // ---------------------------------------------------------------- confirmed writes

  @Test
  void bytesThatDoNotMatchTheirDigestAreRefusedAndNothingIsStored() throws Exception {
    String repo = repo();
    byte[] data = TestContent.random(3000, 4);
    Descriptor claimed = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, TestContent.random(3000, 5));
    assertThat(refusal(() -> registry.pushBlob(repo, claimed, BlobSource.of(data))))
        .isInstanceOf(DigestMismatchException.class);
    assertThat(refusal(() -> registry.uploadBlob(repo, claimed, BlobSource.of(data))))
        .isInstanceOf(DigestMismatchException.class);
    assertThat(registry.hasBlob(repo, claimed.digest())).isFalse();
  }

  @Test
  void aBlobPushedUploadedOrStreamedIsThereWhenTheCallReturns() throws Exception {
    String repo = repo();
    byte[] a = TestContent.random(70_000, 6);
    Descriptor da = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, a);
    registry.uploadBlob(repo, da, BlobSource.of(a));
    assertThat(registry.hasBlob(repo, da.digest())).isTrue();
    // Again, with no question first: harmless.
    registry.uploadBlob(repo, da, BlobSource.of(a));
    registry.pushBlob(repo, da, BlobSource.of(a));
    assertThat(fetch(repo, da)).isEqualTo(a);

    byte[] s = TestContent.random(90_000, 7);
    Descriptor ds = registry.pushBlob(repo, MediaTypes.OCI_LAYER_TAR, new ByteArrayInputStream(s));
    assertThat(ds).isEqualTo(Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, s));
    assertThat(registry.hasBlob(repo, ds.digest())).isTrue();
    assertThat(fetch(repo, ds)).isEqualTo(s);
  }

  @Test
  void aManifestNeedsItsBlobsFirst() throws Exception {
    String repo = repo();
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    registry.pushBlob(repo, c, BlobSource.of(config));
    Descriptor missing = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, TestContent.random(100, 8));
    ImageManifest m = ImageManifest.builder().config(c).layer(missing).build();
    assertThatThrownBy(() -> registry.pushManifest(repo, m)).isInstanceOf(AttestException.class);
    assertThat(registry.hasManifest(repo, m.digest())).isFalse();
  }

  @Test
  void aMountThatAnswersTrueLeavesTheBlobInTheRepository() throws Exception {
    String from = repo();
    String to = repo();
    byte[] data = TestContent.random(4096, 9);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    registry.pushBlob(from, d, BlobSource.of(data));
    if (registry.mountBlob(to, d.digest(), from)) {
      assertThat(registry.hasBlob(to, d.digest())).isTrue();
      assertThat(fetch(to, d)).isEqualTo(data);
    }
    // A blob the source repository lacks is never "mounted".
    Descriptor absent = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, TestContent.random(10, 10));
    assertThat(registry.mountBlob(to, absent.digest(), from)).isFalse();
  }

  // ---------------------------------------------------------------- tags and deletes

  @Test
  void aTagPointsAtOneManifestAndMovesWhenRetagged() throws Exception {
    String repo = repo();
    ImageManifest one = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 11);
    ImageManifest two = TestContent.pushImage(registry, repo, MediaTypes.DOCKER_MANIFEST, 12);
    registry.tag(repo, one.descriptor(), "t");
    assertThat(registry.resolve(repo, "t").digest()).isEqualTo(one.digest());
    registry.tag(repo, two.descriptor(), "t");
    assertThat(registry.resolve(repo, "t").digest()).isEqualTo(two.digest());
    assertThat(registry.resolve(repo, "t").mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    registry.tag(repo, one.descriptor(), "u");
    assertThat(registry.tags(repo)).contains("t", "u");
  }

  @Test
  void deleteRemovesAManifestOrABlobAndFailsOnNeither() throws Exception {
    String repo = repo();
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 13);
    registry.delete(repo, m.digest());
    assertThat(registry.hasManifest(repo, m.digest())).isFalse();
    Descriptor layer = m.layers().get(0);
    registry.delete(repo, layer.digest());
    assertThat(registry.hasBlob(repo, layer.digest())).isFalse();
    assertThatThrownBy(() -> registry.delete(repo, layer.digest())).isInstanceOf(NotFoundException.class);
  }

  // ---------------------------------------------------------------- referrers

  @Test
  void referrersAreListedOnceEachWithTheirArtifactTypeAndAnnotations() throws Exception {
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 14);
    ImageManifest sbom = TestContent.referrer(registry, repo, subject.descriptor(), "application/spdx+json", 1);
    ImageManifest sig = TestContent.referrer(registry, repo, subject.descriptor(), MediaTypes.SIGSTORE_BUNDLE_V03, 2);
    PushResult pushed = registry.pushManifest(repo, sbom);
    registry.pushManifest(repo, sig);
    assertThat(pushed.referrersApi()).isEqualTo(referrersApi());
    assertThat(pushed.fallbackIndexUpdated()).isEqualTo(!referrersApi());
    registry.pushManifest(repo, sbom); // again: not listed twice

    List<Descriptor> all = registry.referrers(repo, subject.digest(), null);
    assertThat(all).extracting(Descriptor::digest).containsExactlyInAnyOrder(sbom.digest(), sig.digest());
    Descriptor entry = all.stream().filter(d -> d.digest().equals(sbom.digest())).findFirst().orElseThrow();
    assertThat(entry.artifactType()).isEqualTo("application/spdx+json");
    assertThat(entry.annotations()).containsEntry("dev.attest.n", "1");
    assertThat(entry.size()).isEqualTo(sbom.size());
    assertThat(registry.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03))
        .extracting(Descriptor::digest).containsExactly(sig.digest());
    assertThat(registry.referrers(repo, subject.digest(), "application/none")).isEmpty();
  }

  @Test
  void referrersAreTheUnionOfTheApiAndTheFallbackIndex() throws Exception {
    FallbackIndex index = registry.fallbackIndex().orElse(null);
    if (index == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 15);
    ImageManifest byPush = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.a", 1);
    ImageManifest byIndex = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.b", 2);
    registry.pushManifest(repo, byPush);
    registry.pushManifest(repo, byIndex, PushOptions.DEFAULT.withoutFallbackIndex());
    index.add(repo, subject.digest(), List.of(byIndex.descriptor(), byPush.descriptor()), false);
    assertThat(registry.referrers(repo, subject.digest(), null)).extracting(Descriptor::digest)
        .containsExactlyInAnyOrder(byPush.digest(), byIndex.digest());
  }

  // ---------------------------------------------------------------- FallbackIndex

  @Test
  void fallbackIndexAddListsEveryReferrerOnceAndKeepsWhatWasThere() throws Exception {
    FallbackIndex index = registry.fallbackIndex().orElse(null);
    if (index == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 16);
    List<ImageManifest> refs = pushUnindexed(repo, subject, 3);
    index.add(repo, subject.digest(), List.of(refs.get(0).descriptor()), false);
    // Another writer's entry (0) is kept; 2 named twice is listed once; 0 again is left as it is.
    index.add(repo, subject.digest(),
        List.of(refs.get(1).descriptor(), refs.get(2).descriptor(), refs.get(2).descriptor(), refs.get(0).descriptor()),
        false);
    ImageIndex written = (ImageIndex) registry.fetchManifest(repo, subject.digest().tagSchemaTag());
    assertThat(written.manifests()).extracting(Descriptor::digest)
        .containsExactly(refs.get(0).digest(), refs.get(1).digest(), refs.get(2).digest());
    assertThat(written.manifests().get(1).artifactType()).isEqualTo("application/vnd.test+json");
    assertThat(registry.referrers(repo, subject.digest(), null)).hasSize(3);
    assertThatThrownBy(() -> index.add(repo, subject.digest(), List.of(), false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Concurrent writers of one index: each keeps what the others add meanwhile. */
  @Test
  void concurrentFallbackIndexUpdatesLoseNoEntry() throws Exception {
    FallbackIndex index = registry.fallbackIndex().orElse(null);
    if (index == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 23);
    List<ImageManifest> refs = pushUnindexed(repo, subject, 8);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(refs.size());
    try {
      List<java.util.concurrent.Future<Object>> done = new java.util.ArrayList<>();
      for (ImageManifest r : refs) {
        done.add(pool.submit(() -> {
          index.add(repo, subject.digest(), List.of(r.descriptor()), false);
          return null;
        }));
      }
      for (java.util.concurrent.Future<Object> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    ImageIndex written = (ImageIndex) registry.fetchManifest(repo, subject.digest().tagSchemaTag());
    assertThat(written.manifests()).extracting(Descriptor::digest)
        .containsExactlyInAnyOrderElementsOf(refs.stream().map(ImageManifest::digest).toList());
  }

  @Test
  void fallbackIndexAddForANewSubjectCreatesItsIndex() throws Exception {
    FallbackIndex index = registry.fallbackIndex().orElse(null);
    if (index == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 17);
    List<ImageManifest> refs = pushUnindexed(repo, subject, 2);
    index.add(repo, subject.digest(), List.of(refs.get(0).descriptor(), refs.get(1).descriptor()), true);
    assertThat(registry.referrers(repo, subject.digest(), null)).extracting(Descriptor::digest)
        .containsExactlyInAnyOrder(refs.get(0).digest(), refs.get(1).digest());
  }

  @Test
  void fallbackIndexUpdateDropsOnlyTheNamedEntriesAndWritesNothingWhenItAgrees() throws Exception {
    FallbackIndex index = registry.fallbackIndex().orElse(null);
    if (index == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 18);
    List<ImageManifest> refs = pushUnindexed(repo, subject, 3);
    String tag = subject.digest().tagSchemaTag();

    // Nothing to drop and no index: none is created.
    index.update(repo, subject.digest(), List.of(), Set.of(refs.get(0).digest()));
    assertThatThrownBy(() -> registry.resolve(repo, tag)).isInstanceOf(NotFoundException.class);

    index.add(repo, subject.digest(), List.of(refs.get(0).descriptor(), refs.get(1).descriptor()), false);
    index.update(repo, subject.digest(), List.of(refs.get(2).descriptor()), Set.of(refs.get(0).digest()));
    assertThat(((ImageIndex) registry.fetchManifest(repo, tag)).manifests()).extracting(Descriptor::digest)
        .containsExactly(refs.get(1).digest(), refs.get(2).digest());

    // The index already agrees: not rewritten.
    Digest before = registry.resolve(repo, tag).digest();
    index.update(repo, subject.digest(), List.of(refs.get(1).descriptor()), Set.of(refs.get(0).digest()));
    index.update(repo, subject.digest(), List.of(), Set.of());
    assertThat(registry.resolve(repo, tag).digest()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- TagListing

  @Test
  void tagListingListsASmallRepositoryInFullAndGivesUpAboveMax() throws Exception {
    TagListing listing = registry.tagListing().orElse(null);
    if (listing == null) {
      return;
    }
    String repo = repo();
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 19);
    for (String t : List.of("a", "b", "c")) {
      registry.tag(repo, m.descriptor(), t);
    }
    assertThat(listing.tagsUpTo(repo, 3).orElseThrow()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(listing.tagsUpTo(repo, 10).orElseThrow()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(listing.tagsUpTo(repo, 2)).isEmpty();
    assertThatThrownBy(() -> listing.tagsUpTo(repo, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void referrersWithAListingFindWhatTheListingShows() throws Exception {
    TagListing listing = registry.tagListing().orElse(null);
    if (listing == null) {
      return;
    }
    String repo = repo();
    ImageManifest subject = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 20);
    ImageManifest ref = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.c", 1);
    registry.pushManifest(repo, ref);
    List<String> tags = listing.tagsUpTo(repo, 100).orElseThrow();
    assertThat(listing.referrers(repo, subject.digest(), null, tags)).extracting(Descriptor::digest)
        .containsExactly(ref.digest());
    assertThat(listing.referrers(repo, subject.digest(), "application/none", tags)).isEmpty();
  }

  // ---------------------------------------------------------------- storage identity, remembered locations

  @Test
  void anotherObjectOfTheSameStorageIsTheSameStorageAndAnotherStorageIsNot(@TempDir Path elsewhere)
      throws Exception {
    assertThat(registry.sameStorage(registry)).isTrue();
    try (Registry again = reopen(); Registry other = OciLayout.create(elsewhere.resolve("other"))) {
      assertThat(registry.sameStorage(again)).isTrue();
      assertThat(again.sameStorage(registry)).isTrue();
      assertThat(registry.sameStorage(other)).isFalse();
      assertThat(other.sameStorage(registry)).isFalse();
      // So a blob of one is mountable through the other.
      String from = repo();
      byte[] data = TestContent.random(1000, 21);
      Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
      registry.pushBlob(from, d, BlobSource.of(data));
      String to = repo();
      if (again.mountBlob(to, d.digest(), from)) {
        assertThat(registry.hasBlob(to, d.digest())).isTrue();
      }
    }
  }

  @Test
  void aKnownRepositoryIsOneWhereTheBlobWasSeen() throws Exception {
    String a = repo();
    byte[] data = TestContent.random(1000, 22);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    assertThat(registry.knownRepository(d.digest())).isEmpty();
    registry.pushBlob(a, d, BlobSource.of(data));
    Optional<String> known = registry.knownRepository(d.digest());
    known.ifPresent(r -> assertThat(r).isEqualTo(a));
    if (known.isPresent()) {
      // It may be stale: a mount from there is asked, and may be refused, never assumed.
      registry.delete(a, d.digest());
      String b = repo();
      assertThat(registry.mountBlob(b, d.digest(), known.get())).isFalse();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Referrers of {@code subject} pushed without touching its index. */
  private List<ImageManifest> pushUnindexed(String repo, ImageManifest subject, int n) throws AttestException {
    List<ImageManifest> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      ImageManifest r = TestContent.referrer(registry, repo, subject.descriptor(), "application/vnd.test+json", i);
      registry.pushManifest(repo, r, PushOptions.DEFAULT.withoutFallbackIndex());
      out.add(r);
    }
    return out;
  }

  private byte[] fetch(String repo, Descriptor d) throws AttestException, IOException {
    try (InputStream in = registry.fetchBlob(repo, d)) {
      return in.readAllBytes();
    }
  }

  private void readAll(String repo, Descriptor d) throws AttestException, IOException {
    try (InputStream in = registry.fetchBlob(repo, d)) {
      in.readAllBytes();
    }
  }

  /** What a call threw, unwrapped from the IOException a verifying stream throws at EOF. */
  private static Throwable refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).as("refused").isNotNull();
    return DigestMismatchException.in(t).<Throwable>map(e -> e).orElse(t);
  }

  private static String descriptorJson(Descriptor d) {
    return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
  }
}
