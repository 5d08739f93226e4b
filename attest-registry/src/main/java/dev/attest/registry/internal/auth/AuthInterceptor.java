package dev.attest.registry.internal.auth;

import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Answers registry authentication challenges: Basic, and Bearer tokens from the challenge's
 * realm, cached by registry host and scope set and sent pre-emptively to later requests that need
 * the same (or fewer) scopes.
 *
 * <p>Install it as an <em>application</em> interceptor ({@code addInterceptor}). OkHttp drops
 * {@code Authorization} when a redirect leaves the host, and this interceptor never answers a 401
 * that came from another host than the request's, so blob redirects to storage carry no
 * credentials. Credentials are looked up by the request's own host, never another's.
 *
 * <p><b>For the client:</b> a 401 the interceptor could not resolve is returned as is, with an
 * {@link AuthFailure} tag ({@link AuthFailure#of(Response)}) naming registry, realm, scopes and
 * reason; turn it into {@link AuthFailure#toException()}. If {@link AuthFailure#retryable()}, the
 * request had a one-shot body that cannot be replayed and the token it needs is now cached: send
 * it once more. A failing {@link CredentialStore} surfaces as {@link AuthIOException}. Requests
 * that already carry {@code Authorization} pass through untouched.
 *
 * <p>Credentials (a password, an identity token, a registry token) never travel over plain HTTP,
 * except between a registry on loopback reached over HTTP and a realm on loopback.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Token
 *     authentication specification</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7235">RFC 7235</a>
 */
public final class AuthInterceptor implements Interceptor {

  private final CredentialStore store;
  private final TokenFetcher fetcher;
  private final TokenCache tokens;
  /** Registries that took Basic or a registry token: sent pre-emptively from then on. */
  private final Map<String, String> preemptive = new ConcurrentHashMap<>();
  private final Map<TokenCache.Key, CompletableFuture<TokenCache.Token>> inflight = new ConcurrentHashMap<>();

  /**
   * @param tokenClient the client for token servers; it must not carry this interceptor. HTTPS to
   *     HTTP redirects are disabled on a copy of it, so a refresh token is never downgraded.
   */
  public AuthInterceptor(CredentialStore store, OkHttpClient tokenClient, Clock clock) {
    this.store = store;
    this.fetcher = new TokenFetcher(tokenClient.newBuilder().followSslRedirects(false).build(), clock);
    this.tokens = new TokenCache(clock);
  }

  /** With a token client of its own (10 s connect, 30 s read, 60 s overall). */
  public AuthInterceptor(CredentialStore store, Clock clock) {
    this(
        store,
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(30))
            .callTimeout(Duration.ofSeconds(60))
            .build(),
        clock);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (request.header("Authorization") != null) {
      return chain.proceed(request);
    }
    HttpUrl url = request.url();
    String host = RegistryHosts.of(url);
    List<Scope> needed = Scope.derive(request);

    String pre = preemptive.get(host);
    if (pre == null) {
      pre = tokens.find(host, needed).map(t -> "Bearer " + t.value()).orElse(null);
    }
    Response response = chain.proceed(pre == null ? request : withAuth(request, pre));
    if (response.code() != 401 || !sameOrigin(response.request().url(), url)) {
      return response;
    }
    if (pre != null) {
      forget(host, pre);
    }
    return answer(chain, request, response, host, needed);
  }

  private Response answer(Chain chain, Request request, Response unauthorized, String host, List<Scope> needed)
      throws IOException {
    List<Challenge> challenges;
    try {
      challenges = Challenge.parseAll(unauthorized.headers("WWW-Authenticate"));
    } catch (IllegalArgumentException e) {
      return fail(unauthorized, host, null, needed, e.getMessage(), false);
    }
    Optional<Challenge> bearer = challenges.stream().filter(c -> c.scheme().equals("bearer")).findFirst();
    Optional<Challenge> basic = challenges.stream().filter(c -> c.scheme().equals("basic")).findFirst();
    if (bearer.isPresent()) {
      return bearer(chain, request, unauthorized, host, needed, bearer.get());
    }
    if (basic.isPresent()) {
      return basic(chain, request, unauthorized, host, needed);
    }
    return fail(unauthorized, host, null, needed,
        challenges.isEmpty() ? "401 without a WWW-Authenticate challenge" : "no supported challenge (Basic or Bearer)", false);
  }

  private Response basic(Chain chain, Request request, Response unauthorized, String host, List<Scope> needed)
      throws IOException {
    Credentials creds = credentials(host);
    if (creds == null) {
      return fail(unauthorized, host, null, needed, "the registry asks for Basic credentials and none are configured", false);
    }
    if (creds.kind() != Credentials.Kind.BASIC || creds.username() == null) {
      return fail(unauthorized, host, null, needed,
          "the registry asks for Basic credentials but the configured ones are " + creds.kind(), false);
    }
    if (!mayCarryCredentials(request.url(), request.url())) {
      return fail(unauthorized, host, null, needed, "refusing to send a password over plain HTTP to a registry that is not on loopback", false);
    }
    String header = okhttp3.Credentials.basic(creds.username(), creds.secret(), StandardCharsets.UTF_8);
    preemptive.put(host, header);
    return retry(chain, request, unauthorized, host, null, needed, header,
        "the registry rejected the Basic credentials of user " + creds.username());
  }

  private Response bearer(Chain chain, Request request, Response unauthorized, String host, List<Scope> needed, Challenge c)
      throws IOException {
    String realmText = c.param("realm").orElse(null);
    HttpUrl realm = realmText == null ? null : HttpUrl.parse(realmText);
    if (realm == null) {
      return fail(unauthorized, host, realmText, needed,
          realmText == null ? "Bearer challenge without a realm" : "Bearer realm is not an http(s) URL", false);
    }
    List<Scope> scopes = new ArrayList<>(needed);
    try {
      c.param("scope").ifPresent(s -> scopes.addAll(Scope.parseList(s)));
    } catch (IllegalArgumentException e) {
      return fail(unauthorized, host, realm.toString(), needed, "Bearer challenge has " + e.getMessage(), false);
    }
    List<Scope> merged = Scope.merge(scopes);
    String realmName = TokenFetcher.redact(realm);
    Credentials creds = credentials(host);
    if (creds != null && creds.kind() == Credentials.Kind.REGISTRY_TOKEN) {
      if (!mayCarryCredentials(request.url(), request.url())) {
        return fail(unauthorized, host, realmName, merged, "refusing to send a registry token over plain HTTP", false);
      }
      String header = "Bearer " + creds.secret();
      preemptive.put(host, header);
      return retry(chain, request, unauthorized, host, realmName, merged, header, "the registry rejected the configured registry token");
    }
    if (creds != null && !mayCarryCredentials(request.url(), realm)) {
      return fail(unauthorized, host, realmName, merged,
          "refusing to send credentials over plain HTTP to token realm " + realmName, false);
    }
    TokenCache.Token token;
    try {
      token = token(host, realm, c.param("service").orElse(null), merged, creds);
    } catch (TokenFetcher.DeniedException e) {
      String who = creds == null ? "anonymously" : creds.username() != null ? "as user " + creds.username() : "with an identity token";
      return fail(unauthorized, host, realmName, merged, e.getMessage() + " when asked " + who, false);
    }
    return retry(chain, request, unauthorized, host, realmName, merged, "Bearer " + token.value(),
        "the registry rejected a fresh token");
  }

  private Response retry(Chain chain, Request request, Response unauthorized, String host, @Nullable String realm,
      List<Scope> scopes, String header, String rejected) throws IOException {
    RequestBody body = request.body();
    if (body != null && body.isOneShot()) {
      return fail(unauthorized, host, realm, scopes,
          "the request body cannot be replayed after the challenge; credentials are now cached, send it again", true);
    }
    unauthorized.close();
    Response second = chain.proceed(withAuth(request, header));
    if (second.code() != 401 || !sameOrigin(second.request().url(), request.url())) {
      return second;
    }
    forget(host, header);
    return fail(second, host, realm, scopes, rejected, false);
  }

  private TokenCache.Token token(String host, HttpUrl realm, @Nullable String service, List<Scope> scopes, @Nullable Credentials creds)
      throws IOException, TokenFetcher.DeniedException {
    // Another request may have fetched it meanwhile (a rejected token was invalidated already).
    Optional<TokenCache.Token> cached = tokens.find(host, scopes);
    if (cached.isPresent()) {
      return cached.get();
    }
    // One fetch per key at a time: concurrent requests for the same scopes share it.
    TokenCache.Key key = TokenCache.Key.of(host, scopes);
    CompletableFuture<TokenCache.Token> mine = new CompletableFuture<>();
    CompletableFuture<TokenCache.Token> running = inflight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TokenFetcher.DeniedException d) {
          throw new TokenFetcher.DeniedException(d.getMessage());
        }
        throw new IOException("token fetch failed: " + (cause == null ? e : cause).getMessage(), cause);
      }
    }
    try {
      // A fetch that finished between the lookup above and putIfAbsent cached its token first.
      TokenCache.Token t = tokens.find(host, scopes).orElse(null);
      if (t != null) {
        mine.complete(t);
        return t;
      }
      t = fetcher.fetch(realm, service, scopes, creds);
      tokens.put(host, t);
      mine.complete(t);
      return t;
    } catch (IOException | TokenFetcher.DeniedException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(key, mine);
    }
  }

  private @Nullable Credentials credentials(String host) throws AuthIOException {
    try {
      return store.get(host).orElse(null);
    } catch (RegistryException e) {
      throw new AuthIOException(e);
    }
  }

  private void forget(String host, String header) {
    preemptive.remove(host, header);
    if (header.startsWith("Bearer ")) {
      tokens.invalidate(host, header.substring(7));
    }
  }

  private static Response fail(Response unauthorized, String host, @Nullable String realm, List<Scope> scopes,
      String reason, boolean retryable) {
    return new AuthFailure(host, realm, scopes.stream().map(Scope::toString).toList(), reason, retryable)
        .attachTo(unauthorized);
  }

  private static Request withAuth(Request request, String header) {
    return request.newBuilder().header("Authorization", header).build();
  }

  private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
    return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
  }

  /**
   * Whether credentials may go to {@code target} for a request to {@code registry}: over HTTPS,
   * or over HTTP only when both are on loopback and the registry itself is plain HTTP.
   */
  static boolean mayCarryCredentials(HttpUrl registry, HttpUrl target) {
    if (target.isHttps()) {
      return true;
    }
    return !registry.isHttps() && RegistryHosts.isLoopback(registry) && RegistryHosts.isLoopback(target);
  }
}
