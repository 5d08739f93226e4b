package dev.attest.core;

import java.io.IOException;
import java.util.Optional;

/**
 * Bytes did not hash to the digest they were fetched or declared by, or their length differed
 * from the declared size. The data must not be used; the message names both values.
 */
public final class DigestMismatchException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** The digest the content was expected to have. */
  private final String expected;
  /** The digest the content has. */
  private final String actual;

  /** Content named {@code what} hashed to {@code actual} where {@code expected} was required. */
  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(what + ": expected " + expected + " but the bytes hash to " + actual);
    this.expected = expected.toString();
    this.actual = actual.toString();
  }

  private DigestMismatchException(String message, String expected, String actual) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }

  /** A size mismatch: the content was {@code actualSize} bytes where {@code expectedSize} were declared. */
  public static DigestMismatchException size(String what, Digest digest, long expectedSize, long actualSize) {
    return new DigestMismatchException(
        what + ": " + digest + " was declared as " + expectedSize + " bytes but "
            + (actualSize > expectedSize ? "more than " + expectedSize : String.valueOf(actualSize))
            + " bytes arrived",
        expectedSize + " bytes",
        actualSize + " bytes");
  }

  /** The expected digest (or size) in canonical form. */
  public String expected() {
    return expected;
  }

  /** The computed digest (or size) in canonical form. */
  public String actual() {
    return actual;
  }

  /**
   * Finds a digest mismatch carried as the cause of an {@link IOException}, as thrown by
   * {@link Digest#verifying(java.io.InputStream, long)} streams.
   */
  public static Optional<DigestMismatchException> in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DigestMismatchException) {
        return Optional.of((DigestMismatchException) c);
      }
    }
    return Optional.empty();
  }

  /** The {@link IOException} a verifying stream throws, carrying this exception as its cause. */
  public IOException asIOException() {
    return new IOException(getMessage(), this);
  }
}
