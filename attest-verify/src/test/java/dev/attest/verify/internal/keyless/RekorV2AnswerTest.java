package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.verify.KeylessSigningException;
import dev.attest.verify.internal.sigstore.Rfc3161;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.function.Consumer;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The signer's reading of a Rekor v2 answer ({@link KeylessSigning#readEntryV2}) and its RFC 3161
 * request ({@link Rfc3161#request}): each part of the answer that is checked, changed, is refused.
 */
class RekorV2AnswerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final SigstoreTestStack STACK = SigstoreTestStack.create("answer");
  static LogEntryBodies.Signed signed;
  static byte[] body;

  @BeforeAll
  static void entry() throws Exception {
    KeyPair key = Keys.generateP256();
    byte[] cert = STACK.issueCertificate(Identity.email("https://issuer.example", "a@example.com"), key.getPublic());
    byte[] digest = Digest.sha256("artifact".getBytes(StandardCharsets.UTF_8)).hash();
    Signature s = Signature.getInstance("NONEwithECDSA");
    s.initSign(key.getPrivate());
    s.update(digest);
    byte[] sig = s.sign();
    signed = new LogEntryBodies.Signed(SignatureAlgorithm.PKIX_ECDSA_P256_SHA_256, "SHA-256", sig, cert,
        key.getPublic().getEncoded(), true, digest, null);
    ObjectNode entry = JSON.createObjectNode();
    entry.put("apiVersion", "0.0.2");
    entry.put("kind", "hashedrekord");
    ObjectNode spec = entry.putObject("spec").putObject("hashedRekordV002");
    spec.putObject("data").put("algorithm", "SHA2_256").put("digest", b64(digest));
    ObjectNode signature = spec.putObject("signature");
    signature.put("content", b64(sig));
    ObjectNode verifier = signature.putObject("verifier");
    verifier.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    verifier.putObject("x509Certificate").put("rawBytes", b64(cert));
    body = SigstoreTestStack.canonicalJson(entry);
  }

  static byte[] answer(Consumer<ObjectNode> change) throws Exception {
    ObjectNode a = STACK.appendToLogV2("hashedrekord", body, SigstoreTestStack.V2Fault.NONE);
    change.accept(a);
    return JSON.writeValueAsBytes(a);
  }

  static String refusal(Consumer<ObjectNode> change) throws Exception {
    byte[] a = answer(change);
    try {
      KeylessSigning.readEntryV2(a, signed);
    } catch (KeylessSigningException e) {
      assertThat(e.step()).isEqualTo(KeylessSigningException.Step.REKOR);
      return e.getMessage();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void aCorrectAnswerIsKeptAsTheBundleEntry() throws Exception {
    ObjectNode e = KeylessSigning.readEntryV2(answer(a -> { }), signed);
    assertThat(e.path("integratedTime").asText()).isEqualTo("0");
    assertThat(e.has("inclusionPromise")).isFalse();
    assertThat(e.path("kindVersion").path("version").asText()).isEqualTo("0.0.2");
    assertThat(Base64.getDecoder().decode(e.path("canonicalizedBody").asText())).isEqualTo(body);
    assertThat(Base64.getDecoder().decode(e.path("logId").path("keyId").asText())).isEqualTo(STACK.rekorV2LogId());
    // protobuf JSON may write int64 as numbers and omit a zero integrated time
    ObjectNode n = KeylessSigning.readEntryV2(answer(a -> a.put("integratedTime", "0")), signed);
    assertThat(n.path("logIndex").asText()).isNotEmpty();
  }

  @Test
  void anotherKindIsRefused() throws Exception {
    assertThat(refusal(a -> ((ObjectNode) a.get("kindVersion")).put("kind", "dsse")))
        .contains("a hashedrekord 0.0.2 entry was sent");
    assertThat(refusal(a -> ((ObjectNode) a.get("kindVersion")).put("version", "0.0.1")))
        .contains("a hashedrekord 0.0.2 entry was sent");
  }

  @Test
  void aMissingOrShortLogIdIsRefused() throws Exception {
    assertThat(refusal(a -> a.remove("logId"))).contains("keyId");
    assertThat(refusal(a -> ((ObjectNode) a.get("logId")).put("keyId", b64(new byte[31]))))
        .contains("log ID of 31 bytes");
  }

  @Test
  void aProofForAnotherIndexIsRefused() throws Exception {
    assertThat(refusal(a -> a.put("logIndex", Long.parseLong(a.path("logIndex").asText()) + 1 + "")))
        .contains("inclusion proof for index");
  }

  @Test
  void aMissingProofOrCheckpointIsRefused() throws Exception {
    assertThat(refusal(a -> a.remove("inclusionProof"))).contains("without an inclusion proof");
    assertThat(refusal(a -> ((ObjectNode) a.get("inclusionProof")).remove("checkpoint"))).contains("envelope");
    assertThat(refusal(a -> ((ObjectNode) a.path("inclusionProof").path("checkpoint")).put("envelope",
        "not a signed note\n"))).contains("malformed checkpoint");
  }

  @Test
  void aBodyThatIsNotOursIsRefused() throws Exception {
    String other = new String(body, StandardCharsets.UTF_8).replace("\"SHA2_256\"", "\"SHA2_384\"");
    assertThat(refusal(a -> a.put("canonicalizedBody", b64(other.getBytes(StandardCharsets.UTF_8)))))
        .contains("not the one sent");
  }

  @Test
  void aNegativeOrNonNumericIndexIsRefused() throws Exception {
    assertThat(refusal(a -> a.put("logIndex", "-1"))).contains("logIndex");
    assertThat(refusal(a -> ((ObjectNode) a.get("inclusionProof")).put("treeSize", "ten"))).contains("treeSize");
    assertThat(refusal(a -> a.put("logIndex", 1.5))).contains("logIndex");
  }

  @Test
  void theTimestampRequestIsADerTimeStampReqWithNonceAndCertReq() throws Exception {
    byte[] sig = "signature bytes".getBytes(StandardCharsets.UTF_8);
    BigInteger nonce = new BigInteger("9223372036854775809");
    byte[] der = Rfc3161.request(sig, nonce);
    TimeStampRequest req = new TimeStampRequest(der);
    assertThat(req.getEncoded()).isEqualTo(der); // DER: BouncyCastle re-encodes it identically
    assertThat(req.getVersion()).isEqualTo(1);
    assertThat(req.getMessageImprintAlgOID()).isEqualTo(TSPAlgorithms.SHA256);
    assertThat(req.getMessageImprintDigest()).isEqualTo(Digest.sha256(sig).hash());
    assertThat(req.getNonce()).isEqualTo(nonce);
    assertThat(req.getCertReq()).isTrue();
    assertThat(req.getReqPolicy()).isNull();
    assertThatThrownBy(() -> Rfc3161.request(sig, BigInteger.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
