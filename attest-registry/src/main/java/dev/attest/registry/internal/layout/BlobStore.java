package dev.attest.registry.internal.layout;

import dev.attest.core.BoundedReads;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.TooLargeException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * The {@code blobs/<alg>/<hex>} directory of a layout. Every write goes to a temporary file in
 * the layout directory (same file system, so the rename is atomic), is verified while it is
 * written, synced, and only then renamed into place: a reader never sees a partial or wrong blob,
 * and a failed write leaves nothing behind.
 */
public final class BlobStore {
  /** The copy buffer; the only memory a blob transfer uses. */
  public static final int BUFFER_SIZE = 64 * 1024;

  /** Prefix of temporary files in the layout directory, so that leftovers are recognisable. */
  public static final String TEMP_PREFIX = ".attest-";

  private final Path root;

  public BlobStore(Path root) {
    this.root = root;
  }

  /** Where the blob {@code digest} lives; the digest is strict hex, so this cannot escape. */
  public Path path(Digest digest) {
    return root.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.hex());
  }

  public boolean exists(Digest digest) {
    return Files.isRegularFile(path(digest));
  }

  /** The stored size, or -1 if absent. */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(path(digest));
    } catch (NoSuchFileException e) {
      return -1;
    }
  }

  /**
   * Stores {@code in} as the blob {@code expected}, verifying digest and size on the way.
   *
   * @throws DigestMismatchException if the bytes do not match; nothing is stored then
   */
  public void write(Descriptor expected, InputStream in) throws IOException, DigestMismatchException {
    Path tmp = newTemp();
    try {
      try (InputStream verifying = expected.digest().verifying(in, expected.size());
          FileOutputStream out = new FileOutputStream(tmp.toFile())) {
        copy(verifying, out);
        out.getChannel().force(true);
      } catch (IOException e) {
        DigestMismatchException mismatch = DigestMismatchException.in(e).orElse(null);
        if (mismatch != null) {
          throw mismatch;
        }
        throw e;
      }
      moveIntoPlace(tmp, path(expected.digest()));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Stores {@code in}, hashing it with SHA-256 as it is written, and returns digest and size. */
  public Written write(InputStream in) throws IOException {
    Path tmp = newTemp();
    try {
      MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
      long size = 0;
      try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
        byte[] buf = new byte[BUFFER_SIZE];
        for (int n; (n = in.read(buf)) != -1; ) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
          size += n;
        }
        out.getChannel().force(true);
      }
      Digest digest = Digest.fromHash(Digest.Algorithm.SHA256, md.digest());
      moveIntoPlace(tmp, path(digest));
      return new Written(digest, size);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A blob written by {@link #write(InputStream)}. */
  public record Written(Digest digest, long size) {}

  /**
   * Reads a small blob (a manifest or index) whole and verifies it.
   *
   * @throws NoSuchFileException if absent
   * @throws TooLargeException if it is larger than {@code maxBytes}
   * @throws DigestMismatchException if the bytes do not hash to {@code digest}
   */
  public byte[] readVerified(Digest digest, int maxBytes)
      throws IOException, DigestMismatchException, TooLargeException {
    byte[] bytes = BoundedReads.readFile(path(digest), maxBytes, "blob " + digest + " in " + root);
    digest.verify(bytes, "blob " + digest + " in " + root);
    return bytes;
  }

  /** Opens a blob for reading, unverified; wrap it with {@link Digest#verifying}. */
  public InputStream open(Digest digest) throws IOException {
    return Files.newInputStream(path(digest));
  }

  public boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(path(digest));
  }

  private Path newTemp() throws IOException {
    // Created with the default permissions (umask), unlike Files.createTempFile's 0600, so that
    // the layout stays readable by whoever could read it before.
    return Files.createFile(root.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp"));
  }

  private void moveIntoPlace(Path tmp, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + root + " cannot rename atomically", e);
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[BUFFER_SIZE];
    for (int n; (n = in.read(buf)) != -1; ) {
      out.write(buf, 0, n);
    }
  }
}
