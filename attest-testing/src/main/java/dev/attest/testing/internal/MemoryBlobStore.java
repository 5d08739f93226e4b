package dev.attest.testing.internal;

import dev.attest.core.Digest;
import dev.attest.core.TooLargeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Blobs held in heap memory; the size limit bounds what one upload may cost. */
public final class MemoryBlobStore implements BlobStore {
  private final ConcurrentMap<Digest, byte[]> blobs = new ConcurrentHashMap<>();

  @Override
  public long size(Digest digest) {
    byte[] b = blobs.get(digest);
    return b == null ? -1 : b.length;
  }

  @Override
  public InputStream open(Digest digest, long offset) throws IOException {
    byte[] b = blobs.get(digest);
    if (b == null) {
      throw new java.nio.file.NoSuchFileException(digest.toString());
    }
    int off = (int) Math.min(offset, b.length);
    return new ByteArrayInputStream(b, off, b.length - off);
  }

  @Override
  public void put(Digest digest, byte[] bytes) {
    blobs.put(digest, bytes.clone());
  }

  @Override
  public void delete(Digest digest) {
    blobs.remove(digest);
  }

  @Override
  public Upload newUpload() {
    return new MemoryUpload();
  }

  @Override
  public void close() {
    blobs.clear();
  }

  private final class MemoryUpload implements Upload {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final MessageDigest sha256 = Digest.Algorithm.SHA256.newMessageDigest();

    @Override
    public synchronized long size() {
      return buffer.size();
    }

    @Override
    public synchronized long append(InputStream in, long maxTotal) throws IOException, TooLargeException {
      long limit = Math.min(maxTotal, Integer.MAX_VALUE - 16);
      byte[] buf = new byte[64 * 1024];
      long n = 0;
      for (int r; (r = in.read(buf)) != -1; ) {
        if (buffer.size() + (long) r > limit) {
          throw new TooLargeException(UPLOAD, limit);
        }
        buffer.write(buf, 0, r);
        sha256.update(buf, 0, r);
        n += r;
      }
      return n;
    }

    @Override
    public synchronized Digest commit(Digest expected) {
      byte[] bytes = buffer.toByteArray();
      Digest actual = expected.algorithm() == Digest.Algorithm.SHA256
          ? Digest.fromHash(Digest.Algorithm.SHA256, sha256.digest())
          : Digest.of(expected.algorithm(), bytes);
      if (actual.equals(expected)) {
        blobs.put(expected, bytes);
      }
      buffer.reset();
      return actual;
    }

    @Override
    public synchronized void cancel() {
      buffer.reset();
    }
  }
}
