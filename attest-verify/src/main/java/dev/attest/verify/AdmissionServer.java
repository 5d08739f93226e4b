package dev.attest.verify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Pem;
import dev.attest.verify.internal.PemKeys;
import java.io.ByteArrayOutputStream;
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
 * {@code POST /validate}, {@code POST /mutate} and {@code GET /healthz}.
 *
 * <p>Each review has a hard deadline (default 8 s, below the API server's 10 s webhook timeout);
 * a review not answered by then is denied. Request bodies are bounded (default 3 MiB) and so are
 * the threads serving them. The TLS certificate chain and private key come from PEM files; the
 * key may be PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}).
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

  private AdmissionServer(Builder b) throws IOException {
    this.handler = b.handler;
    this.deadline = b.deadline;
    this.maxBodyBytes = b.maxBodyBytes;
    SSLContext tls = sslContext(Objects.requireNonNull(b.certificateChain, "tls(...) not set"),
        Objects.requireNonNull(b.privateKey, "tls(...) not set"));
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
    server.createContext("/healthz", this::healthz);
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

    /** Binds and starts the server. */
    public AdmissionServer start() throws IOException {
      AdmissionServer s = new AdmissionServer(this);
      s.server.start();
      return s;
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void healthz(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(ex, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  private void review(HttpExchange ex, boolean mutate) throws IOException {
    long start = System.nanoTime();
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "POST an AdmissionReview\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] body;
      try {
        body = readBounded(ex.getRequestBody(), maxBodyBytes);
      } catch (TooLarge e) {
        send(ex, 413, "application/json",
            AdmissionHandler.deny(new byte[0], "AdmissionReview larger than " + maxBodyBytes + " bytes"));
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
        answer = AdmissionHandler.deny(body,
            "attest did not decide within the " + deadline.toMillis() + " ms deadline (fail closed)");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer = AdmissionHandler.deny(body, "attest was interrupted (fail closed)");
      } catch (ExecutionException | RuntimeException e) {
        answer = AdmissionHandler.deny(body, "attest failed: " + e + " (fail closed)");
      }
      send(ex, 200, "application/json", answer);
    }
  }

  private static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;
  }

  private static byte[] readBounded(InputStream in, int max) throws IOException, TooLarge {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    for (int n; (n = in.read(buf)) != -1; ) {
      if (out.size() + n > max) {
        throw new TooLarge();
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  private static SSLContext sslContext(Path chainPem, Path keyPem) throws IOException {
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
      char[] pw = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("attest", key, pw, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | InvalidContentException | IllegalArgumentException e) {
      throw new IOException("TLS material " + chainPem + ", " + keyPem + ": " + e.getMessage(), e);
    }
  }

  /** Stops accepting, waits up to a second for exchanges in flight, and stops the pools. */
  @Override
  public void close() {
    server.stop(1);
    httpPool.shutdownNow();
    reviewPool.shutdownNow();
  }
}
