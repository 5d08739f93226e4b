package dev.attest.registry.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.BoundedReads;
import dev.attest.core.Json;
import dev.attest.core.TooLargeException;
import dev.attest.registry.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * Fetches bearer tokens from a token server: GET with {@code service} and one {@code scope} per
 * scope (Basic auth when there are credentials), or, for an identity token, the OAuth2 POST with
 * {@code grant_type=refresh_token}, falling back to GET where the server does not offer it.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Token
 *     authentication specification</a>
 * @see <a href="https://distribution.github.io/distribution/spec/auth/oauth/">OAuth2 token
 *     authentication</a>
 */
final class TokenFetcher {

  /** Token responses larger than this are refused. */
  static final int MAX_RESPONSE = 1024 * 1024;

  /** Tokens longer than this are refused; JWTs with many scopes stay far below. */
  static final int MAX_TOKEN_LENGTH = 64 * 1024;

  /** The lifetime the spec assumes when {@code expires_in} is absent. */
  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  static final String CLIENT_ID = "attest";

  /** The token server refused the credentials (401 or 403); not worth retrying. */
  static final class DeniedException extends Exception {
    private static final long serialVersionUID = 1L;

    DeniedException(String message) {
      super(message);
    }
  }

  private final OkHttpClient client;
  private final Clock clock;

  TokenFetcher(OkHttpClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  TokenCache.Token fetch(HttpUrl realm, @Nullable String service, List<Scope> scopes, @Nullable Credentials creds)
      throws IOException, DeniedException {
    if (creds != null && creds.kind() == Credentials.Kind.IDENTITY_TOKEN) {
      Request post = oauthRequest(realm, service, scopes, creds.secret());
      try (Response r = client.newCall(post).execute()) {
        int code = r.code();
        // Servers without the OAuth2 endpoint answer 404 (GCR), 401 (Artifactory), 400 (ACR) or
        // 405; like containerd, fall back to GET with the token as a password.
        if (code != 404 && code != 405 && code != 401 && code != 400) {
          return read(r, realm, scopes, "POST");
        }
      }
      String user = creds.username() == null ? CredentialHelper.TOKEN_USERNAME : creds.username();
      return get(realm, service, scopes, okhttp3.Credentials.basic(user, creds.secret(), java.nio.charset.StandardCharsets.UTF_8));
    }
    String basic =
        creds != null && creds.kind() == Credentials.Kind.BASIC && creds.username() != null
            ? okhttp3.Credentials.basic(creds.username(), creds.secret(), java.nio.charset.StandardCharsets.UTF_8)
            : null;
    return get(realm, service, scopes, basic);
  }

  /** The GET token URL: {@code realm?service=..&scope=..&scope=..}, each value URL-encoded. */
  static HttpUrl tokenUrl(HttpUrl realm, @Nullable String service, List<Scope> scopes) {
    HttpUrl.Builder b = realm.newBuilder();
    if (service != null) {
      b.addQueryParameter("service", service);
    }
    for (Scope s : scopes) {
      b.addQueryParameter("scope", s.toString());
    }
    return b.build();
  }

  private TokenCache.Token get(HttpUrl realm, @Nullable String service, List<Scope> scopes, @Nullable String basic)
      throws IOException, DeniedException {
    Request.Builder req = new Request.Builder().url(tokenUrl(realm, service, scopes)).get();
    if (basic != null) {
      req.header("Authorization", basic);
    }
    try (Response r = client.newCall(req.build()).execute()) {
      return read(r, realm, scopes, "GET");
    }
  }

  private static Request oauthRequest(HttpUrl realm, @Nullable String service, List<Scope> scopes, String refreshToken) {
    FormBody.Builder form = new FormBody.Builder().add("grant_type", "refresh_token");
    if (service != null) {
      form.add("service", service);
    }
    form.add("client_id", CLIENT_ID);
    if (!scopes.isEmpty()) {
      form.add("scope", scopes.stream().map(Scope::toString).collect(Collectors.joining(" ")));
    }
    form.add("refresh_token", refreshToken);
    return new Request.Builder().url(realm).post(form.build()).build();
  }

  private TokenCache.Token read(Response r, HttpUrl realm, List<Scope> scopes, String method)
      throws IOException, DeniedException {
    String where = "token server " + redact(realm) + " (" + method + ")";
    if (r.code() == 401 || r.code() == 403) {
      throw new DeniedException(where + " answered " + r.code());
    }
    if (r.code() != 200) {
      throw new IOException(where + " answered HTTP " + r.code());
    }
    ResponseBody body = r.body();
    byte[] bytes;
    try (InputStream in = body.byteStream()) {
      bytes = BoundedReads.readAll(in, MAX_RESPONSE, where + "'s answer");
    } catch (TooLargeException e) {
      throw new IOException(e.getMessage(), e);
    }
    JsonNode n;
    try {
      n = Json.read(bytes);
    } catch (IOException e) {
      throw new IOException(where + " answered invalid JSON", e);
    }
    String token = text(n, "token");
    if (token == null) {
      token = text(n, "access_token");
    }
    if (token == null) {
      throw new IOException(where + " answered neither 'token' nor 'access_token'");
    }
    if (token.length() > MAX_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IOException(where + " answered a token that is too long or not printable ASCII");
    }
    Duration lifetime = DEFAULT_LIFETIME;
    JsonNode exp = n.get("expires_in");
    if (exp != null && exp.isIntegralNumber() && exp.canConvertToLong() && exp.longValue() > 0) {
      // Cap absurd lifetimes at a day; we will ask again sooner rather than hold a stale token.
      lifetime = Duration.ofSeconds(Math.min(exp.longValue(), 86_400));
    }
    Instant now = clock.instant();
    Instant issued = now;
    String issuedAt = text(n, "issued_at");
    if (issuedAt != null) {
      try {
        Instant t = OffsetDateTime.parse(issuedAt).toInstant();
        // A server clock ahead of ours must not stretch the token's life here.
        issued = t.isBefore(now) ? t : now;
      } catch (DateTimeParseException e) {
        // The spec makes issued_at optional; an unreadable one is treated as absent.
      }
    }
    return new TokenCache.Token(token, scopes, issued.plus(lifetime));
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
  }

  /** The realm without its query, which may carry secrets of some token servers. */
  static String redact(HttpUrl url) {
    return url.newBuilder().query(null).build().toString();
  }
}
