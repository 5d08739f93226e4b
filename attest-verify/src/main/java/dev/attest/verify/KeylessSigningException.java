package dev.attest.verify;

import dev.attest.core.AttestException;
import java.util.Objects;

/**
 * Keyless signing failed at one {@link Step}; the message names the step and, where a server
 * answered, its status and answer. Nothing was signed that should be attached.
 */
public final class KeylessSigningException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** Where keyless signing failed. */
  public enum Step {
    /** Getting the OIDC identity token. */
    TOKEN,
    /** Getting the signing certificate from Fulcio. */
    FULCIO,
    /** Logging the signature in Rekor, or checking what Rekor returned. */
    REKOR,
    /** Getting an RFC 3161 timestamp from a timestamp authority, or checking what it returned. */
    TIMESTAMP,
    /**
     * Checking the finished bundle against the trusted root the caller gave: the services answered
     * with something that root does not vouch for (another log key, CA or authority), so nothing is
     * returned or written.
     */
    VERIFY,
    /** Anything else: configuration, local signing, writing the bundle. */
    SIGNING
  }

  /** Which step of keyless signing failed. */
  private final Step step;

  /** Keyless signing failed at {@code step}, as {@code message} says. */
  public KeylessSigningException(Step step, String message) {
    super(prefix(step) + message);
    this.step = Objects.requireNonNull(step, "step");
  }

  /** As {@link #KeylessSigningException(Step, String)}, with the error behind it. */
  public KeylessSigningException(Step step, String message, Throwable cause) {
    super(prefix(step) + message, cause);
    this.step = Objects.requireNonNull(step, "step");
  }

  private static String prefix(Step step) {
    return switch (step) {
      case TOKEN -> "OIDC token: ";
      case FULCIO -> "Fulcio: ";
      case REKOR -> "Rekor: ";
      case TIMESTAMP -> "timestamp authority: ";
      case VERIFY -> "keyless signing: ";
      case SIGNING -> "keyless signing: ";
    };
  }

  /** The step that failed. */
  public Step step() {
    return step;
  }
}
