package dev.attest.verify;

import static dev.attest.verify.TestSupport.allow;
import static dev.attest.verify.TestSupport.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdmissionServerTest {
  static final ObjectMapper M = new ObjectMapper();

  @TempDir Path dir;
  X509Certificate cert;
  KeyPair keys;
  HttpClient client;
  AdmissionServer server;
  AdmissionHandler handler;
  final CountDownLatch never = new CountDownLatch(1);

  @BeforeEach
  void selfSignedCertificate() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    keys = g.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=attest-admission-test");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost")}));
    cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    StringWriter certPem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(certPem)) {
      w.writeObject(cert);
    }
    Files.writeString(dir.resolve("tls.crt"), certPem.toString());
    // SEC1 as openssl writes it, with the named curve in [0] parameters.
    byte[] point = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData().getBytes();
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
        ((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS(), new DERBitString(point),
        SECObjectIdentifiers.secp256r1).getEncoded();
    Files.writeString(dir.resolve("tls-ec.key"), "-----BEGIN EC PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n");
    Files.writeString(dir.resolve("tls-pkcs8.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    never.countDown();
    if (server != null) {
      server.close();
    }
    if (handler != null) {
      handler.close();
    }
  }

  void start(ImageVerifier v, String keyFile, Duration deadline, int maxBody) throws Exception {
    handler = AdmissionHandler.builder(v).timeout(Duration.ofSeconds(30)).build();
    server = AdmissionServer.builder(handler)
        .tls(dir.resolve("tls.crt"), dir.resolve(keyFile))
        .bind("127.0.0.1", 0)
        .deadline(deadline)
        .maxBodyBytes(maxBody)
        .threads(2, 8)
        .start();
  }

  HttpResponse<byte[]> post(String path, byte[] body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static ImageVerifier allowing() {
    return ref -> allow(ref, ref.contains("@") ? dev.attest.core.Digest.parse(ref.substring(ref.indexOf('@') + 1)) : digest(ref));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls-ec.key", "tls-pkcs8.key"})
  void servesValidateOverHttpsWithEitherKeyFormat(String keyFile) throws Exception {
    start(allowing(), keyFile, Duration.ofSeconds(8), 3 * 1024 * 1024);
    HttpResponse<byte[]> res = post("/validate", AdmissionHandlerTest.fixture("pod.json"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode r = M.readTree(res.body()).get("response");
    assertThat(r.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(r.has("patch")).isFalse();
  }

  @Test
  void mutateReturnsAPatchAndHealthzAnswers() throws Exception {
    start(allowing(), "tls-ec.key", Duration.ofSeconds(8), 3 * 1024 * 1024);
    JsonNode r = M.readTree(post("/mutate", AdmissionHandlerTest.fixture("deployment.json")).body()).get("response");
    assertThat(r.get("patchType").asText()).isEqualTo("JSONPatch");
    HttpResponse<String> h = client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/healthz")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).isEqualTo("ok\n");
    HttpResponse<String> get = client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/validate")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }

  @Test
  void theDeadlineEndsInADeny() throws Exception {
    start(ref -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return allow(ref, digest(ref));
    }, "tls-ec.key", Duration.ofMillis(300), 3 * 1024 * 1024);
    HttpResponse<byte[]> res = post("/validate", AdmissionHandlerTest.fixture("pod.json"));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode review = M.readTree(res.body());
    assertThat(review.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    JsonNode r = review.get("response");
    assertThat(r.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText()).contains("did not decide within the 300 ms deadline");
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    start(allowing(), "tls-ec.key", Duration.ofSeconds(8), 1024);
    HttpResponse<byte[]> res = post("/validate", AdmissionHandlerTest.fixture("pod.json"));
    // The API server reads only HTTP 200 answers: the review itself says 413 and echoes the uid.
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode r = M.readTree(res.body()).get("response");
    assertThat(r.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.at("/status/code").asInt()).isEqualTo(413);
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText()).contains("larger than 1024 bytes");
  }

  @Test
  void rotatedTlsFilesAreServedToNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
    start(allowing(), "tls-ec.key", Duration.ofSeconds(8), 3 * 1024 * 1024);
    HttpClient before = client;
    X509Certificate first = cert;
    assertThat(post("/validate", AdmissionHandlerTest.fixture("pod.json")).statusCode()).isEqualTo(200);
    assertThat(server.ready()).isTrue();

    selfSignedCertificate(); // cert-manager writes a new pair over the mounted files
    Thread.sleep(1_100); // the files are looked at, at most, once a second
    HttpResponse<byte[]> rotated = post("/validate", AdmissionHandlerTest.fixture("pod.json"));
    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(rotated.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(cert).isNotEqualTo(first);
    assertThat(server.tlsReloads()).isEqualTo(1);
    // The connection opened before the rotation is still served.
    HttpResponse<String> old = before.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/healthz"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(old.statusCode()).isEqualTo(200);

    // A half-written pair (key not yet matching) keeps the previous material.
    Files.writeString(dir.resolve("tls-ec.key"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    Thread.sleep(1_100);
    assertThat(post("/validate", AdmissionHandlerTest.fixture("pod.json")).statusCode()).isEqualTo(200);
    assertThat(server.tlsReloads()).isEqualTo(1);

    server.close();
    assertThat(server.ready()).isFalse();
    server = null;
  }
}
