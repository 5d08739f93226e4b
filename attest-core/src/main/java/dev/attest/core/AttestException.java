package dev.attest.core;

/**
 * The root of every checked exception that attest throws.
 *
 * <p>Subtypes are grouped by what a caller can do about the failure: retry later
 * ({@code dev.attest.registry.RegistryUnreachableException}), fix credentials
 * ({@code dev.attest.registry.UnauthorizedException}), fix the reference
 * ({@code dev.attest.registry.NotFoundException}), distrust the source ({@link DigestMismatchException},
 * {@link InvalidContentException}), or use something attest supports
 * ({@link UnsupportedContentException}). Misuse of the API (a malformed argument) is reported
 * with {@link IllegalArgumentException} instead.
 */
public class AttestException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An exception with an actionable {@code message}. */
  public AttestException(String message) {
    super(message);
  }

  /** An exception with an actionable {@code message} and the {@code cause} behind it. */
  public AttestException(String message, Throwable cause) {
    super(message, cause);
  }
}
