package dev.attest.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads input whole, up to a bound: attest's one bounded read, for response bodies, request
 * bodies, files named by a user and blobs in a layout. It never buffers more than one byte past
 * the bound, whatever a length header or a file's size said.
 *
 * <pre>{@code
 * byte[] body = BoundedReads.readAll(in, 64 * 1024, "token response");
 * byte[] key = BoundedReads.readFile(Path.of("cosign.key"), 1024 * 1024, "private key");
 * }</pre>
 *
 * <p>Public (ADR 0027): each module used to carry its own copy of this loop.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec: clients bound what they read</a>
 */
public final class BoundedReads {
  /** The largest bound a byte array can hold. */
  public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private BoundedReads() {}

  /**
   * Reads {@code in} to its end (without closing it), refusing more than {@code max} bytes.
   *
   * @param what names the input in the message, e.g. {@code "manifest"}
   * @throws TooLargeException if {@code in} has more than {@code max} bytes; at most {@code max + 1}
   *     were read
   * @throws IllegalArgumentException if {@code max} is negative or over {@link #MAX_ARRAY}
   */
  public static byte[] readAll(InputStream in, long max, String what) throws IOException, TooLargeException {
    Objects.requireNonNull(in, "in");
    checkMax(max);
    byte[] bytes = in.readNBytes((int) max + 1);
    if (bytes.length > max) {
      throw new TooLargeException(what, max);
    }
    return bytes;
  }

  /**
   * Reads {@code file} whole, refusing one over {@code max} bytes: by its size before reading
   * it, and again while reading, in case it grew.
   *
   * @param what names the file in the message, e.g. {@code "Docker config " + file}
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws TooLargeException if the file has more than {@code max} bytes
   * @throws IllegalArgumentException if {@code max} is negative or over {@link #MAX_ARRAY}
   */
  public static byte[] readFile(Path file, long max, String what) throws IOException, TooLargeException {
    checkMax(max);
    long size = Files.size(file);
    if (size > max) {
      throw new TooLargeException(what, size, max);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return readAll(in, max, what);
    }
  }

  private static void checkMax(long max) {
    if (max < 0 || max > MAX_ARRAY) {
      throw new IllegalArgumentException("a bound must be 0 to " + MAX_ARRAY + " bytes, not " + max);
    }
  }
}
