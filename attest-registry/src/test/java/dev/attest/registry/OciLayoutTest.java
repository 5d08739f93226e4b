package dev.attest.registry;

import static dev.attest.registry.LayoutFixtures.pushImage;
import static dev.attest.registry.LayoutFixtures.pushIndex;
import static dev.attest.registry.LayoutFixtures.pushReferrer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
  private static final String REPO = "team/app";
  private static final String SBOM = "application/vnd.cyclonedx+json";
  private static final String BUNDLE = MediaTypes.SIGSTORE_BUNDLE_V03;

  @TempDir Path dir;
  private OciLayout layout;

  @BeforeEach
  void create() throws Exception {
    layout = OciLayout.create(dir.resolve("layout"));
  }

  private Path root() {
    return layout.directory();
  }

  private JsonNode indexJson() throws IOException {
    return Json.read(Files.readAllBytes(root().resolve("index.json")));
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> s = Files.list(root())) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private List<Path> blobFiles() throws IOException {
    try (Stream<Path> s = Files.walk(root().resolve("blobs"))) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  private long indexBlobs() throws IOException {
    return blobFiles().stream().filter(p -> {
      try {
        return Manifest.parse(Files.readAllBytes(p)) instanceof ImageIndex;
      } catch (Exception e) {
        return false;
      }
    }).count();
  }

  // ---- the layout itself ----

  @Test
  void createWritesTheSpecFilesAndOpenReadsThem() throws Exception {
    assertThat(Files.readString(root().resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    JsonNode index = indexJson();
    assertThat(index.get("schemaVersion").asInt()).isEqualTo(2);
    assertThat(index.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(index.get("manifests")).isEmpty();
    assertThat(Files.isDirectory(root().resolve("blobs/sha256"))).isTrue();
    assertThat(OciLayout.open(root()).name()).isEqualTo("oci:" + root());
    // create on an existing layout opens it
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    assertThat(OciLayout.create(root()).resolve(REPO, "v1").digest()).isEqualTo(m.digest());
  }

  @Test
  void refusesWhatIsNotALayout() throws Exception {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    assertThatThrownBy(() -> OciLayout.open(plain)).isInstanceOf(NotFoundException.class).hasMessageContaining("oci-layout");
    Files.writeString(plain.resolve("file"), "x");
    assertThatThrownBy(() -> OciLayout.create(plain)).isInstanceOf(RegistryException.class).hasMessageContaining("not empty");
    Files.writeString(plain.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
    Files.writeString(plain.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
    assertThatThrownBy(() -> OciLayout.open(plain)).hasMessageContaining("unsupported imageLayoutVersion '2.0.0'");
  }

  @Test
  void rejectsMalformedArguments() {
    assertThatThrownBy(() -> layout.tags("Team/App")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> layout.resolve(REPO, "bad tag")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> layout.resolve(REPO, "sha256:abc")).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- manifests ----

  @Test
  void imageManifestRoundTripsByTagAndDigest() throws Exception {
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));

    Path file = root().resolve("blobs/sha256/" + m.digest().hex());
    assertThat(Files.readAllBytes(file)).isEqualTo(m.bytes());
    assertThat(layout.fetchManifest(REPO, "v1").bytes()).isEqualTo(m.bytes());
    assertThat(layout.fetchManifest(REPO, m.digest().toString()).bytes()).isEqualTo(m.bytes());
    assertThat(layout.resolve(REPO, "v1")).isEqualTo(m.plainDescriptor());
    assertThat(layout.resolve(REPO, m.digest().toString())).isEqualTo(m.plainDescriptor());
    assertThat(layout.hasManifest(REPO, m.digest())).isTrue();

    JsonNode entry = indexJson().get("manifests").get(0);
    assertThat(entry.get("digest").asText()).isEqualTo(m.digest().toString());
    assertThat(entry.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(entry.get("annotations").get(OciLayout.REF_NAME).asText()).isEqualTo("v1");
    assertThat(entry.get("annotations").get(OciLayout.IMAGE_NAME).asText()).isEqualTo("team/app:v1");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void oddBytesStayByteIdentical() throws Exception {
    Descriptor cfg = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, LayoutFixtures.config("amd64"));
    layout.pushBlob(REPO, cfg, BlobSource.of(LayoutFixtures.config("amd64")));
    byte[] raw = ("{ \"schemaVersion\" : 2,\n  \"mediaType\": \"" + MediaTypes.OCI_MANIFEST + "\",\n"
            + "  \"config\": {\"mediaType\":\"" + cfg.mediaType() + "\",\"digest\":\"" + cfg.digest()
            + "\",\"size\":" + cfg.size() + "},\n  \"layers\": [],\n"
            + "  \"annotations\": {\"title\": \"caf\u00e9 \u2713\"}\n}\n")
        .getBytes(StandardCharsets.UTF_8);
    Manifest m = Manifest.parse(raw);
    layout.pushManifest(REPO, m, PushOptions.tagged("odd"));
    assertThat(layout.fetchManifest(REPO, "odd").bytes()).isEqualTo(raw);
    assertThat(layout.fetchManifest(REPO, "odd").digest()).isEqualTo(Digest.sha256(raw));
  }

  @Test
  void threePlatformIndexRoundTripsAndNeedsItsChildrenFirst() throws Exception {
    ImageIndex index = pushIndex(layout, REPO, PushOptions.tagged("multi"));

    Manifest fetched = layout.fetchManifest(REPO, "multi");
    assertThat(fetched).isInstanceOf(ImageIndex.class);
    assertThat(fetched.bytes()).isEqualTo(index.bytes());
    assertThat(layout.resolve(REPO, "multi").mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    for (Descriptor child : index.manifests()) {
      assertThat(layout.fetchManifest(REPO, child.digest().toString()).digest()).isEqualTo(child.digest());
    }

    OciLayout other = OciLayout.create(dir.resolve("other"));
    assertThatThrownBy(() -> other.pushManifest(REPO, index))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("references " + MediaTypes.OCI_MANIFEST + " " + index.manifests().get(0).digest())
        .hasMessageContaining("push it first");
    assertThat(other.hasManifest(REPO, index.digest())).isFalse();
  }

  @Test
  void missingManifestOrTagIsNotFound() throws Exception {
    Digest absent = Digest.sha256("absent".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> layout.fetchManifest(REPO, "nope")).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no tag 'nope' in repository team/app");
    assertThatThrownBy(() -> layout.resolve(REPO, absent.toString())).isInstanceOf(NotFoundException.class);
    assertThat(layout.hasManifest(REPO, absent)).isFalse();
    assertThatThrownBy(() -> layout.fetchBlob(REPO, Descriptor.of(MediaTypes.OCI_LAYER_TAR, absent, 6)))
        .isInstanceOf(NotFoundException.class);
  }

  // ---- tags ----

  @Test
  void tagsArePerRepositoryAndMovable() throws Exception {
    ImageManifest a = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    ImageManifest b = pushImage(layout, REPO, "arm64", PushOptions.tagged("v2"));
    layout.tag(REPO, b.plainDescriptor(), "latest");
    layout.tag("other/app", a.plainDescriptor(), "v1");
    assertThat(layout.tags(REPO)).containsExactly("v1", "v2", "latest");
    assertThat(layout.tags("other/app")).containsExactly("v1");

    layout.tag(REPO, a.plainDescriptor(), "latest"); // moves the tag
    assertThat(layout.resolve(REPO, "latest").digest()).isEqualTo(a.digest());
    assertThat(layout.tags(REPO)).containsExactly("v1", "v2", "latest");
    assertThatThrownBy(() -> layout.resolve("third/app", "v1")).isInstanceOf(NotFoundException.class);

    Digest missing = Digest.sha256(new byte[] {1});
    assertThatThrownBy(() -> layout.tag(REPO, Descriptor.of(MediaTypes.OCI_MANIFEST, missing, 1), "x"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void tagsWrittenByOtherToolsBelongToEveryRepository() throws Exception {
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.DEFAULT);
    // what skopeo writes for oci:<dir>:stable
    Files.writeString(root().resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + m.mediaType() + "\",\"digest\":\""
            + m.digest() + "\",\"size\":" + m.size() + ",\"annotations\":{\"" + OciLayout.REF_NAME
            + "\":\"stable\"}}]}");
    assertThat(layout.tags("any/repo")).containsExactly("stable");
    assertThat(layout.fetchManifest("any/repo", "stable").digest()).isEqualTo(m.digest());

    layout.tag(REPO, m.plainDescriptor(), "stable"); // replaces the foreign entry, not adds a second
    assertThat(indexJson().get("manifests")).hasSize(1);
    assertThat(layout.tags(REPO)).containsExactly("stable");
    assertThat(layout.tags("any/repo")).isEmpty();
  }

  // ---- delete ----

  @Test
  void deleteRemovesTheBlobAndEveryIndexEntry() throws Exception {
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    layout.tag(REPO, m.plainDescriptor(), "v1.0");
    ImageManifest keep = pushImage(layout, REPO, "arm64", PushOptions.tagged("keep"));

    layout.delete(REPO, m.digest());

    assertThat(Files.exists(root().resolve("blobs/sha256/" + m.digest().hex()))).isFalse();
    assertThat(layout.tags(REPO)).containsExactly("keep");
    assertThat(layout.hasManifest(REPO, m.digest())).isFalse();
    assertThatThrownBy(() -> layout.fetchManifest(REPO, "v1")).isInstanceOf(NotFoundException.class);
    assertThat(layout.fetchManifest(REPO, "keep").digest()).isEqualTo(keep.digest());
    assertThatThrownBy(() -> layout.delete(REPO, m.digest())).isInstanceOf(NotFoundException.class);
    assertThat(indexJson().get("manifests")).hasSize(1);

    Descriptor layer = keep.layers().get(0);
    layout.delete(REPO, keep.config().digest());
    assertThat(layout.hasBlob(REPO, keep.config().digest())).isFalse();
    assertThat(layout.hasBlob(REPO, layer.digest())).isTrue();
  }

  // ---- blobs ----

  @Test
  void largeBlobsStreamThroughABoundedBuffer() throws Exception {
    long size = 32L * 1024 * 1024;
    // Generates bytes on demand and checks, at every read, that what it produced so far is
    // already on disk (bar one buffer): the layout cannot be holding the whole blob in memory.
    class Generator extends InputStream {
      final Random random = new Random(42);
      final MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
      long produced;
      long maxLag;

      @Override
      public int read() {
        throw new UnsupportedOperationException("single-byte reads are not expected");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (produced == size) {
          return -1;
        }
        List<Path> tmp = tempFiles();
        assertThat(tmp).hasSize(1);
        maxLag = Math.max(maxLag, produced - Files.size(tmp.get(0)));
        int n = (int) Math.min(len, size - produced);
        byte[] chunk = new byte[n];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, n);
        md.update(chunk);
        produced += n;
        return n;
      }
    }

    Generator unknownSize = new Generator();
    Descriptor pushed = layout.pushBlob(REPO, MediaTypes.OCI_LAYER_TAR, unknownSize);
    Digest expected = Digest.fromHash(Digest.Algorithm.SHA256, unknownSize.md.digest());
    assertThat(pushed).isEqualTo(Descriptor.of(MediaTypes.OCI_LAYER_TAR, expected, size));
    assertThat(unknownSize.maxLag).isLessThanOrEqualTo(64 * 1024);

    // The same bytes again with their descriptor known, into a fresh layout.
    OciLayout second = OciLayout.create(dir.resolve("second"));
    Generator[] known = new Generator[1];
    second.pushBlob(REPO, pushed, () -> known[0] = new Generator() {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (produced == size) {
          return -1;
        }
        try (Stream<Path> s = Files.list(second.directory())) {
          Path tmp = s.filter(p -> p.toString().endsWith(".tmp")).findFirst().orElseThrow();
          maxLag = Math.max(maxLag, produced - Files.size(tmp));
        }
        int n = (int) Math.min(len, size - produced);
        byte[] chunk = new byte[n];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, n);
        produced += n;
        return n;
      }
    });
    assertThat(known[0].maxLag).isLessThanOrEqualTo(64 * 1024);

    // Reading back hashes it through a 64 KiB buffer and ends verified.
    MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
    long total = 0;
    try (InputStream in = second.fetchBlob(REPO, pushed)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) != -1; ) {
        md.update(buf, 0, n);
        total += n;
      }
    }
    assertThat(total).isEqualTo(size);
    assertThat(Digest.fromHash(Digest.Algorithm.SHA256, md.digest())).isEqualTo(expected);
    assertThat(Files.size(second.directory().resolve("blobs/sha256/" + expected.hex()))).isEqualTo(size);
  }

  @Test
  void aBlobAlreadyPresentIsNotWrittenAgain() throws Exception {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    layout.pushBlob(REPO, d, BlobSource.of(data));
    layout.pushBlob(REPO, d, () -> {
      throw new IOException("must not be opened");
    });
    assertThat(layout.mountBlob("other/app", d.digest(), REPO)).isTrue();
    assertThat(layout.mountBlob("other/app", Digest.sha256(new byte[0]), REPO)).isFalse();
  }

  @Test
  void aWrongDigestPushLeavesNothingBehind() throws Exception {
    byte[] data = "the real bytes".getBytes(StandardCharsets.UTF_8);
    Digest claimed = Digest.sha256("other bytes!!!".getBytes(StandardCharsets.UTF_8));
    Descriptor wrong = Descriptor.of(MediaTypes.OCI_LAYER_TAR, claimed, data.length);
    List<Path> before = blobFiles();

    assertThatThrownBy(() -> layout.pushBlob(REPO, wrong, BlobSource.of(data)))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(claimed.toString())
        .hasMessageContaining(Digest.sha256(data).toString());
    Descriptor wrongSize = Descriptor.of(MediaTypes.OCI_LAYER_TAR, Digest.sha256(data), data.length - 1);
    assertThatThrownBy(() -> layout.pushBlob(REPO, wrongSize, BlobSource.of(data)))
        .isInstanceOf(DigestMismatchException.class);

    assertThat(blobFiles()).isEqualTo(before);
    assertThat(tempFiles()).isEmpty();
    assertThat(layout.hasBlob(REPO, claimed)).isFalse();
    assertThat(layout.hasBlob(REPO, Digest.sha256(data))).isFalse();
  }

  @Test
  void corruptedFilesAreDetectedOnRead() throws Exception {
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    Path manifestFile = root().resolve("blobs/sha256/" + m.digest().hex());
    byte[] tampered = m.bytes();
    tampered[tampered.length - 2] ^= 1;
    Files.write(manifestFile, tampered);
    assertThatThrownBy(() -> layout.fetchManifest(REPO, "v1")).isInstanceOf(DigestMismatchException.class);
    assertThatThrownBy(() -> layout.fetchManifest(REPO, m.digest().toString()))
        .isInstanceOf(DigestMismatchException.class);

    Descriptor layer = m.layers().get(0);
    byte[] bad = LayoutFixtures.EMPTY_TAR.clone();
    bad[100] = 7;
    Files.write(root().resolve("blobs/sha256/" + layer.digest().hex()), bad);
    try (InputStream in = layout.fetchBlob(REPO, layer)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent());
    }
  }

  // ---- referrers ----

  @Test
  void referrersAreListedInTheFallbackIndexWithArtifactTypeAndAnnotations() throws Exception {
    ImageManifest subject = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    ImageManifest sbom = pushReferrer(layout, REPO, subject.plainDescriptor(), SBOM, "sbom", PushOptions.DEFAULT);
    ImageManifest sig = pushReferrer(layout, REPO, subject.plainDescriptor(), BUNDLE, "sig", PushOptions.DEFAULT);

    String fallbackTag = subject.digest().tagSchemaTag();
    assertThat(layout.tags(REPO)).containsExactly("v1", fallbackTag);
    Manifest fallback = layout.fetchManifest(REPO, fallbackTag);
    assertThat(fallback).isInstanceOf(ImageIndex.class);
    assertThat(fallback.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(((ImageIndex) fallback).manifests()).containsExactly(sbom.descriptor(), sig.descriptor());
    assertThat(((ImageIndex) fallback).manifests().get(0).artifactType()).isEqualTo(SBOM);
    assertThat(((ImageIndex) fallback).manifests().get(0).annotations()).isEqualTo(Map.of("note", "sbom"));

    assertThat(layout.referrers(REPO, subject.digest(), null)).containsExactly(sbom.descriptor(), sig.descriptor());
    assertThat(layout.referrers(REPO, subject.digest(), BUNDLE)).containsExactly(sig.descriptor());
    assertThat(layout.referrers(REPO, subject.digest(), "application/x-none")).isEmpty();
    assertThat(layout.referrers("other/app", subject.digest(), null)).isEmpty();

    // Pushing the same referrer again lists it once; superseded fallback indexes are removed.
    PushResult again = layout.pushManifest(REPO, sig);
    assertThat(again).isEqualTo(new PushResult(sig.descriptor(), false, true));
    assertThat(layout.referrers(REPO, subject.digest(), null)).hasSize(2);
    assertThat(indexBlobs()).isEqualTo(1);
  }

  @Test
  void referrersAlsoFoundFromIndexJsonAndDeletedOnesUnlisted() throws Exception {
    ImageManifest subject = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    ImageManifest quiet = pushReferrer(layout, REPO, subject.plainDescriptor(), SBOM, "quiet",
        PushOptions.tagged("sbom").withoutFallbackIndex());
    assertThat(layout.tags(REPO)).containsExactly("v1", "sbom");
    assertThat(layout.referrers(REPO, subject.digest(), null)).containsExactly(quiet.descriptor());

    ImageManifest listed = pushReferrer(layout, REPO, subject.plainDescriptor(), BUNDLE, "listed",
        PushOptions.DEFAULT);
    assertThat(layout.referrers(REPO, subject.digest(), null)).containsExactly(listed.descriptor(), quiet.descriptor());

    layout.delete(REPO, listed.digest());
    Manifest fallback = layout.fetchManifest(REPO, subject.digest().tagSchemaTag());
    assertThat(((ImageIndex) fallback).manifests()).isEmpty();
    assertThat(indexBlobs()).isEqualTo(1); // the superseded referrers index is gone
    assertThat(layout.referrers(REPO, subject.digest(), null)).containsExactly(quiet.descriptor());
  }

  @Test
  void concurrentReferrerPushesAreAllListed() throws Exception {
    ImageManifest subject = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    int n = 20;
    ExecutorService pool = Executors.newFixedThreadPool(n + 1);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ImageManifest>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        String note = "r" + i;
        // a second OciLayout instance on the same directory shares the lock
        OciLayout target = i % 2 == 0 ? layout : OciLayout.open(root());
        futures.add(pool.submit(() -> {
          start.await();
          return pushReferrer(target, REPO, subject.plainDescriptor(), isEven(note) ? SBOM : BUNDLE, note,
              PushOptions.DEFAULT);
        }));
      }
      // A reader while the referrers index is rewritten and superseded versions are deleted:
      // it must always see a complete listing, never a vanished blob.
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      Future<Integer> reader = pool.submit(() -> {
        start.await();
        int reads = 0;
        int last = 0;
        while (writing.get()) {
          int seen = layout.referrers(REPO, subject.digest(), null).size();
          assertThat(seen).isGreaterThanOrEqualTo(last);
          last = seen;
          reads++;
        }
        return reads;
      });
      start.countDown();
      List<Descriptor> expected = new ArrayList<>();
      for (Future<ImageManifest> f : futures) {
        expected.add(f.get().descriptor());
      }
      writing.set(false);
      assertThat(reader.get()).isPositive();
      List<Descriptor> fromIndex =
          ((ImageIndex) layout.fetchManifest(REPO, subject.digest().tagSchemaTag())).manifests();
      assertThat(fromIndex).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(layout.referrers(REPO, subject.digest(), null)).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(layout.referrers(REPO, subject.digest(), SBOM)).hasSize(n / 2);
      assertThat(tempFiles()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean isEven(String note) {
    return Integer.parseInt(note.substring(1)) % 2 == 0;
  }

  @Test
  void aTagWhoseManifestWasRemovedByHandIsNotFound() throws Exception {
    ImageManifest m = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    Files.delete(root().resolve("blobs/sha256/" + m.digest().hex()));
    assertThatThrownBy(() -> layout.resolve(REPO, "v1")).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> layout.fetchManifest(REPO, "v1")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void unknownSizePushFromAStream() throws Exception {
    byte[] data = "streamed".getBytes(StandardCharsets.UTF_8);
    Descriptor d = layout.pushBlob(REPO, "application/octet-stream", new ByteArrayInputStream(data));
    assertThat(d).isEqualTo(Descriptor.ofBytes("application/octet-stream", data));
    try (InputStream in = layout.fetchBlob(REPO, d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }
}
