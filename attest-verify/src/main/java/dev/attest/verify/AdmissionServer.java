package dev.attest.verify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Pem;
import dev.attest.verify.internal.PemKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A small HTTPS server for an {@link AdmissionHandler}, on the JDK's {@link HttpsServer}:
 * {@code POST /validate}, {@code POST /mutate}, {@code GET /healthz} (the process is alive),
 * {@code GET /readyz} (it takes reviews: 503 once shutting down) and, when {@link
 * Builder#metrics} is set, {@code GET /metrics}.
 *
 * <p>Each review has a hard deadline (default 8 s, below the API server's 10 s webhook timeout);
 * a review not answered by then is denied. Request bodies are bounded (default 3 MiB) and so are
 * the threads serving them; every answer is an {@code AdmissionReview} with HTTP 200 that echoes
 * the request uid, a body too large included ({@code status.code} 413). The TLS certificate chain
 * and private key come from PEM files; the key may be PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code
 * EC PRIVATE KEY}). They are read again when either file changes (as cert-manager rotates a
 * mounted Secret), at the next TLS handshake: connections already open keep their session and no
 * request is dropped. {@link #close} stops taking connections, reports not ready, and lets the
 * reviews in flight finish within their deadline.
 */
public final class AdmissionServer implements AutoCloseable {

  // JDK 17's HttpServer flushes the response headers before it writes the body (JDK-6968351,
  // fixed after 17 by openjdk/jdk PR 18667), so with Nagle on, each small response waits for the
  // client's delayed ACK: 40 ms per request on Linux. TCP_NODELAY avoids it; the JDK reads this
  // property once, when its first HttpServer starts, and an explicit setting is left alone.
  static {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpsServer server;
  private final ThreadPoolExecutor httpPool;
  private final ThreadPoolExecutor reviewPool;
  private final AdmissionHandler handler;
  private final Duration deadline;
  private final int maxBodyBytes;
  private final ReloadingKeyManager keys;
  private volatile boolean ready;

  private AdmissionServer(Builder b) throws IOException {
    this.handler = b.handler;
    this.deadline = b.deadline;
    this.maxBodyBytes = b.maxBodyBytes;
    this.keys = new ReloadingKeyManager(Objects.requireNonNull(b.certificateChain, "tls(...) not set"),
        Objects.requireNonNull(b.privateKey, "tls(...) not set"));
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new javax.net.ssl.KeyManager[] {keys}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
    this.server = HttpsServer.create(new InetSocketAddress(b.host, b.port), 128);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    AtomicInteger n = new AtomicInteger();
    // Serving threads wait on review threads, so the two pools are separate; when both are full
    // the dispatcher runs the exchange itself, which pushes back on the API server.
    this.httpPool = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(b.queue), r -> daemon(r, "attest-admission-http-" + n.incrementAndGet()),
        new ThreadPoolExecutor.CallerRunsPolicy());
    this.reviewPool = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(b.queue), r -> daemon(r, "attest-admission-review-" + n.incrementAndGet()),
        new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(httpPool);
    server.createContext("/validate", ex -> review(ex, false));
    server.createContext("/mutate", ex -> review(ex, true));
    server.createContext("/healthz", ex -> plain(ex, 200, "ok\n"));
    server.createContext("/readyz", ex -> plain(ex, ready ? 200 : 503, ready ? "ready\n" : "shutting down\n"));
    if (b.metrics != null) {
      java.util.function.Supplier<String> m = b.metrics;
      server.createContext("/metrics", ex -> {
        try (ex) {
          if (!"GET".equals(ex.getRequestMethod())) {
            send(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            return;
          }
          send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", m.get().getBytes(StandardCharsets.UTF_8));
        }
      });
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** A server for {@code handler}; set the TLS material with {@link Builder#tls}. */
  public static Builder builder(AdmissionHandler handler) {
    return new Builder(handler);
  }

  /** Options of an {@link AdmissionServer}. */
  public static final class Builder {
    private final AdmissionHandler handler;
    private String host = "0.0.0.0";
    private int port = 8443;
    private Duration deadline = Duration.ofSeconds(8);
    private int maxBodyBytes = 3 * 1024 * 1024;
    private int threads = 8;
    private int queue = 64;
    private @org.jspecify.annotations.Nullable Path certificateChain;
    private @org.jspecify.annotations.Nullable Path privateKey;
    private java.util.function.@org.jspecify.annotations.Nullable Supplier<String> metrics;

    private Builder(AdmissionHandler handler) {
      this.handler = Objects.requireNonNull(handler);
    }

    /** PEM files: the certificate chain (leaf first) and its private key. */
    public Builder tls(Path certificateChainPem, Path privateKeyPem) {
      this.certificateChain = certificateChainPem;
      this.privateKey = privateKeyPem;
      return this;
    }

    /** The address to bind; default {@code 0.0.0.0:8443}. Port 0 picks a free port. */
    public Builder bind(String bindHost, int bindPort) {
      this.host = bindHost;
      this.port = bindPort;
      return this;
    }

    /** The hard per-review deadline; default 8 s. */
    public Builder deadline(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("deadline must be positive");
      }
      this.deadline = d;
      return this;
    }

    /** The largest request body accepted; default 3 MiB. */
    public Builder maxBodyBytes(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be >= 1");
      }
      this.maxBodyBytes = n;
      return this;
    }

    /** Serving threads (and the queue behind them); default 8 and 64. */
    public Builder threads(int n, int queueLength) {
      if (n < 1 || queueLength < 1) {
        throw new IllegalArgumentException("threads and queue length must be >= 1");
      }
      this.threads = n;
      this.queue = queueLength;
      return this;
    }

    /**
     * Serves {@code GET /metrics} with what {@code prometheusText} returns, in the Prometheus text
     * exposition format 0.0.4. The library keeps no metrics itself: feed it from a {@link
     * AdmissionHandler.Builder#listener listener}.
     */
    public Builder metrics(java.util.function.Supplier<String> prometheusText) {
      this.metrics = Objects.requireNonNull(prometheusText);
      return this;
    }

    /** Binds and starts the server. */
    public AdmissionServer start() throws IOException {
      AdmissionServer s = new AdmissionServer(this);
      s.server.start();
      s.ready = true;
      return s;
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Whether the server takes reviews: started and not shutting down. */
  public boolean ready() {
    return ready;
  }

  private static void plain(HttpExchange ex, int code, String text) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(ex, code, "text/plain", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private void review(HttpExchange ex, boolean mutate) throws IOException {
    long start = System.nanoTime();
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "POST an AdmissionReview\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      // One byte past the bound tells a body too large; the rest of one is drained unread.
      byte[] body = ex.getRequestBody().readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
        // The API server reads only HTTP 200 answers; the uid comes from the start of the body.
        send(ex, 200, "application/json", AdmissionHandler.deny(Arrays.copyOf(body, maxBodyBytes), 413,
            "AdmissionReview larger than " + maxBodyBytes + " bytes (fail closed)"));
        return;
      }
      byte[] answer;
      Future<byte[]> f = null;
      try {
        f = reviewPool.submit(() -> mutate ? handler.mutate(body) : handler.validate(body));
        long left = deadline.toNanos() - (System.nanoTime() - start);
        answer = f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        answer = AdmissionHandler.deny(body, 504,
            "attest did not decide within the " + deadline.toMillis() + " ms deadline (fail closed)");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer = AdmissionHandler.deny(body, 503, "attest was interrupted (fail closed)");
      } catch (ExecutionException | RuntimeException e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        answer = AdmissionHandler.deny(body, 500, "attest failed: " + c.getClass().getSimpleName() + ": "
            + c.getMessage() + " (fail closed)");
      }
      send(ex, 200, "application/json", answer);
    }
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  /** Reads a PEM chain and key into a one-entry key store. */
  static KeyStore keyStore(Path chainPem, Path keyPem) throws IOException {
    try {
      String chainText = Files.readString(chainPem, StandardCharsets.US_ASCII);
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<Certificate> chain = new ArrayList<>();
      for (Pem b : Pem.readAll(chainText.getBytes(StandardCharsets.US_ASCII), chainPem.toString())) {
        if (b.label().equals("CERTIFICATE")) {
          chain.add(cf.generateCertificate(new java.io.ByteArrayInputStream(b.der())));
        }
      }
      if (chain.isEmpty()) {
        throw new IOException(chainPem + ": no PEM CERTIFICATE");
      }
      PrivateKey key = PemKeys.privateKey(Files.readString(keyPem, StandardCharsets.US_ASCII));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("attest", key, new char[0], chain.toArray(new Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | InvalidContentException | IllegalArgumentException e) {
      throw new IOException("TLS material " + chainPem + ", " + keyPem + ": " + e.getMessage(), e);
    }
  }

  /**
   * A key manager that reads the PEM files again when their size or modification time changes,
   * checked at most once a second at a handshake. A pair that does not load (a half-written
   * rotation) keeps the previous material until the next check; each generation has its own alias,
   * so a handshake that chose the old one still gets the old key.
   */
  static final class ReloadingKeyManager extends javax.net.ssl.X509ExtendedKeyManager {
    private final Path chain;
    private final Path key;
    private final java.util.concurrent.ConcurrentHashMap<String, javax.net.ssl.X509KeyManager> byAlias =
        new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String current = "";
    private volatile String stamp = "";
    private volatile long checkedAt;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger reloads = new AtomicInteger();

    ReloadingKeyManager(Path chain, Path key) throws IOException {
      this.chain = chain;
      this.key = key;
      load(stamp());
    }

    /** How often the material was read again after the first time. */
    int reloads() {
      return reloads.get();
    }

    private String stamp() {
      try {
        return Files.getLastModifiedTime(chain).toMillis() + ":" + Files.size(chain) + ":"
            + Files.getLastModifiedTime(key).toMillis() + ":" + Files.size(key);
      } catch (IOException e) {
        return "unreadable";
      }
    }

    private void load(String newStamp) throws IOException {
      KeyStore ks = keyStore(chain, key);
      try {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        String alias = "attest-" + generation.incrementAndGet();
        byAlias.put(alias, (javax.net.ssl.X509KeyManager) kmf.getKeyManagers()[0]);
        String old = current;
        current = alias;
        stamp = newStamp;
        // Keep the previous generation for handshakes in progress; drop older ones.
        byAlias.keySet().removeIf(a -> !a.equals(alias) && !a.equals(old));
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot use TLS material: " + e.getMessage(), e);
      }
    }

    private void maybeReload() {
      long now = System.nanoTime();
      if (now - checkedAt < 1_000_000_000L) {
        return;
      }
      checkedAt = now;
      String s = stamp();
      if (!s.equals(stamp) && !s.equals("unreadable")) {
        synchronized (this) {
          if (!s.equals(stamp)) {
            try {
              load(s);
              reloads.incrementAndGet();
            } catch (IOException e) {
              // Half-written or broken: keep serving the previous pair; try again at a later check.
            }
          }
        }
      }
    }

    private javax.net.ssl.@org.jspecify.annotations.Nullable X509KeyManager of(String alias) {
      return byAlias.get(alias);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers,
        javax.net.ssl.SSLEngine engine) {
      maybeReload();
      return current;
    }

    @Override
    public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      maybeReload();
      return current;
    }

    @Override
    public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
      javax.net.ssl.X509KeyManager m = of(alias);
      return m == null ? null : m.getCertificateChain("attest");
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      javax.net.ssl.X509KeyManager m = of(alias);
      return m == null ? null : m.getPrivateKey("attest");
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return new String[] {current};
    }

    @Override
    public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return null;
    }
  }

  /** How often the TLS material was reloaded after a file change. */
  public int tlsReloads() {
    return keys.reloads();
  }

  /**
   * Stops gracefully: reports not ready, stops taking connections, lets the reviews in flight
   * finish (each within its deadline) and stops the pools.
   */
  @Override
  public void close() {
    ready = false;
    long grace = deadline.toSeconds() + 1;
    // stop() closes the listener at once and waits for exchanges in flight up to the grace.
    server.stop((int) Math.min(Integer.MAX_VALUE, grace));
    httpPool.shutdown();
    reviewPool.shutdown();
    try {
      if (!httpPool.awaitTermination(grace, TimeUnit.SECONDS)) {
        httpPool.shutdownNow();
      }
      if (!reviewPool.awaitTermination(1, TimeUnit.SECONDS)) {
        reviewPool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      httpPool.shutdownNow();
      reviewPool.shutdownNow();
    }
  }
}
