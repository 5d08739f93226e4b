package dev.attest.registry;

import dev.attest.core.AttestException;

/**
 * A registry answered with an error that is neither "not found" nor "unauthorized", or broke the
 * protocol. The message names the request and the registry's answer.
 */
public class RegistryException extends AttestException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
