package dev.attest.registry;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Credentials for one registry: a username and password, an identity token (an OAuth2 refresh
 * token exchanged at the registry's token server), or a raw registry bearer token sent as is.
 *
 * <p>{@link #toString()} never prints the secret.
 *
 * @param kind what {@code secret} is
 * @param username the user for {@link Kind#BASIC}; optional otherwise (Docker stores one beside
 *     some identity tokens)
 * @param secret the password or token
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Docker registry
 *     token authentication</a>
 * @see <a href="https://distribution.github.io/distribution/spec/auth/oauth/">Docker registry
 *     OAuth2 token authentication (refresh tokens)</a>
 */
public record Credentials(Kind kind, @Nullable String username, String secret) {

  /** Longest username or secret accepted; real ones are far shorter. */
  public static final int MAX_LENGTH = 64 * 1024;

  /** What the secret of a {@link Credentials} is. */
  public enum Kind {
    /** A password, sent with HTTP Basic to the registry or to its token server. */
    BASIC,
    /** An OAuth2 refresh token, exchanged at the token server for bearer tokens. */
    IDENTITY_TOKEN,
    /** A registry bearer token, sent to the registry as is. */
    REGISTRY_TOKEN
  }

  /** Validates the components; see the factories. */
  public Credentials {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(secret, "secret");
    if (username != null) {
      checkText("username", username);
      // RFC 7617: the user-id of Basic cannot contain a colon.
      if (username.indexOf(':') >= 0) {
        throw new IllegalArgumentException("username must not contain ':'");
      }
    }
    if (kind == Kind.BASIC) {
      if (username == null) {
        throw new IllegalArgumentException("basic credentials need a username");
      }
      checkText("password", secret);
    } else {
      checkToken(kind == Kind.IDENTITY_TOKEN ? "identity token" : "registry token", secret);
    }
  }

  /** A username and password. */
  public static Credentials basic(String username, String password) {
    return new Credentials(Kind.BASIC, username, password);
  }

  /** An identity (refresh) token, as {@code docker login} stores for OAuth2 registries. */
  public static Credentials identityToken(String token) {
    return new Credentials(Kind.IDENTITY_TOKEN, null, token);
  }

  /** A registry bearer token, sent to the registry in {@code Authorization: Bearer}. */
  public static Credentials registryToken(String token) {
    return new Credentials(Kind.REGISTRY_TOKEN, null, token);
  }

  /** A copy with {@code username} (or none). */
  public Credentials withUsername(@Nullable String username) {
    return new Credentials(kind, username, secret);
  }

  @Override
  public String toString() {
    return "Credentials[" + kind + (username == null ? "" : ", username=" + username) + ", secret=***]";
  }

  private static void checkText(String what, String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (s.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(what + " contains a control character at index " + i);
      }
    }
  }

  private static void checkToken(String what, String s) {
    checkText(what, s);
    // Tokens travel in headers and forms: printable ASCII without spaces only.
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(what + " contains a character that is not printable ASCII at index " + i);
      }
    }
  }
}
