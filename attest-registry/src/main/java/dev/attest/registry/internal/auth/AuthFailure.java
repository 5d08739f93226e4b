package dev.attest.registry.internal.auth;

import dev.attest.registry.UnauthorizedException;
import java.util.List;
import java.util.Optional;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Why {@link AuthInterceptor} gave up on a 401: attached as a tag to the request of the 401
 * response it returns, so the client can turn it into an {@link UnauthorizedException}.
 *
 * @param registry the registry host
 * @param realm the token realm, if the registry asked for a bearer token
 * @param scopes the scopes asked for
 * @param reason what went wrong
 * @param retryable whether repeating the request may succeed: the request body could not be
 *     replayed, but the token it needs is now cached
 */
public record AuthFailure(
    String registry, @Nullable String realm, List<String> scopes, String reason, boolean retryable) {

  public AuthFailure {
    scopes = List.copyOf(scopes);
  }

  /** The failure attached to {@code response}, if the interceptor gave up on it. */
  public static Optional<AuthFailure> of(Response response) {
    return Optional.ofNullable(response.request().tag(AuthFailure.class));
  }

  public String message() {
    StringBuilder b = new StringBuilder("unauthorized at registry ").append(registry).append(": ").append(reason);
    if (realm != null) {
      b.append(" (realm ").append(realm);
      b.append(", scopes ").append(scopes.isEmpty() ? "none" : String.join(" ", scopes)).append(')');
    }
    return b.toString();
  }

  public UnauthorizedException toException() {
    return new UnauthorizedException(message());
  }

  Response attachTo(Response response) {
    return response.newBuilder().request(response.request().newBuilder().tag(AuthFailure.class, this).build()).build();
  }
}
