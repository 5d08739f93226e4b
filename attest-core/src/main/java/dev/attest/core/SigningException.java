package dev.attest.core;

/**
 * A key operation could not be carried out: the key cannot sign, a KMS or HSM refused or could
 * not be reached. It says nothing about whether a signature is valid; see {@link
 * InvalidSignatureException}.
 */
public class SigningException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** Signing failed, with why in {@code message}. */
  public SigningException(String message) {
    super(message);
  }

  /** Signing failed, with why in {@code message} and the provider error behind it. */
  public SigningException(String message, Throwable cause) {
    super(message, cause);
  }
}
