package dev.attest.promote;

import dev.attest.core.AttestException;

/**
 * A promotion could not be planned or completed: a bound of the graph was exceeded, a cycle was
 * found, or the destination does not hold what the plan says it should after the copy. Registry
 * failures keep their own types ({@code dev.attest.registry.RegistryException} and subtypes).
 */
public class PromotionException extends AttestException {
  private static final long serialVersionUID = 1L;

  /** The promotion could not be completed, as {@code message} says. */
  public PromotionException(String message) {
    super(message);
  }

  /** As {@link #PromotionException(String)}, with the error behind it. */
  public PromotionException(String message, Throwable cause) {
    super(message, cause);
  }
}
