package dev.attest.verify.internal.keyless;

import static dev.attest.verify.KeylessSigningException.Step.TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Json;
import dev.attest.verify.KeylessSigningException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OIDC identity tokens: fetching (GitHub Actions), reading, and the claims Fulcio checks. */
public final class Tokens {
  /** A token larger than this is refused: real ones are a few kilobytes. */
  public static final int MAX_TOKEN_BYTES = 64 * 1024;

  private static final OkHttpClient CLIENT = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(30))
      .followRedirects(false)
      .build();

  private Tokens() {}

  /**
   * Requests a token from the GitHub Actions OIDC endpoint.
   *
   * @see <a href="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#updating-your-actions-for-oidc">requesting the token</a>
   */
  public static String githubActions(Map<String, String> env, String audience) throws KeylessSigningException {
    String url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL");
    String bearer = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (url == null || url.isBlank() || bearer == null || bearer.isBlank()) {
      throw new KeylessSigningException(TOKEN,
          "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: not in GitHub Actions, or the"
              + " workflow lacks 'permissions: id-token: write'");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new KeylessSigningException(TOKEN, "ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL");
    }
    HttpUrl withAudience = parsed.newBuilder().setQueryParameter("audience", audience).build();
    Request request = new Request.Builder().url(withAudience).header("Authorization", "bearer " + bearer)
        .header("Accept", "application/json").get().build();
    byte[] body;
    int code;
    try (Response response = CLIENT.newCall(request).execute()) {
      code = response.code();
      body = Http.boundedBody(response, MAX_TOKEN_BYTES * 2L);
    } catch (IOException e) {
      throw new KeylessSigningException(TOKEN, "GitHub Actions token endpoint " + withAudience.host() + " failed: "
          + e.getMessage(), e);
    }
    if (code != 200) {
      throw new KeylessSigningException(TOKEN, "GitHub Actions token endpoint answered " + code + ": " + Http.snippet(body));
    }
    try {
      JsonNode n = Json.read(body);
      JsonNode value = n.get("value");
      if (value == null || !value.isTextual()) {
        throw new KeylessSigningException(TOKEN, "GitHub Actions token endpoint answered without a 'value' string");
      }
      return checked(value.asText(), "the GitHub Actions token");
    } catch (IOException e) {
      throw new KeylessSigningException(TOKEN, "GitHub Actions token endpoint answered malformed JSON: " + e.getMessage(), e);
    }
  }

  /** Reads a token file, bounded. */
  public static String file(Path file) throws KeylessSigningException {
    try {
      if (Files.size(file) > MAX_TOKEN_BYTES) {
        throw new KeylessSigningException(TOKEN, "token file " + file + " is larger than " + MAX_TOKEN_BYTES + " bytes");
      }
      return checked(Files.readString(file, StandardCharsets.UTF_8).strip(), "token file " + file);
    } catch (IOException e) {
      throw new KeylessSigningException(TOKEN, "cannot read token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The token if it has the shape of a JWT (three base64url parts) and a bounded size. */
  public static String checked(String token, String where) throws KeylessSigningException {
    if (token.length() > MAX_TOKEN_BYTES) {
      throw new KeylessSigningException(TOKEN, where + " is larger than " + MAX_TOKEN_BYTES + " bytes");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new KeylessSigningException(TOKEN, where + " is not a JWT (header.payload.signature)");
    }
    claims(token, where);
    return token;
  }

  /** The (unverified) claims of a JWT: Fulcio verifies the token; the signer only reads the subject. */
  public static JsonNode claims(String token, String where) throws KeylessSigningException {
    String[] parts = token.split("\\.", -1);
    try {
      JsonNode n = Json.read(Base64.getUrlDecoder().decode(parts[1]));
      if (!n.isObject()) {
        throw new KeylessSigningException(TOKEN, where + " has claims that are not a JSON object");
      }
      return n;
    } catch (IOException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw new KeylessSigningException(TOKEN, where + " has unreadable claims: " + e.getMessage(), e);
    }
  }

  /** {@link #claims(String, String)} as an unmodifiable map of plain Java values. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> claimMap(String token) throws KeylessSigningException {
    JsonNode n = claims(token, "the token");
    return java.util.Collections.unmodifiableMap(Json.MAPPER.convertValue(n, java.util.LinkedHashMap.class));
  }

  /**
   * What the proof of possession signs: the {@code email} claim for email identities, else {@code
   * sub}, as Fulcio's challenge expects.
   */
  public static String subject(String token) throws KeylessSigningException {
    JsonNode claims = claims(token, "the token");
    JsonNode email = claims.get("email");
    if (email != null && email.isTextual() && !email.asText().isEmpty()) {
      return email.asText();
    }
    JsonNode sub = claims.get("sub");
    if (sub == null || !sub.isTextual() || sub.asText().isEmpty()) {
      throw new KeylessSigningException(TOKEN, "the token has no 'sub' claim");
    }
    return sub.asText();
  }
}
