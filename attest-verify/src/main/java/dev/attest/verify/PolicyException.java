package dev.attest.verify;

import dev.attest.core.AttestException;

/**
 * A policy document that cannot be loaded: not YAML or JSON, an unknown key, a value of the wrong
 * type, an invalid regular expression, a key file that cannot be read. The message starts with
 * the path of the offending value, for example {@code attestations[1].slsa.builderIds: expected a
 * list}.
 */
public class PolicyException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** A policy that cannot be used, with the path of what is wrong in {@code message}. */
  public PolicyException(String message) {
    super(message);
  }

  /** As {@link #PolicyException(String)}, with the error behind it. */
  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
