package dev.attest.registry;

/** The registry could not be reached or kept failing (connection refused, reset, timeout, or 5xx and 429 after every retry). Retrying later may help. */
public class RegistryUnreachableException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryUnreachableException(String message) {
    super(message);
  }

  public RegistryUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
