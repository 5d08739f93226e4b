package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.MediaTypes;
import dev.attest.testing.EmbeddedRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of blobs large enough for the client's read-ahead (≥ 4 MiB), from an OCI layout into the
 * embedded registry on disk, as in the benchmark: correct bytes arrive, and a damaged layout blob
 * fails before the upload is finished, leaving nothing at the destination.
 */
class LargeBlobCopyTest {
  private static final int SIZE = (int) RemoteRegistry.READ_AHEAD_MIN + 1_234_567;

  @TempDir Path dir;
  private EmbeddedRegistry server;
  private OciLayout layout;
  private Descriptor blob;
  private byte[] data;
  private final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws AttestException {
    server = EmbeddedRegistry.builder().storage(dir.resolve("registry")).build().start();
    layout = OciLayout.create(dir.resolve("layout"));
    data = TestContent.random(SIZE, 42);
    blob = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    layout.pushBlob("src", blob, BlobSource.of(data));
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  /** 1 MiB PATCHes and an empty final PUT, or one streamed PUT. */
  private RemoteRegistry client(boolean chunked) {
    return RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous())
        .chunking(1L << 20, chunked ? 2L << 20 : Long.MAX_VALUE)
        .listener(events::add).build();
  }

  private void copy(RemoteRegistry to) throws AttestException {
    copy(to, "dst");
  }

  private void copy(RemoteRegistry to, String repo) throws AttestException {
    to.pushBlob(repo, blob, () -> {
      try {
        return layout.fetchBlob("src", blob);
      } catch (AttestException e) {
        throw new IOException(e.getMessage(), e);
      }
    });
  }

  private long sent(String method) {
    return events.stream().filter(e -> e instanceof RegistryEvent.RequestSent s && s.method().equals(method)).count();
  }

  private void damageLayoutBlob(long offset) throws IOException {
    Path file = dir.resolve("layout").resolve("blobs").resolve("sha256").resolve(blob.digest().hex());
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 1;
    Files.write(file, bytes);
  }

  @Test
  void chunkedAndSingleCopiesArriveIntact() throws Exception {
    for (boolean chunked : new boolean[] {true, false}) {
      String repo = chunked ? "chunked" : "single";
      try (RemoteRegistry to = client(chunked)) {
        copy(to, repo);
        assertThat(to.hasBlob(repo, blob.digest())).isTrue();
        try (InputStream in = to.fetchBlob(repo, blob)) {
          assertThat(in.readAllBytes()).isEqualTo(data);
        }
      }
    }
    assertThat(sent("PATCH")).isEqualTo((SIZE + (1 << 20) - 1) >> 20);
  }

  @Test
  void aDamagedLayoutBlobFailsBeforeTheFinalPutAndStoresNothing() throws Exception {
    for (long offset : new long[] {0, SIZE / 2, SIZE - 1}) {
      damageLayoutBlob(offset);
      events.clear();
      try (RemoteRegistry to = client(true)) {
        assertThatThrownBy(() -> copy(to)).isInstanceOf(DigestMismatchException.class)
            .hasMessageContaining(blob.digest().toString());
        assertThat(sent("PUT")).as("final PUTs sent, damage at %d", offset).isZero();
        assertThat(to.hasBlob("dst", blob.digest())).isFalse();
      }
      damageLayoutBlob(offset); // undo
    }
  }

  @Test
  void aDamagedLayoutBlobInOneStreamedPutStoresNothing() throws Exception {
    damageLayoutBlob(SIZE - 1);
    try (RemoteRegistry to = client(false)) {
      assertThatThrownBy(() -> copy(to)).isInstanceOf(DigestMismatchException.class);
      assertThat(to.hasBlob("dst", blob.digest())).isFalse();
    }
  }

  @Test
  void aTruncatedLayoutBlobFailsAsASizeMismatch() throws Exception {
    Path file = dir.resolve("layout").resolve("blobs").resolve("sha256").resolve(blob.digest().hex());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, SIZE - 100));
    try (RemoteRegistry to = client(true)) {
      assertThatThrownBy(() -> copy(to)).isInstanceOf(DigestMismatchException.class);
      assertThat(sent("PUT")).isZero();
      assertThat(to.hasBlob("dst", blob.digest())).isFalse();
    }
  }
}
