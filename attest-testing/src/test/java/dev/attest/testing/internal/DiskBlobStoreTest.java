package dev.attest.testing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk upload path: large buffers handed to a helper thread, digest checked on commit. */
class DiskBlobStoreTest {
  @TempDir Path root;
  private DiskBlobStore store;

  @BeforeEach
  void open() throws IOException {
    store = new DiskBlobStore(root);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Yields the bytes a few at a time, like the JDK server's request-body stream. */
  private static InputStream trickle(byte[] bytes, int max) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, max));
      }
    };
  }

  private byte[] stored(Digest d) throws IOException {
    try (InputStream in = store.open(d, 0)) {
      return in.readAllBytes();
    }
  }

  @Test
  void multiMegabyteUploadInSeveralAppendsIsStoredExactly() throws Exception {
    // 3 full buffers plus a short tail per append, over two appends (as two PATCHes).
    int part = 3 * DiskBlobStore.BUFFER + 12_345;
    byte[] all = random(2 * part, 1);
    BlobStore.Upload u = store.newUpload();
    assertThat(u.append(trickle(Arrays.copyOfRange(all, 0, part), 8192), Long.MAX_VALUE)).isEqualTo(part);
    assertThat(u.size()).isEqualTo(part);
    assertThat(u.append(trickle(Arrays.copyOfRange(all, part, all.length), 8192), Long.MAX_VALUE)).isEqualTo(part);
    assertThat(u.size()).isEqualTo(all.length);
    Digest d = Digest.sha256(all);
    assertThat(u.commit(d)).isEqualTo(d);
    assertThat(store.size(d)).isEqualTo(all.length);
    assertThat(stored(d)).isEqualTo(all);
    try (Stream<Path> left = Files.list(root.resolve("uploads"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void exactMultipleOfTheBufferAndEmptyAppend() throws Exception {
    byte[] all = random(2 * DiskBlobStore.BUFFER, 2);
    BlobStore.Upload u = store.newUpload();
    assertThat(u.append(new ByteArrayInputStream(new byte[0]), Long.MAX_VALUE)).isZero();
    assertThat(u.append(new ByteArrayInputStream(all), all.length)).isEqualTo(all.length);
    Digest d = Digest.sha256(all);
    assertThat(u.commit(d)).isEqualTo(d);
    assertThat(stored(d)).isEqualTo(all);
  }

  @Test
  void wrongDigestStoresNothing() throws Exception {
    byte[] all = random(2 * DiskBlobStore.BUFFER + 7, 3);
    byte[] other = all.clone();
    other[DiskBlobStore.BUFFER + 1] ^= 1;
    BlobStore.Upload u = store.newUpload();
    u.append(new ByteArrayInputStream(all), Long.MAX_VALUE);
    Digest claimed = Digest.sha256(other);
    assertThat(u.commit(claimed)).isEqualTo(Digest.sha256(all));
    assertThat(store.size(claimed)).isEqualTo(-1);
    assertThat(store.size(Digest.sha256(all))).isEqualTo(-1);
    try (Stream<Path> left = Files.list(root.resolve("uploads"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void limitCountsBytesStillBeingWritten() throws Exception {
    byte[] all = random(3 * DiskBlobStore.BUFFER, 4);
    BlobStore.Upload u = store.newUpload();
    assertThatThrownBy(() -> u.append(new ByteArrayInputStream(all), 2L * DiskBlobStore.BUFFER + 1))
        .isInstanceOf(dev.attest.core.TooLargeException.class)
        .hasMessageContaining(Long.toString(2L * DiskBlobStore.BUFFER + 1));
    u.cancel();
    try (Stream<Path> left = Files.list(root.resolve("uploads"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void failingBodyPropagatesAfterHandOffs() throws Exception {
    byte[] head = random(2 * DiskBlobStore.BUFFER + 100, 5);
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("connection reset");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        throw new IOException("connection reset");
      }
    };
    BlobStore.Upload u = store.newUpload();
    assertThatThrownBy(() -> u.append(new SequenceInputStream(new ByteArrayInputStream(head), broken), Long.MAX_VALUE))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
    u.cancel();
    assertThat(store.size(Digest.sha256(head))).isEqualTo(-1);
  }
}
