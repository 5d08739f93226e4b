package dev.attest.core;

/** Well-formed content that attest does not support: an unknown media type, a digest algorithm or a format version outside what this version implements. */
public class UnsupportedContentException extends AttestException {
  private static final long serialVersionUID = 1L;

  public UnsupportedContentException(String message) {
    super(message);
  }

  public UnsupportedContentException(String message, Throwable cause) {
    super(message, cause);
  }
}
