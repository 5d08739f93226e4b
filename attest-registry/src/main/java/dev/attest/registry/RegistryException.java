package dev.attest.registry;

import dev.attest.core.AttestException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A registry answered with an error that is neither "not found" nor "unauthorized", or broke the
 * protocol. The message names the request and the registry's answer.
 */
public class RegistryException extends AttestException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String errorCode;

  /** A registry error, with the registry and what failed in {@code message}. */
  public RegistryException(String message) {
    super(message);
    this.errorCode = null;
  }

  /** As {@link #RegistryException(String)}, with the error behind it. */
  public RegistryException(String message, Throwable cause) {
    super(message, cause);
    this.errorCode = null;
  }

  /** As {@link #RegistryException(String)}, with the registry's error code (see {@link #errorCode()}). */
  public RegistryException(String message, @Nullable String errorCode, @Nullable Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  /**
   * The first error code of the registry's answer, such as {@code NAME_UNKNOWN} or {@code
   * MANIFEST_UNKNOWN}, when its body was an OCI error body; empty otherwise.
   *
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes">OCI
   *     distribution spec: error codes</a>
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
