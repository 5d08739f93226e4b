package dev.attest.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.attest.core.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Coalesced socket writes: fewer, larger writes, and nothing left unsent when OkHttp flushes. */
class CoalescingSocketFactoryTest {

  /** Records the size of every write it receives. */
  private static final class Recording extends OutputStream {
    final List<Integer> writes = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int flushes;

    @Override
    public void write(int b) {
      writes.add(1);
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(len);
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes++;
    }
  }

  @Test
  void segmentWritesReachTheSocketInBufferSizedPiecesAndTheRestOnFlush() throws IOException {
    Recording socket = new Recording();
    OutputStream out = CoalescingSocketFactory.coalescing(socket);
    byte[] segment = new byte[8192];
    int segments = 3 * CoalescingSocketFactory.BUFFER / segment.length + 1; // 3 buffers and a bit
    for (int i = 0; i < segments; i++) {
      segment[0] = (byte) i;
      out.write(segment, 0, segment.length);
    }
    assertThat(socket.writes).containsExactly(CoalescingSocketFactory.BUFFER, CoalescingSocketFactory.BUFFER,
        CoalescingSocketFactory.BUFFER);
    out.flush();
    assertThat(socket.writes).hasSize(4).last().isEqualTo(segment.length);
    assertThat(socket.flushes).isEqualTo(1);
    assertThat(socket.bytes.size()).isEqualTo(segments * segment.length);
  }

  @Test
  void okHttpOverTlsOnACoalescingSocketSendsEverything() throws Exception {
    // TLS is layered on the coalescing socket: the handshake and every request must still be
    // flushed through it, or this would stall until the read timeout.
    KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
    X509Certificate cert = selfSigned(keys);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", keys.getPrivate(), new char[0], new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);

    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext("/", ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      byte[] answer = (body.length + " " + Digest.sha256(body)).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, answer.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(answer);
      }
    });
    server.start();
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext clientTls = SSLContext.getInstance("TLS");
      clientTls.init(null, tmf.getTrustManagers(), null);
      OkHttpClient client = new OkHttpClient.Builder()
          .socketFactory(new CoalescingSocketFactory())
          .sslSocketFactory(clientTls.getSocketFactory(), (X509TrustManager) tmf.getTrustManagers()[0])
          .readTimeout(30, TimeUnit.SECONDS)
          .writeTimeout(30, TimeUnit.SECONDS)
          .build();
      String url = "https://localhost:" + server.getAddress().getPort() + "/";
      for (int size : new int[] {0, 10, 3 * CoalescingSocketFactory.BUFFER + 5}) {
        byte[] body = new byte[size];
        new SplittableRandom(size).nextBytes(body);
        Request put = new Request.Builder().url(url)
            .put(RequestBody.create(body, MediaType.get("application/octet-stream"))).build();
        try (Response r = client.newCall(put).execute()) {
          assertThat(r.code()).isEqualTo(200);
          assertThat(r.body().string()).isEqualTo(size + " " + Digest.sha256(body));
        }
      }
      client.connectionPool().evictAll();
    } finally {
      server.stop(0);
    }
  }

  private static X509Certificate selfSigned(KeyPair keys) throws Exception {
    X500Name name = new X500Name("CN=localhost");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }
}
