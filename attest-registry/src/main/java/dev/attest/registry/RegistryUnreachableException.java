package dev.attest.registry;

/** The registry could not be reached or kept failing (connection refused, reset, timeout, or 5xx and 429 after every retry). Retrying later may help. */
public class RegistryUnreachableException extends RegistryException {
  private static final long serialVersionUID = 1L;

  /** The registry could not be reached after the retries, as {@code message} says. */
  public RegistryUnreachableException(String message) {
    super(message);
  }

  /** As {@link #RegistryUnreachableException(String)}, with the connection error behind it. */
  public RegistryUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
