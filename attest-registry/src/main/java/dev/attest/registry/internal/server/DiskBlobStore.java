package dev.attest.registry.internal.server;

import dev.attest.core.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Blobs as files {@code blobs/<alg>/<hex>} under a root directory. Uploads stream into {@code
 * uploads/} and become visible by an atomic rename, so a blob file is always complete.
 */
public final class DiskBlobStore implements BlobStore {
  /** Upload buffer: one per appending request, so memory is bounded by the worker count. */
  static final int BUFFER = 1024 * 1024;

  private static final int FIRST_BUFFER = 64 * 1024;

  private final Path blobs;
  private final Path uploads;

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
    public synchronized long append(InputStream in, long maxTotal) throws IOException {
      // The JDK server hands out at most 8 KiB per read of a request body. Filling a large buffer
      // first means one hash update and one write(2) per MiB instead of per 8 KiB; the buffer
      // starts small so that the many tiny uploads (configs, attestations) stay cheap.
      byte[] buf = new byte[FIRST_BUFFER];
      long n = 0;
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        while (true) {
          int r = in.readNBytes(buf, 0, buf.length);
          if (r == 0) {
            break;
          }
          if (size + r > maxTotal) {
            throw new TooLargeException(maxTotal);
          }
          sha256.update(buf, 0, r);
          ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
          size += r;
          n += r;
          if (r < buf.length) {
            break; // readNBytes only returns short at end of stream
          }
          if (buf.length < BUFFER) {
            buf = new byte[BUFFER];
          }
        }
      }
      return n;
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
