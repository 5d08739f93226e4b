package dev.attest.core;

/** A signature does not verify with the key it was checked against. The signed content is not to be trusted. */
public class InvalidSignatureException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** A signature that does not verify, with which one and why in {@code message}. */
  public InvalidSignatureException(String message) {
    super(message);
  }
}
