package dev.attest.verify.internal.sigstore;

/**
 * A failed Sigstore verification check. The message is one actionable sentence naming the check
 * that failed; callers turn it into a deny.
 */
public final class VerificationFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public VerificationFailure(String reason) {
    super(reason);
  }

  public VerificationFailure(String reason, Throwable cause) {
    super(reason, cause);
  }
}
