package dev.attest.verify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.KeylessSigningException.Step;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fulcio and Rekor failures, served by WireMock: each names its step and the answer. */
class KeylessSignerFailureTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create("failures");
  static SigstoreHttpStack http;
  WireMockServer mock;

  @BeforeAll
  static void startStack() throws Exception {
    http = SigstoreHttpStack.start(STACK);
  }

  @AfterAll
  static void stopStack() {
    http.close();
  }

  @BeforeEach
  void startMock() {
    mock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    mock.start();
  }

  @AfterEach
  void stopMock() {
    mock.stop();
  }

  KeylessSigner signer(String fulcio, String rekor, Duration timeout) throws Exception {
    return KeylessSigner.builder().fulcio(fulcio).rekor(rekor).timeout(timeout)
        .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build();
  }

  /** Fulcio is WireMock; Rekor the working stack. */
  KeylessSigner badFulcio() throws Exception {
    return signer(mock.baseUrl(), http.url(), Duration.ofSeconds(10));
  }

  /** Fulcio is the working stack; Rekor WireMock. */
  KeylessSigner badRekor() throws Exception {
    return signer(http.url(), mock.baseUrl(), Duration.ofSeconds(10));
  }

  static final Digest ARTIFACT = Digest.sha256("artifact".getBytes(StandardCharsets.UTF_8));

  static KeylessSigningException failure(KeylessSigner signer) {
    try {
      signer.signMessage(ARTIFACT);
    } catch (KeylessSigningException e) {
      return e;
    }
    throw new AssertionError("signing did not fail");
  }

  @Test
  void fulcio4xxNamesFulcioAndItsAnswer() throws Exception {
    mock.stubFor(post(urlEqualTo("/api/v2/signingCert")).willReturn(aResponse().withStatus(400)
        .withBody("{\"code\":3,\"message\":\"There was an error processing the identity token\"}")));
    KeylessSigningException e = failure(badFulcio());
    assertThat(e.step()).isEqualTo(Step.FULCIO);
    assertThat(e.getMessage()).startsWith("Fulcio: ").contains("answered 400", "error processing the identity token");
  }

  @Test
  void fulcio5xxNamesFulcioAndItsAnswer() throws Exception {
    mock.stubFor(post(urlEqualTo("/api/v2/signingCert")).willReturn(aResponse().withStatus(503).withBody("overloaded")));
    KeylessSigningException e = failure(badFulcio());
    assertThat(e.step()).isEqualTo(Step.FULCIO);
    assertThat(e.getMessage()).contains("answered 503", "overloaded");
  }

  @Test
  void aFulcioAnswerWithoutAnEmbeddedSctChainIsRefused() throws Exception {
    mock.stubFor(post(urlEqualTo("/api/v2/signingCert")).willReturn(aResponse().withStatus(200)
        .withBody("{\"signedCertificateDetachedSct\":{\"chain\":{\"certificates\":[]}}}")));
    KeylessSigningException e = failure(badFulcio());
    assertThat(e.step()).isEqualTo(Step.FULCIO);
    assertThat(e.getMessage()).contains("no certificate chain with an embedded SCT", "signedCertificateDetachedSct");
  }

  @Test
  void aFulcioTimeoutNamesFulcio() throws Exception {
    mock.stubFor(post(urlEqualTo("/api/v2/signingCert")).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    KeylessSigningException e = failure(signer(mock.baseUrl(), http.url(), Duration.ofMillis(200)));
    assertThat(e.step()).isEqualTo(Step.FULCIO);
    assertThat(e.getMessage()).containsIgnoringCase("timeout");
  }

  @Test
  void rekor409NamesRekorAndTheConflict() throws Exception {
    mock.stubFor(post(urlEqualTo("/api/v1/log/entries")).willReturn(aResponse().withStatus(409)
        .withBody("{\"code\":409,\"message\":\"an equivalent entry already exists in the transparency log\"}")));
    KeylessSigningException e = failure(badRekor());
    assertThat(e.step()).isEqualTo(Step.REKOR);
    assertThat(e.getMessage()).startsWith("Rekor: ").contains("409", "already exists");
  }

  @Test
  void aRekorTimeoutNamesRekor() throws Exception {
    // The timeout is generous for the local Fulcio, far below the Rekor delay.
    mock.stubFor(post(urlEqualTo("/api/v1/log/entries")).willReturn(aResponse().withStatus(201).withFixedDelay(30_000)));
    KeylessSigningException e = failure(signer(http.url(), mock.baseUrl(), Duration.ofSeconds(3)));
    assertThat(e.step()).isEqualTo(Step.REKOR);
    assertThat(e.getMessage()).containsIgnoringCase("timeout");
  }

  static String entry(byte[] body, String rootHashHex, List<String> hashes, long treeSize, String checkpoint) {
    return """
        {"24296fb24b8ad77a0000": {"body": "%s", "integratedTime": %d, "logID": "%s", "logIndex": 0,
          "verification": {"signedEntryTimestamp": "%s",
            "inclusionProof": {"checkpoint": %s, "hashes": [%s], "logIndex": 0, "rootHash": "%s", "treeSize": %d}}}}
        """.formatted(Base64.getEncoder().encodeToString(body), System.currentTimeMillis() / 1000,
        "00".repeat(32), Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}),
        "\"" + checkpoint.replace("\n", "\\n") + "\"",
        String.join(",", hashes.stream().map(h -> "\"" + h + "\"").toList()), rootHashHex, treeSize);
  }

  static byte[] sha256(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  @Test
  void aMalformedInclusionProofIsDetectedAndNothingIsAttached() throws Exception {
    byte[] body = "{\"kind\":\"dsse\"}".getBytes(StandardCharsets.UTF_8);
    byte[] sibling = sha256(new byte[] {0}, "other".getBytes(StandardCharsets.UTF_8));
    byte[] goodRoot = sha256(new byte[] {1}, sha256(new byte[] {0}, body), sibling);
    byte[] wrongSibling = sibling.clone();
    wrongSibling[0] ^= 1;
    HexFormat hex = HexFormat.of();
    String cp = "rekor.test - 1\n2\n" + Base64.getEncoder().encodeToString(goodRoot) + "\n\n— rekor.test AAAA\n";
    mock.stubFor(post(urlEqualTo("/api/v1/log/entries")).willReturn(aResponse().withStatus(201)
        .withBody(entry(body, hex.formatHex(goodRoot), List.of(hex.formatHex(wrongSibling)), 2, cp))));

    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Statement st = Statement.of(List.of(Subject.of("app", image.digest())), VerifyFixtures.provenance());
      KeylessSigner signer = badRekor();
      assertThatThrownBy(() -> Attestations.on(registry, "app", image.digest()).bundle(signer.signDsse(st).bytes()).attach())
          .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.REKOR))
          .hasMessageContaining("inclusion proof that does not verify")
          .hasMessageContaining("computed root hash");
      assertThat(Attestations.read(registry, "app", image.digest())).isEmpty();
    }
  }

  @Test
  void aProofThatVerifiesButDisagreesWithItsCheckpointIsRefused() throws Exception {
    byte[] body = "{\"kind\":\"dsse\"}".getBytes(StandardCharsets.UTF_8);
    byte[] sibling = sha256(new byte[] {0}, "other".getBytes(StandardCharsets.UTF_8));
    byte[] root = sha256(new byte[] {1}, sha256(new byte[] {0}, body), sibling);
    String cp = "rekor.test - 1\n3\n" + Base64.getEncoder().encodeToString(root) + "\n\n— rekor.test AAAA\n";
    mock.stubFor(post(urlEqualTo("/api/v1/log/entries")).willReturn(aResponse().withStatus(201)
        .withBody(entry(body, HexFormat.of().formatHex(root), List.of(HexFormat.of().formatHex(sibling)), 2, cp))));
    KeylessSigningException e = failure(badRekor());
    assertThat(e.step()).isEqualTo(Step.REKOR);
    assertThat(e.getMessage()).contains("checkpoint's tree size 3 is not the proof's 2");
  }

  @Test
  void aProofForAnotherEntryIsRefusedAsNotTheEntrySent() throws Exception {
    // A proof that verifies, but for a body that is not our hashedrekord.
    byte[] body = "{\"kind\":\"dsse\"}".getBytes(StandardCharsets.UTF_8);
    byte[] root = sha256(new byte[] {0}, body);
    String cp = "rekor.test - 1\n1\n" + Base64.getEncoder().encodeToString(root) + "\n\n— rekor.test AAAA\n";
    mock.stubFor(post(urlEqualTo("/api/v1/log/entries")).willReturn(aResponse().withStatus(201)
        .withBody(entry(body, HexFormat.of().formatHex(root), List.of(), 1, cp))));
    KeylessSigningException e = failure(badRekor());
    assertThat(e.step()).isEqualTo(Step.REKOR);
    assertThat(e.getMessage()).contains("the logged entry is not the one sent");
  }
}
