package dev.attest.registry.internal.auth;

import dev.attest.registry.RegistryException;
import java.io.IOException;

/**
 * A credential store failed (a malformed {@code config.json}, a failing credential helper) while
 * {@link AuthInterceptor} answered a challenge. OkHttp interceptors may only throw {@link
 * IOException}; the client unwraps {@link #registryException()}.
 */
public final class AuthIOException extends IOException {
  private static final long serialVersionUID = 1L;

  public AuthIOException(RegistryException cause) {
    super(cause.getMessage(), cause);
  }

  public RegistryException registryException() {
    return (RegistryException) getCause();
  }
}
