package dev.attest.registry;

import static dev.attest.registry.AttestFixtures.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input is refused with a precise error, and nothing is attached: every case also carries a
 * valid provenance, which must not be pushed either.
 */
class AttestationsBadInputTest {
  EmbeddedRegistry server;
  Registry registry;
  ImageManifest image;

  @BeforeEach
  void start() {
    server = EmbeddedRegistry.builder().referrersApi(false).build().start();
    registry = Registry.remote(server.host());
    image = TestImages.pushImage(server, "app", "v1");
  }

  @AfterEach
  void stop() {
    registry.close();
    server.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private byte[] statementAbout(Digest d) {
    return Statement.of(List.of(Subject.of("app", d)), "https://example.com/p/v1", utf8("{}")).bytes();
  }

  private static byte[] bundleJson(String payloadB64, String payloadType, String signatures) {
    return utf8("{\"mediaType\":\"" + SigstoreBundle.MEDIA_TYPE_V0_3 + "\",\"verificationMaterial\":"
        + "{\"publicKey\":{\"hint\":\"" + SIGNER.hint() + "\"}},\"dsseEnvelope\":{\"payload\":\"" + payloadB64
        + "\",\"payloadType\":\"" + payloadType + "\",\"signatures\":" + signatures + "}}");
  }

  private String oneSig() {
    return "[{\"sig\":\"" + b64(utf8("not-a-real-signature")) + "\"}]";
  }

  /** Attaches a valid provenance plus {@code bad}; expects a refusal and an untouched registry. */
  private AbstractThrowableAssert<?, ? extends Throwable> refused(java.util.function.UnaryOperator<Attestations> bad)
      throws Exception {
    Attestations flow = Attestations.on(registry, "app", image.digest())
        .provenance(AttestFixtures.provenance()).signWith(SIGNER);
    AbstractThrowableAssert<?, ? extends Throwable> t = assertThatThrownBy(() -> bad.apply(flow).attach());
    assertThat(registry.referrers("app", image.digest(), null)).isEmpty();
    assertThat(server.tags("app")).containsExactly("v1");
    assertThat(server.hasBlob("app", Descriptor.EMPTY.digest())).as("no blob pushed").isFalse();
    return t;
  }

  @Test
  void malformedBase64() throws Exception {
    byte[] bundle = bundleJson("%%%not*base64", Statement.PAYLOAD_TYPE, oneSig());
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("attestation #2 (pre-signed bundle) is invalid")
        .hasMessageContaining("payload");
  }

  @Test
  void wrongPayloadType() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign("text/plain", statementAbout(image.digest()), SIGNER);
    byte[] bundle = SigstoreBundle.ofDsse(env, SIGNER.hint()).bytes();
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("wrong DSSE payloadType 'text/plain'");
  }

  @Test
  void zeroSignatures() throws Exception {
    byte[] bundle = bundleJson(b64(statementAbout(image.digest())), Statement.PAYLOAD_TYPE, "[]");
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("exactly one signature, found 0");
  }

  @Test
  void twoSignatures() throws Exception {
    String two = "[{\"sig\":\"" + b64(utf8("a")) + "\"},{\"sig\":\"" + b64(utf8("b")) + "\"}]";
    byte[] bundle = bundleJson(b64(statementAbout(image.digest())), Statement.PAYLOAD_TYPE, two);
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("exactly one signature, found 2");
  }

  @Test
  void subjectIsNotTheImageInAPreSignedBundle() throws Exception {
    Digest other = Digest.sha256(utf8("another image"));
    DsseEnvelope env = DsseEnvelope.sign(Statement.PAYLOAD_TYPE, statementAbout(other), SIGNER);
    byte[] bundle = SigstoreBundle.ofDsse(env, SIGNER.hint()).bytes();
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("do not include the image digest " + image.digest())
        .hasMessageContaining(other.hex());
  }

  @Test
  void subjectIsNotTheImageInAGivenStatement() throws Exception {
    Statement st = Statement.parse(statementAbout(Digest.sha256(utf8("another image"))));
    refused(f -> f.statement(st)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("attestation #2 (statement of https://example.com/p/v1)")
        .hasMessageContaining("do not include the image digest " + image.digest());
  }

  @Test
  void nonJsonPredicate() throws Exception {
    refused(f -> f.predicate("https://example.com/p/v1", utf8("not json")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("attestation #2 (predicate https://example.com/p/v1) is invalid");
  }

  @Test
  void bomOverSize() throws Exception {
    byte[] huge = new byte[Attestations.MAX_PREDICATE_BYTES + 1];
    refused(f -> f.sbom(huge)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("attestation #2 (predicate https://cyclonedx.org/bom) is "
            + huge.length + " bytes, over the limit of " + Attestations.MAX_PREDICATE_BYTES);
  }

  @Test
  void schemaInvalidBom() throws Exception {
    byte[] bom = utf8("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
        + "\"components\":[{\"type\":\"no-such-type\",\"name\":\"x\"}]}");
    refused(f -> f.sbom(bom)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("attestation #2 (predicate https://cyclonedx.org/bom) is invalid");
  }

  @Test
  void statementWithNoSubjects() throws Exception {
    byte[] st = utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
        + "\"predicateType\":\"https://example.com/p/v1\",\"predicate\":{}}");
    byte[] bundle = bundleJson(b64(st), Statement.PAYLOAD_TYPE, oneSig());
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("subject");
  }

  @Test
  void messageSignatureBundleIsNotAnAttestation() throws Exception {
    byte[] bundle = SigstoreBundle.ofMessageSignature(image.digest(), utf8("sig"), SIGNER.hint()).bytes();
    refused(f -> f.bundle(bundle)).isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("holds a message signature");
  }

  @Test
  void signerFailureLeavesNothing() throws Exception {
    dev.attest.core.Signer failing = new dev.attest.core.Signer() {
      int calls;

      @Override
      public byte[] sign(byte[] message) throws dev.attest.core.SigningException {
        if (++calls == 2) {
          throw new dev.attest.core.SigningException("HSM went away");
        }
        return SIGNER.sign(message);
      }

      @Override
      public java.security.PublicKey publicKey() {
        return SIGNER.publicKey();
      }
    };
    refused(f -> f.imageSignature().signWith(failing))
        .isInstanceOf(dev.attest.core.SigningException.class).hasMessageContaining("HSM went away");
  }
}
