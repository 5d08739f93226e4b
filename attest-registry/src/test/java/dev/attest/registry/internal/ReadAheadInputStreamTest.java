package dev.attest.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The upload's read-ahead: same bytes, same order, failures in place, bounded, and closeable. */
class ReadAheadInputStreamTest {
  private static final int BUF = 4096;

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Yields at most {@code max} bytes per read and records whether it was closed. */
  private static class Source extends ByteArrayInputStream {
    private final int max;
    final AtomicBoolean closed = new AtomicBoolean();

    Source(byte[] bytes, int max) {
      super(bytes);
      this.max = max;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      return super.read(b, off, Math.min(len, max));
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private static byte[] drainByReads(InputStream in, int readSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[readSize];
    for (int n; (n = in.read(buf, 0, buf.length)) != -1; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void yieldsExactlyTheSourceBytesAtBufferBoundariesAndBetween() throws IOException {
    for (int size : new int[] {0, 1, BUF - 1, BUF, BUF + 1, 3 * BUF, 10 * BUF + 17}) {
      byte[] data = random(size, size);
      Source src = new Source(data, 1000);
      try (ReadAheadInputStream in = new ReadAheadInputStream(src, BUF, 3)) {
        assertThat(drainByReads(in, 777)).as("size %d", size).isEqualTo(data);
        assertThat(in.read()).isEqualTo(-1);
      }
      assertThat(src.closed).as("source closed, size %d", size).isTrue();
    }
  }

  @Test
  void singleByteReadsAndTransfersMixed() throws IOException {
    byte[] data = random(5 * BUF + 3, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ReadAheadInputStream in = new ReadAheadInputStream(new Source(data, BUF), BUF, 2)) {
      out.write(in.read());
      int n;
      while ((n = in.transfer(1500, out::write)) != -1) {
        assertThat(n).isBetween(1, 1500);
        int b = in.read();
        if (b == -1) {
          break;
        }
        out.write(b);
      }
    }
    assertThat(out.toByteArray()).isEqualTo(data);
  }

  @Test
  void aSourceThatFailsToVerifyNeverHandsOutItsLastBytes() throws IOException {
    // Wrong digest: the verifying source throws only at its end, after every byte was read.
    for (int size : new int[] {BUF, 4 * BUF, 4 * BUF + 100}) {
      byte[] data = random(size, 3);
      Digest other = Digest.sha256(random(size, 4));
      InputStream verifying = other.verifying(new ByteArrayInputStream(data), size);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (ReadAheadInputStream in = new ReadAheadInputStream(verifying, BUF, 3)) {
        assertThatThrownBy(() -> {
          byte[] buf = new byte[1000];
          for (int n; (n = in.read(buf, 0, buf.length)) != -1; ) {
            got.write(buf, 0, n);
          }
        }).isInstanceOf(IOException.class).satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent());
        // The failure sticks.
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
      }
      assertThat(got.size()).as("bytes handed out of %d", size).isLessThan(size);
      assertThat(got.toByteArray()).isEqualTo(Arrays.copyOf(data, got.size()));
    }
  }

  @Test
  void aVerifiedSourceEndsCleanly() throws IOException {
    byte[] data = random(7 * BUF + 5, 5);
    InputStream verifying = Digest.sha256(data).verifying(new ByteArrayInputStream(data), data.length);
    try (ReadAheadInputStream in = new ReadAheadInputStream(verifying, BUF, 4)) {
      assertThat(drainByReads(in, 8192)).isEqualTo(data);
    }
  }

  @Test
  void aFailureMidStreamComesAfterEarlierBytesOnly() throws IOException {
    byte[] data = random(6 * BUF, 6);
    InputStream failing = new Source(data, BUF) {
      private int reads;

      @Override
      public synchronized int read(byte[] b, int off, int len) {
        if (++reads == 4) {
          throw new IllegalStateException("boom");
        }
        return super.read(b, off, len);
      }
    };
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (ReadAheadInputStream in = new ReadAheadInputStream(failing, BUF, 2)) {
      assertThatThrownBy(() -> {
        for (int b; (b = in.read()) != -1; ) {
          got.write(b);
        }
      }).isInstanceOf(IOException.class).hasMessageContaining("boom");
    }
    // Three buffers were read before the failure; the last of them was held back.
    assertThat(got.toByteArray()).isEqualTo(Arrays.copyOf(data, 2 * BUF));
  }

  @Test
  void closeStopsTheReaderWhileItWaitsForBuffersAndClosesTheSource() throws Exception {
    byte[] data = random(50 * BUF, 7);
    CountDownLatch readSome = new CountDownLatch(3);
    Source src = new Source(data, BUF / 2) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        readSome.countDown();
        return super.read(b, off, len);
      }
    };
    ReadAheadInputStream in = new ReadAheadInputStream(src, BUF, 2);
    assertThat(in.read()).isEqualTo(data[0] & 0xff);
    readSome.await();
    in.close(); // the reader is blocked on a free buffer: close must still return
    assertThat(src.closed).isTrue();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
    // Bounded: with the consumer stopped, the reader took at most its buffers' worth (plus one read).
    assertThat(src.available()).isGreaterThanOrEqualTo(data.length - 3 * BUF);
  }

  @Test
  void rejectsFewerThanTwoBuffers() {
    assertThatThrownBy(() -> new ReadAheadInputStream(InputStream.nullInputStream(), BUF, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
