package dev.attest.registry;

import java.util.OptionalInt;

/** The registry could not be reached or kept failing (connection refused, reset, timeout, or 5xx and 429 after every retry). Retrying later may help. */
public class RegistryUnreachableException extends RegistryException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** The registry could not be reached after the retries, as {@code message} says. */
  public RegistryUnreachableException(String message) {
    this(message, -1);
  }

  /** As {@link #RegistryUnreachableException(String)}, with the connection error behind it. */
  public RegistryUnreachableException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
  }

  /** The registry kept answering {@code status} (429 or a 5xx), as {@code message} says. */
  public RegistryUnreachableException(String message, int status) {
    super(message);
    this.status = status;
  }

  /**
   * The HTTP status the registry last answered (429 or a 5xx), or empty when it gave no answer at
   * all (connection refused or reset, a timeout, an interruption). A caller that asked whether
   * some content exists may read an answered 5xx as "cannot serve it" (registry 2.8.2 answers 500
   * for a blob whose upload was killed half-way), but no answer says nothing about the content.
   */
  public OptionalInt status() {
    return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }
}
