package dev.attest.core;

/** Well-formed content that attest does not support: an unknown media type, a digest algorithm or a format version outside what this version implements. */
public class UnsupportedContentException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** Well-formed content of a kind or version attest does not read, named in {@code message}. */
  public UnsupportedContentException(String message) {
    super(message);
  }

  /** As {@link #UnsupportedContentException(String)}, with the error behind it. */
  public UnsupportedContentException(String message, Throwable cause) {
    super(message, cause);
  }
}
