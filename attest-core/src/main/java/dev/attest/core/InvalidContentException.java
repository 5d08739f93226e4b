package dev.attest.core;

/** Content read from a registry, a file or a peer is malformed or breaks a limit: bad JSON, a negative size, a manifest over 4 MiB. It is never used. */
public class InvalidContentException extends AttestException {
  private static final long serialVersionUID = 1L;

  public InvalidContentException(String message) {
    super(message);
  }

  public InvalidContentException(String message, Throwable cause) {
    super(message, cause);
  }
}
