package dev.attest.registry;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the bytes of a blob come from. It may be opened more than once, so that an upload can be
 * retried from the start; each stream is closed by the caller.
 */
@FunctionalInterface
public interface BlobSource {
  /** A new stream over the whole blob, from its first byte; the caller closes it. */
  InputStream open() throws IOException;

  /** A source over bytes in memory. */
  static BlobSource of(byte[] bytes) {
    byte[] copy = bytes.clone();
    return () -> new java.io.ByteArrayInputStream(copy);
  }

  /** A source over a file. */
  static BlobSource of(java.nio.file.Path file) {
    return () -> java.nio.file.Files.newInputStream(file);
  }
}
