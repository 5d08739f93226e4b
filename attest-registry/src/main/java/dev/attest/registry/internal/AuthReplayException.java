package dev.attest.registry.internal;

import dev.attest.registry.UnauthorizedException;

/**
 * A request with a one-shot body met a challenge the authentication interceptor has now answered
 * (the token is cached), but the body was spent: the caller must re-open its source and send again.
 */
public final class AuthReplayException extends UnauthorizedException {
  private static final long serialVersionUID = 1L;

  public AuthReplayException(String message) {
    super(message);
  }
}
