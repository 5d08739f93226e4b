package dev.attest.registry;

/** The registry refused the credentials, or none were found for it (401, or 403 on a token request). Fix the credentials. */
public class UnauthorizedException extends RegistryException {
  private static final long serialVersionUID = 1L;

  /** The registry refused the credentials, or asked for some, as {@code message} says. */
  public UnauthorizedException(String message) {
    super(message);
  }

  /** As {@link #UnauthorizedException(String)}, with the error behind it. */
  public UnauthorizedException(String message, Throwable cause) {
    super(message, cause);
  }
}
