package dev.attest.registry.internal;

import dev.attest.registry.CredentialStore;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RegistryListener;
import dev.attest.registry.internal.auth.AuthInterceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How {@code RemoteRegistry.Builder} turns its settings into a connection: the base URL (HTTPS,
 * plain HTTP only for loopback or when allowed), and the OkHttp clients for the registry
 * (authenticating, with our own retries and coalesced socket writes) and for token requests.
 */
public final class Connections {
  private Connections() {}

  /** The timeouts of one client. */
  public record Timeouts(Duration connect, Duration read, Duration call) {}

  /**
   * The base URL of {@code registry}: a host with an optional port, or {@code http(s)://host[:port]}.
   *
   * @throws IllegalArgumentException if malformed, or plain HTTP to a non-loopback host without
   *     {@code allowHttp}
   */
  public static HttpUrl baseUrl(String registry, boolean allowHttp) {
    String r = registry.trim();
    boolean explicit = r.startsWith("http://") || r.startsWith("https://");
    HttpUrl parsed = HttpUrl.parse(explicit ? r : "https://" + r);
    if (parsed == null || !(parsed.encodedPath().equals("/") || parsed.encodedPath().isEmpty())
        || parsed.query() != null || !parsed.username().isEmpty() || r.isEmpty()) {
      throw new IllegalArgumentException("invalid registry '" + registry + "': expected host[:port] or http(s)://host[:port]");
    }
    boolean loopback = isLoopback(parsed.host());
    if (explicit) {
      if ("http".equals(parsed.scheme()) && !loopback && !allowHttp) {
        throw new IllegalArgumentException("plain HTTP to " + parsed.host() + " needs allowHttp(); it is only implied for loopback addresses");
      }
      return parsed;
    }
    return (loopback || allowHttp) ? parsed.newBuilder().scheme("http").port(portOf(r, parsed)).build() : parsed;
  }

  /** Keeps an explicit port; otherwise the default of the scheme chosen later. */
  private static int portOf(String r, HttpUrl parsed) {
    String hostPort = r.endsWith("]") ? "" : r.substring(r.lastIndexOf(']') + 1);
    return hostPort.contains(":") || (!r.contains("]") && r.contains(":")) ? parsed.port() : 80;
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    return h.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  }

  /** The registry's client: authenticating, never retrying by itself, coalescing socket writes. */
  public static Http http(HttpUrl base, Timeouts t, CredentialStore credentials, RegistryListener listener,
      int retries, Duration retryBaseDelay, Duration maxRetryDelay) {
    OkHttpClient.Builder c = new OkHttpClient.Builder()
        .connectTimeout(t.connect().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(t.read().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(t.read().toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(t.call().toMillis(), TimeUnit.MILLISECONDS)
        // We retry ourselves, and only what is safe to retry.
        .retryOnConnectionFailure(false)
        .followSslRedirects(!"https".equals(base.scheme()));
    c.addInterceptor(new AuthInterceptor(credentials, tokenClient(t, listener), Clock.systemUTC()));
    // Coalesces OkHttp's 8 KiB socket writes (see CoalescingSocketFactory).
    c.socketFactory(new CoalescingSocketFactory());
    return new Http(c.build(), listener, retries, retryBaseDelay, maxRetryDelay);
  }

  /** Token requests get the same timeouts and are reported to the listener like the others. */
  private static OkHttpClient tokenClient(Timeouts t, RegistryListener l) {
    Interceptor events = chain -> {
      Request r = chain.request();
      String url = Http.redact(r.url().newBuilder().query(null).build());
      l.onEvent(new RegistryEvent.RequestSent(r.method(), url));
      long start = System.nanoTime();
      Response response = chain.proceed(r);
      l.onEvent(new RegistryEvent.ResponseReceived(r.method(), url, response.code(),
          Duration.ofNanos(System.nanoTime() - start)));
      return response;
    };
    return new OkHttpClient.Builder()
        .connectTimeout(t.connect().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(t.read().toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(t.call().isZero() ? 60_000 : t.call().toMillis(), TimeUnit.MILLISECONDS)
        .addInterceptor(events)
        .build();
  }

  /** Stops the client's dispatcher threads and closes its idle connections. */
  public static void close(Http http) {
    OkHttpClient c = http.client();
    c.dispatcher().executorService().shutdown();
    c.connectionPool().evictAll();
  }
}
