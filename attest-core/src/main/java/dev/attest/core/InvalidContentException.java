package dev.attest.core;

/** Content read from a registry, a file or a peer is malformed or breaks a limit: bad JSON, a negative size, a manifest over 4 MiB. It is never used. */
public class InvalidContentException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** Content that is not what it claims to be, with what is wrong in {@code message}. */
  public InvalidContentException(String message) {
    super(message);
  }

  /** As {@link #InvalidContentException(String)}, with the parser error behind it. */
  public InvalidContentException(String message, Throwable cause) {
    super(message, cause);
  }
}
