package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.EdDSAParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A keyless message signature by an Ed25519 certificate key (ADR 0030): Ed25519ph over the
 * artifact, a Rekor v1 hashedrekord entry with its SHA-512, a Fulcio-style certificate from the
 * test stack. It verifies; another artifact, a pure Ed25519 signature, or an entry logging SHA-256
 * is refused.
 */
class KeylessEd25519Test {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SigstoreTestStack STACK = SigstoreTestStack.create("ed");
  private static final String ISSUER = "https://accounts.example.test";
  private static final String SAN = "ed@example.test";
  private static final byte[] BLOB = "signed with an Ed25519 certificate".getBytes(StandardCharsets.UTF_8);

  static byte[] bundle(boolean prehash, String loggedHash) throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] der = STACK.issueCertificate(Identity.email(ISSUER, SAN), ed.getPublic());
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(der));
    Signature s = Signature.getInstance("Ed25519");
    if (prehash) {
      s.setParameter(new EdDSAParameterSpec(true));
    }
    s.initSign(ed.getPrivate());
    s.update(BLOB);
    String sig = Base64.getEncoder().encodeToString(s.sign());
    byte[] sha512 = MessageDigest.getInstance("SHA-512").digest(BLOB);

    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "0.0.1");
    body.put("kind", "hashedrekord");
    ObjectNode spec = body.putObject("spec");
    ObjectNode hash = spec.putObject("data").putObject("hash");
    hash.put("algorithm", loggedHash);
    hash.put("value", HexFormat.of().formatHex(MessageDigest.getInstance(
        loggedHash.equals("sha512") ? "SHA-512" : "SHA-256").digest(BLOB)));
    ObjectNode sigNode = spec.putObject("signature");
    sigNode.put("content", sig);
    sigNode.putObject("publicKey").put("content",
        Base64.getEncoder().encodeToString(SigstoreTestStack.certificatePem(der)));
    ObjectNode entry = STACK.appendToLog("hashedrekord", SigstoreTestStack.canonicalJson(body),
        cert.getNotBefore().toInstant());

    ObjectNode bundle = JSON.createObjectNode();
    bundle.put("mediaType", SigstoreBundle.MEDIA_TYPE_V0_3);
    ObjectNode vm = bundle.putObject("verificationMaterial");
    vm.putObject("certificate").put("rawBytes", Base64.getEncoder().encodeToString(der));
    vm.putArray("tlogEntries").add(entry);
    ObjectNode ms = bundle.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_512");
    md.put("digest", Base64.getEncoder().encodeToString(sha512));
    ms.put("signature", sig);
    return JSON.writeValueAsBytes(bundle);
  }

  static KeylessResult verify(byte[] bundle, byte[] artifact) throws Exception {
    return KeylessBundleVerifier.of(TrustedRoot.parse(STACK.trustedRootJson())).verifyMessageSignature(bundle,
        ArtifactDigests.of(artifact), KeylessIdentity.exact(ISSUER, SAN), SigstoreOptions.KEYLESS);
  }

  @Test
  void anEd25519phMessageSignatureVerifies() throws Exception {
    byte[] b = bundle(true, "sha512");
    KeylessResult r = verify(b, BLOB);
    assertThat(r.ok()).as(r.reason()).isTrue();
    KeylessResult other = verify(b, "another artifact".getBytes(StandardCharsets.UTF_8));
    assertThat(other.ok()).isFalse();
    assertThat(other.reason()).contains("message digest");
  }

  @Test
  void aPureEd25519MessageSignatureIsRefused() throws Exception {
    KeylessResult r = verify(bundle(false, "sha512"), BLOB);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("does not verify", "PKIX_ED25519_PH");
  }

  @Test
  void anEntryLoggingAnotherDigestIsRefused() throws Exception {
    KeylessResult r = verify(bundle(true, "sha256"), BLOB);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("digest algorithm 'sha256', expected 'sha512'");
  }
}
