package dev.attest.verify;

import dev.attest.verify.internal.keyless.Tokens;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a keyless signer gets its OIDC identity token (a JWT) for Fulcio.
 *
 * @see <a href="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect">GitHub Actions OIDC</a>
 */
@FunctionalInterface
public interface TokenSource {

  /**
   * A fresh identity token.
   *
   * @throws KeylessSigningException at step {@code TOKEN} if none can be had
   */
  String token() throws KeylessSigningException;

  /**
   * GitHub Actions: requests a token for audience {@code sigstore} from {@code
   * ACTIONS_ID_TOKEN_REQUEST_URL} with the bearer {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}, read from
   * the process environment (the workflow needs {@code permissions: id-token: write}).
   */
  static TokenSource githubActions() {
    return githubActions(System.getenv());
  }

  /** {@link #githubActions()} with the variables read from {@code env}. */
  static TokenSource githubActions(Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(env, "env"));
    return () -> Tokens.githubActions(copy, "sigstore");
  }

  /**
   * The claims of {@code token}'s payload (base64url JSON), read strictly but <em>not verified</em>:
   * Fulcio verifies the token's signature. Strings, numbers, booleans, lists and maps as in the
   * JSON. Use it to describe the run the token identifies, e.g. with {@link
   * KeylessSigner#gitHubActionsProvenance(Map, String)}.
   *
   * @throws KeylessSigningException at step {@code TOKEN} if {@code token} is not a JWT with a JSON
   *     object payload
   */
  static Map<String, Object> claims(String token) throws KeylessSigningException {
    Objects.requireNonNull(token, "token");
    return Tokens.claimMap(Tokens.checked(token, "the token"));
  }

  /** A token given directly. */
  static TokenSource of(String token) {
    Objects.requireNonNull(token, "token");
    return () -> Tokens.checked(token, "the given token");
  }

  /** The token in the environment variable {@code name}, read when signing. */
  static TokenSource environment(String name) {
    Objects.requireNonNull(name, "name");
    return () -> {
      String t = System.getenv(name);
      if (t == null || t.isBlank()) {
        throw new KeylessSigningException(KeylessSigningException.Step.TOKEN, "environment variable " + name + " is not set");
      }
      return Tokens.checked(t.strip(), "environment variable " + name);
    };
  }

  /** The token in {@code file}, read when signing (a Kubernetes or GitLab projected token). */
  static TokenSource file(Path file) {
    Objects.requireNonNull(file, "file");
    return () -> Tokens.file(file);
  }
}
