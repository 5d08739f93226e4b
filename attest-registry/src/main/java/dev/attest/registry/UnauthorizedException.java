package dev.attest.registry;

/** The registry refused the credentials, or none were found for it (401, or 403 on a token request). Fix the credentials. */
public class UnauthorizedException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public UnauthorizedException(String message) {
    super(message);
  }

  public UnauthorizedException(String message, Throwable cause) {
    super(message, cause);
  }
}
