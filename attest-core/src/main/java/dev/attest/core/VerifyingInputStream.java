package dev.attest.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Hashes bytes as they pass and refuses to report EOF until they match the expected digest and
 * size. A caller that treats EOF as "done" therefore never sees unverified data as complete.
 *
 * <p>Public (ADR 0027): every {@code Registry} implementation hands out blob streams through it,
 * and a consumer that copies blobs (promotion) checks them with the same code.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests">OCI
 *     descriptor digests: verify content before trusting it</a>
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final MessageDigest md;
  private long count;
  private boolean verified;
  private IOException failure;
  private LongConsumer progress = n -> {};

  /** Reads {@code in}, which must end after exactly {@code expectedSize} bytes hashing to {@code expected}. */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.md = expected.algorithm().newMessageDigest();
  }

  /**
   * Whether this stream, not yet read, already checks {@code digest} and {@code size}: a caller
   * about to wrap it for the same check can skip a second hash of every byte.
   */
  public boolean verifies(Digest digest, long size) {
    return count == 0 && failure == null && expected.equals(digest) && expectedSize == size;
  }

  /**
   * Reports the bytes passed so far (the running total, after each read) to {@code progress}, so
   * that a caller counting a transfer need not wrap this stream and hide it from {@link
   * #verifies}. Call before the first read.
   */
  public void onProgress(LongConsumer progress) {
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, len);
    if (n == -1) {
      finish();
      return -1;
    }
    count += n;
    if (expectedSize >= 0 && count > expectedSize) {
      throw fail(DigestMismatchException.size("content", expected, expectedSize, count));
    }
    md.update(b, off, n);
    progress.accept(count);
    return n;
  }

  private void finish() throws IOException {
    if (verified) {
      return;
    }
    if (expectedSize >= 0 && count != expectedSize) {
      throw fail(DigestMismatchException.size("content", expected, expectedSize, count));
    }
    Digest actual = Digest.fromHash(expected.algorithm(), md.digest());
    if (!actual.equals(expected)) {
      throw fail(new DigestMismatchException("content", expected, actual));
    }
    verified = true;
  }

  private IOException fail(DigestMismatchException e) {
    failure = e.asIOException();
    return failure;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must be hashed too, so skip by reading.
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long left = n;
    while (left > 0) {
      int r = read(buf, 0, (int) Math.min(buf.length, left));
      if (r == -1) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public int available() throws IOException {
    return failure != null ? 0 : in.available();
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported by a verifying stream");
  }
}
