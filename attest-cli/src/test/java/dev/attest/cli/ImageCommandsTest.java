package dev.attest.cli;

import static dev.attest.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Keys;
import dev.attest.core.SbomComponent;
import dev.attest.core.SlsaProvenance;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.InputStream;
import java.io.PrintWriter;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sign, attest, verify, promote and admission serve against embedded registries. */
class ImageCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, String> RUN = Map.ofEntries(
      Map.entry("GITHUB_REPOSITORY_ID", "1"), Map.entry("GITHUB_REPOSITORY_OWNER_ID", "2"),
      Map.entry("GITHUB_SERVER_URL", "https://github.com"),
      Map.entry("GITHUB_REPOSITORY", "acme/app"),
      Map.entry("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/tags/v1"),
      Map.entry("GITHUB_REF", "refs/tags/v1"),
      Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
      Map.entry("GITHUB_RUN_ID", "1"),
      Map.entry("GITHUB_RUN_ATTEMPT", "1"),
      Map.entry("GITHUB_EVENT_NAME", "push"),
      Map.entry("RUNNER_ENVIRONMENT", "github-hosted"));

  static EmbeddedRegistry dev;
  static EmbeddedRegistry prod;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    dev = EmbeddedRegistry.builder().inMemory().build().start();
    prod = EmbeddedRegistry.builder().inMemory().referrersApi(false).build().start();
  }

  @AfterAll
  static void stop() {
    dev.close();
    prod.close();
  }

  private void inputs() throws Exception {
    writeInputs(dir);
  }

  /** Writes attest.key, attest.pub, the three predicate files and a policy requiring them into {@code dir}. */
  static void writeInputs(Path dir) throws Exception {
    KeyPair key = Keys.generateP256();
    Files.write(dir.resolve("attest.key"), Keys.writePrivateKeyPem(key.getPrivate()));
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(key.getPublic()));
    Files.write(dir.resolve("provenance.json"), SlsaProvenance.fromGitHubActions(RUN).json());
    Files.write(dir.resolve("bom.json"),
        CycloneDxSbom.fromComponents(List.of(SbomComponent.of("demo", "1.0", "pkg:maven/dev.attest/demo@1.0"))).json());
    try (InputStream in = ImageCommandsTest.class.getClassLoader().getResourceAsStream("demo/example-trivy-report.json")) {
      Files.write(dir.resolve("trivy.json"), in.readAllBytes());
    }
    Files.writeString(dir.resolve("policy.yaml"), """
        name: test
        trust: {k: {publicKeys: [{path: attest.pub}]}}
        signature: {trust: k}
        attestations:
          - predicateType: https://slsa.dev/provenance/v1
            trust: k
            slsa: {builderIds: ["https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"]}
          - predicateType: https://cyclonedx.org/bom
            trust: k
          - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
            trust: k
            vulnerabilities: {max: {CRITICAL: 0}}
        """);
  }

  private String f(String name) {
    return dir.resolve(name).toString();
  }

  @Test
  void signAttestThenVerifyAllowsAndADenyExitsOne() throws Exception {
    inputs();
    var image = TestImages.pushImage(dev, "cli/verify", "v1");
    String ref = dev.host() + "/cli/verify@" + image.digest();

    Result before = run("verify", ref, "--policy", f("policy.yaml"));
    assertThat(before.exitCode()).as(before.toString()).isEqualTo(1);
    assertThat(before.out()).contains("decision: DENY").contains("signature");

    Result sign = run("sign", dev.host() + "/cli/verify:v1", "--key", f("attest.key"));
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    assertThat(sign.out()).contains("Attached 1 referrer(s) to " + ref).contains("https://sigstore.dev/cosign/sign/v1");

    Result attest = run("attest", ref, "--provenance", f("provenance.json"), "--sbom", f("bom.json"),
        "--vuln", f("trivy.json"), "--key", f("attest.key"), "--output", "json");
    assertThat(attest.exitCode()).as(attest.toString()).isZero();
    JsonNode attached = JSON.readTree(attest.out());
    assertThat(attached.get("referrers")).hasSize(3);
    assertThat(attached.get("referrers").findValuesAsText("predicateType")).containsExactlyInAnyOrder(
        "https://slsa.dev/provenance/v1", "https://cyclonedx.org/bom", "https://cosign.sigstore.dev/attestation/vuln/v1");

    Result ok = run("verify", ref, "--policy", f("policy.yaml"));
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("decision: ALLOW").contains("CHECK").contains("attestation:https://cyclonedx.org/bom");
    Result okJson = run("verify", ref, "--policy", f("policy.yaml"), "--output", "json");
    assertThat(okJson.exitCode()).isZero();
    assertThat(JSON.readTree(okJson.out()).toString()).contains("ALLOW");

    // A policy asking for a builder the provenance does not name denies, with exit code 1.
    Files.writeString(dir.resolve("policy.yaml"),
        Files.readString(dir.resolve("policy.yaml")).replace("acme/app/.github", "other/app/.github"));
    Result deny = run("verify", ref, "--policy", f("policy.yaml"));
    assertThat(deny.exitCode()).as(deny.toString()).isEqualTo(1);
    assertThat(deny.out()).contains("decision: DENY").contains("is not allowed");
  }

  @Test
  void attestEmbedsBundlesInDescriptorsOnRequest() throws Exception {
    inputs();
    var image = TestImages.pushImage(dev, "cli/inline", "v1");
    String ref = dev.host() + "/cli/inline@" + image.digest();
    assertThat(run("sign", ref, "--key", f("attest.key")).exitCode()).isZero();
    Result attest = run("attest", ref, "--provenance", f("provenance.json"), "--sbom", f("bom.json"),
        "--vuln", f("trivy.json"), "--key", f("attest.key"), "--embed-bundles", "--output", "json");
    assertThat(attest.exitCode()).as(attest.toString()).isZero();
    for (JsonNode r : JSON.readTree(attest.out()).get("referrers")) {
      var m = (dev.attest.core.ImageManifest) dev.manifest("cli/inline", r.get("referrer").asText()).orElseThrow();
      assertThat(m.layers().get(0).dataBytes()).as(r.toString()).isPresent();
    }
    Result ok = run("verify", ref, "--policy", f("policy.yaml"));
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
  }

  @Test
  void attestAndSignRefuseBadInputWithExitTwo() throws Exception {
    inputs();
    var image = TestImages.pushImage(dev, "cli/bad", "v1");
    String ref = dev.host() + "/cli/bad@" + image.digest();
    assertThat(run("attest", ref, "--key", f("attest.key")).exitCode()).isEqualTo(2);
    assertThat(run("attest", ref, "--vuln", f("bom.json"), "--key", f("attest.key")).exitCode()).isEqualTo(2);
    assertThat(run("sign", ref, "--key", f("policy.yaml")).exitCode()).isEqualTo(2);
    assertThat(run("verify", ref, "--policy", f("missing.yaml")).exitCode()).isEqualTo(2);
    // Nothing was attached by the refused commands.
    Result v = run("tree", ref);
    assertThat(v.out()).doesNotContain("bundle");
  }

  @Test
  void promotePlansWithoutWritingThenPromotesVerifiedAndAttested() throws Exception {
    inputs();
    var image = TestImages.pushImage(dev, "cli/promote", "v1");
    String ref = dev.host() + "/cli/promote@" + image.digest();
    assertThat(run("sign", ref, "--key", f("attest.key")).exitCode()).isZero();
    assertThat(run("attest", ref, "--provenance", f("provenance.json"), "--sbom", f("bom.json"),
        "--vuln", f("trivy.json"), "--key", f("attest.key")).exitCode()).isZero();
    String to = prod.host() + "/shop/app";

    Result plan = run("promote", ref, "--to", to, "--tag", "v1", "--policy", f("policy.yaml"), "--plan");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out()).contains("promote " + image.digest()).contains("REFERRER").contains("v1");
    assertThat(prod.manifest("shop/app", image.digest().toString())).isEmpty();
    assertThat(prod.tags("shop/app")).isEmpty();

    Result done = run("promote", ref, "--to", to, "--tag", "v1", "--policy", f("policy.yaml"), "--key", f("attest.key"));
    assertThat(done.exitCode()).as(done.toString()).isZero();
    assertThat(done.out()).contains("== gate at the source: ALLOW").contains("== verification at the destination: ALLOW")
        .contains("Promoted " + image.digest()).contains("Promotion attestation: sha256:");
    // Not a terminal: plain progress lines on stderr, no bar.
    assertThat(done.err()).contains("tag v1 -> ").doesNotContain("\r");
    assertThat(prod.manifest("shop/app", "v1")).hasValueSatisfying(m -> assertThat(m.digest()).isEqualTo(image.digest()));

    Result again = run("promote", ref, "--to", to, "--tag", "v1", "--policy", f("policy.yaml"), "--output", "json");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    JsonNode j = JSON.readTree(again.out());
    assertThat(j.get("promoted").asBoolean()).isTrue();
    assertThat(j.get("writes").asInt()).isZero();
  }

  @Test
  void promoteDeniedByTheGateExitsOneAndWritesNothing() throws Exception {
    inputs();
    var image = TestImages.pushImage(dev, "cli/unsigned", "v1");
    String ref = dev.host() + "/cli/unsigned@" + image.digest();
    Result r = run("promote", ref, "--to", prod.host() + "/shop/unsigned", "--tag", "v1", "--policy", f("policy.yaml"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("gate at the source: DENY").contains("NOT PROMOTED");
    assertThat(prod.manifest("shop/unsigned", image.digest().toString())).isEmpty();
  }

  @Test
  void admissionServeAnswersHealthzOverTlsUntilInterrupted() throws Exception {
    inputs();
    X509Certificate cert = selfSigned(dir);
    StringWriter out = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread t = new Thread(() -> code.set(Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
        "admission", "serve", "--policy", f("policy.yaml"), "--tls-cert", f("tls.crt"), "--tls-key", f("tls.key"),
        "--port", "0", "--bind", "127.0.0.1", "--output", "json")));
    t.start();
    JsonNode info = null;
    for (int i = 0; i < 200 && info == null; i++) {
      String s = out.toString();
      if (s.contains("}")) {
        info = JSON.readTree(s);
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(info).as("serve printed its address").isNotNull();
    assertThat(info.get("policy").asText()).isEqualTo("test");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> h = client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + info.get("port").asInt() + "/healthz")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).isEqualTo("ok\n");
    String base = "https://localhost:" + info.get("port").asInt();
    assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    // A review that starts no image: allowed, logged as one JSON line, counted in /metrics.
    String delete = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        + "\"uid\":\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"DELETE\"}}";
    HttpResponse<String> review = client.send(HttpRequest.newBuilder(URI.create(base + "/validate"))
        .POST(HttpRequest.BodyPublishers.ofString(delete)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(review.body()).at("/response/allowed").asBoolean()).isTrue();
    String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("attest_admission_reviews_total{decision=\"skip\",kind=\"Pod\"} 1.0")
        .contains("attest_admission_review_duration_seconds_bucket").contains("attest_verification_cache_hits")
        .contains("attest_registry_errors_total");
    String logLine = out.toString().lines().filter(l -> l.contains("\"uid\":\"u-1\"")).findFirst().orElseThrow();
    JsonNode logged = JSON.readTree(logLine);
    assertThat(logged.get("decision").asText()).isEqualTo("skip");
    assertThat(logged.get("reasons").get(0).asText()).isEqualTo("operation DELETE starts no image");
    assertThat(logged.has("ms")).isTrue();

    t.interrupt();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(code.get()).isZero();
  }

  @Test
  void admissionServeRefusesMissingTlsFiles() throws Exception {
    inputs();
    Result r = run("admission", "serve", "--policy", f("policy.yaml"), "--tls-cert", f("none.crt"), "--tls-key",
        f("none.key"), "--port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("TLS file not found");
  }

  /** A self-signed certificate for localhost: tls.crt and tls.key (PKCS#8) in {@code dir}. */
  static X509Certificate selfSigned(Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=attest-cli-test");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost")}));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(cert);
    }
    Files.writeString(dir.resolve("tls.crt"), pem.toString());
    Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    return cert;
  }
}
