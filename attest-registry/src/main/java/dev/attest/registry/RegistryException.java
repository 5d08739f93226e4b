package dev.attest.registry;

import dev.attest.core.AttestException;

/**
 * A registry answered with an error that is neither "not found" nor "unauthorized", or broke the
 * protocol. The message names the request and the registry's answer.
 */
public class RegistryException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** A registry error, with the registry and what failed in {@code message}. */
  public RegistryException(String message) {
    super(message);
  }

  /** As {@link #RegistryException(String)}, with the error behind it. */
  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
