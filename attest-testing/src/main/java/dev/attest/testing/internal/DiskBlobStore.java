package dev.attest.testing.internal;

import dev.attest.core.Digest;
import dev.attest.core.TooLargeException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Blobs as files {@code blobs/<alg>/<hex>} under a root directory. Uploads stream into {@code
 * uploads/} and become visible by an atomic rename, so a blob file is always complete.
 *
 * <p>Nothing is {@code fsync}ed: this is a registry for tests and local tooling, and a {@code
 * force} per upload would cost a full write-back of every blob (seconds per GiB on a busy disk).
 * A crash of the process never exposes a partial blob (the rename comes after the last write and
 * the digest check); a crash of the machine may lose recently stored blobs.
 */
public final class DiskBlobStore implements BlobStore {
  /** Upload buffer: one per appending request, so memory is bounded by the worker count. */
  static final int BUFFER = 1024 * 1024;

  private static final int FIRST_BUFFER = 64 * 1024;
  private static final AtomicInteger HELPERS = new AtomicInteger();

  private final Path blobs;
  private final Path uploads;
  /** Hash-and-write helpers: at most one busy per appending request (idle ones time out). */
  private final ExecutorService helpers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "attest-embedded-registry-store-" + HELPERS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  public DiskBlobStore(Path root) throws IOException {
    this.blobs = Files.createDirectories(root.resolve("blobs"));
    this.uploads = Files.createDirectories(root.resolve("uploads"));
  }

  private Path path(Digest digest) {
    return blobs.resolve(digest.algorithm().id()).resolve(digest.hex());
  }

  @Override
  public long size(Digest digest) {
    try {
      return Files.size(path(digest));
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public InputStream open(Digest digest, long offset) throws IOException {
    SeekableByteChannel ch = Files.newByteChannel(path(digest), StandardOpenOption.READ);
    try {
      ch.position(offset);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
  }

  @Override
  public void put(Digest digest, byte[] bytes) throws IOException {
    Path tmp = uploads.resolve(UUID.randomUUID().toString());
    try {
      Files.write(tmp, bytes);
      publish(tmp, digest);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void publish(Path tmp, Digest digest) throws IOException {
    Path target = path(digest);
    Files.createDirectories(target.getParent());
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public void delete(Digest digest) throws IOException {
    Files.deleteIfExists(path(digest));
  }

  @Override
  public Upload newUpload() throws IOException {
    Path file = uploads.resolve(UUID.randomUUID().toString());
    Files.createFile(file);
    return new DiskUpload(file);
  }

  @Override
  public void close() {
    // Blobs stay on disk; the owner of the directory decides when to delete it.
    helpers.shutdown();
  }

  private static void await(@Nullable Future<?> f) throws IOException {
    if (f == null) {
      return;
    }
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing an upload");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    }
  }

  private static void awaitQuietly(Future<?> f) {
    boolean interrupted = false;
    while (true) {
      try {
        f.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break; // the caller is already failing
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private final class DiskUpload implements Upload {
    private final Path file;
    private final MessageDigest sha256 = Digest.Algorithm.SHA256.newMessageDigest();
    private long size;

    DiskUpload(Path file) {
      this.file = file;
    }

    @Override
    public synchronized long size() {
      return size;
    }

    @Override
    public synchronized long append(InputStream in, long maxTotal) throws IOException, TooLargeException {
      // The JDK server hands out at most 8 KiB per read of a request body. Filling a large buffer
      // first means one hash update and one write(2) per MiB instead of per 8 KiB; the first
      // buffer is small so that the many tiny uploads (configs, attestations) stay cheap. Full
      // buffers are hashed and written by a helper thread while this one reads the next, so
      // socket reads and SHA-256 run on both cores; two buffers per upload bound the memory.
      byte[][] bufs = {new byte[FIRST_BUFFER], null};
      int cur = 0;
      long n = 0;
      Future<?> pending = null;
      int pendingLength = 0;
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        try {
          while (true) {
            byte[] buf = bufs[cur];
            int r = fill(in, buf);
            boolean end = r < buf.length;
            if (r == 0) {
              break;
            }
            if (size + pendingLength + r > maxTotal) {
              throw new TooLargeException(UPLOAD, maxTotal);
            }
            await(pending);
            pending = null;
            size += pendingLength;
            n += pendingLength;
            pendingLength = 0;
            if (r < BUFFER) { // small, or the last piece: not worth a hand-off
              hashAndWrite(out, buf, r);
              size += r;
              n += r;
            } else {
              pending = helpers.submit(() -> {
                hashAndWrite(out, buf, r);
                return null;
              });
              pendingLength = r;
              cur ^= 1;
            }
            if (end) {
              break;
            }
            if (bufs[cur] == null || bufs[cur].length < BUFFER) {
              bufs[cur] = new byte[BUFFER];
            }
          }
          await(pending);
          size += pendingLength;
          n += pendingLength;
        } finally {
          // On failure, let the helper finish before the channel closes (the upload is dropped).
          if (pending != null && !pending.isDone()) {
            awaitQuietly(pending);
          }
        }
      }
      return n;
    }

    /** Reads until {@code buf} is full or the stream ends; short only at the end. */
    private static int fill(InputStream in, byte[] buf) throws IOException {
      int n = 0;
      while (n < buf.length) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return n;
    }

    private void hashAndWrite(FileChannel out, byte[] buf, int len) throws IOException {
      sha256.update(buf, 0, len);
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
      while (bb.hasRemaining()) {
        out.write(bb);
      }
    }

    @Override
    public synchronized Digest commit(Digest expected) throws IOException {
      try {
        Digest actual;
        if (expected.algorithm() == Digest.Algorithm.SHA256) {
          actual = Digest.fromHash(Digest.Algorithm.SHA256, sha256.digest());
        } else {
          try (InputStream in = Files.newInputStream(file)) {
            actual = Digest.of(expected.algorithm(), in);
          }
        }
        if (actual.equals(expected)) {
          publish(file, expected);
        }
        return actual;
      } finally {
        Files.deleteIfExists(file);
      }
    }

    @Override
    public synchronized void cancel() {
      try {
        Files.deleteIfExists(file);
      } catch (NoSuchFileException e) {
        // already gone
      } catch (IOException e) {
        // best effort: a stray temp file is harmless
      }
    }
  }
}
