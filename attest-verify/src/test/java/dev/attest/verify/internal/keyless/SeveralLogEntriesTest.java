package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.attest.core.Digest;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A bundle logged in two logs (a signing config's EXACT or ALL selection, ADR 0030): a Rekor v1
 * {@code hashedrekord} 0.0.1 entry with SET, proof and checkpoint in one log, and a Rekor v2
 * {@code hashedrekord} 0.0.2 entry (no SET, integrated time 0) in another, both built by the test
 * stack. Both verify; a change to either entry is refused with the entry's number; the v2 log
 * must have been valid at the v1 entry's verified time.
 */
class SeveralLogEntriesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SigstoreTestStack V1 = SigstoreTestStack.create("one");
  private static final SigstoreTestStack V2 = SigstoreTestStack.create("two");
  private static final String ISSUER = "https://accounts.example.test";
  private static final String SAN = "dev@example.test";
  private static final byte[] BLOB = "logged twice".getBytes(StandardCharsets.UTF_8);
  private static final String E1 = "/verificationMaterial/tlogEntries/0";
  private static final String E2 = "/verificationMaterial/tlogEntries/1";

  /** The v1 stack's bundle with a v2 entry from the second log appended. */
  static ObjectNode twoEntryBundle() throws Exception {
    SigstoreBundle one = V1.signBlob(BLOB, Identity.email(ISSUER, SAN));
    ObjectNode bundle = (ObjectNode) JSON.readTree(one.bytes());
    byte[] der = Base64.getDecoder().decode(bundle.at("/verificationMaterial/certificate/rawBytes").textValue());
    String sig = bundle.at("/messageSignature/signature").textValue();
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(der));

    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "0.0.2");
    body.put("kind", "hashedrekord");
    ObjectNode spec = body.putObject("spec").putObject("hashedRekordV002");
    ObjectNode data = spec.putObject("data");
    data.put("algorithm", "SHA2_256");
    data.put("digest", Base64.getEncoder().encodeToString(Digest.sha256(BLOB).hash()));
    ObjectNode s = spec.putObject("signature");
    s.put("content", sig);
    ObjectNode verifier = s.putObject("verifier");
    verifier.putObject("x509Certificate").put("rawBytes", Base64.getEncoder().encodeToString(der));
    verifier.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    ObjectNode entry = V2.appendToLog("hashedrekord", SigstoreTestStack.canonicalJson(body),
        cert.getNotBefore().toInstant());
    // Rekor v2's shape: version 0.0.2, no SET, integrated time 0 (inclusion, not time).
    ((ObjectNode) entry.get("kindVersion")).put("version", "0.0.2");
    entry.remove("inclusionPromise");
    entry.put("integratedTime", "0");
    ((ArrayNode) bundle.at("/verificationMaterial/tlogEntries")).add(entry);
    return bundle;
  }

  /** The first stack's root with the second stack's log, valid from {@code v2From} to {@code v2To}. */
  static TrustedRoot root(Instant v2From, Instant v2To) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(V1.trustedRootJson());
    ObjectNode log = (ObjectNode) JSON.readTree(V2.trustedRootJson()).at("/tlogs/0");
    ObjectNode validFor = (ObjectNode) log.at("/publicKey/validFor");
    validFor.put("start", v2From.toString());
    if (v2To != null) {
      validFor.put("end", v2To.toString());
    }
    ((ArrayNode) root.get("tlogs")).add(log);
    return TrustedRoot.parse(JSON.writeValueAsBytes(root));
  }

  static KeylessResult verify(ObjectNode bundle, TrustedRoot root) throws Exception {
    return KeylessBundleVerifier.of(root).verifyMessageSignature(JSON.writeValueAsBytes(bundle), Digest.sha256(BLOB),
        KeylessIdentity.exact(ISSUER, SAN));
  }

  @Test
  void bothEntriesVerify() throws Exception {
    ObjectNode b = twoEntryBundle();
    KeylessResult r = verify(b, root(SigstoreTestStack.VALID_FROM, null));
    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(r.reason()).contains("logged at");
  }

  @Test
  void aChangeToEitherEntryIsRefusedWithItsNumber() throws Exception {
    TrustedRoot root = root(SigstoreTestStack.VALID_FROM, null);
    record Change(String name, Consumer<ObjectNode> change, String reason) {}
    for (Change c : new Change[] {
        new Change("v1 SET", b -> flip(b, E1 + "/inclusionPromise", "signedEntryTimestamp"),
            "transparency log entry 1 of 2: the signed entry timestamp does not verify"),
        new Change("v1 integrated time", b -> ((ObjectNode) b.at(E1)).put("integratedTime",
            Long.toString(Long.parseLong(b.at(E1 + "/integratedTime").textValue()) + 1)), "entry 1 of 2"),
        new Change("v1 proof hash", b -> flipArray(b, E1 + "/inclusionProof/hashes"), "entry 1 of 2: inclusion proof"),
        new Change("v1 checkpoint signature", b -> checkpoint(b, E1), "entry 1 of 2: checkpoint signature"),
        new Change("v2 proof hash", b -> flipArray(b, E2 + "/inclusionProof/hashes"), "entry 2 of 2: inclusion proof"),
        new Change("v2 root hash", b -> flip(b, E2 + "/inclusionProof", "rootHash"), "entry 2 of 2"),
        new Change("v2 checkpoint signature", b -> checkpoint(b, E2), "entry 2 of 2: checkpoint signature"),
        new Change("v2 log index", b -> ((ObjectNode) b.at(E2)).put("logIndex", "1"), "entry 2 of 2"),
        new Change("v2 log id", b -> flip(b, E2 + "/logId", "keyId"), "entry 2 of 2"),
        new Change("v2 body signature", b -> body(b, E2, n -> ((ObjectNode) n.at("/spec/hashedRekordV002/signature"))
            .put("content", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}))), "entry 2 of 2"),
        new Change("v2 given a SET-less v1 kind", b -> ((ObjectNode) b.at(E2 + "/kindVersion")).put("version", "0.0.1"),
            "entry 2 of 2"),
        new Change("v2 unknown kind", b -> ((ObjectNode) b.at(E2 + "/kindVersion")).put("kind", "rekord"),
            "entry 2 of 2"),
    }) {
      ObjectNode b = twoEntryBundle();
      c.change().accept(b);
      KeylessResult r = verify(b, root);
      assertThat(r.ok()).as("%s accepted: %s", c.name(), r.reason()).isFalse();
      assertThat(r.reason()).as(c.name()).contains(c.reason());
    }
  }

  @Test
  void theV2LogMustBeValidAtTheV1EntrysTime() throws Exception {
    ObjectNode b = twoEntryBundle();
    Instant integrated = Instant.ofEpochSecond(Long.parseLong(b.at(E1 + "/integratedTime").textValue()));
    KeylessResult r = verify(b, root(SigstoreTestStack.VALID_FROM, integrated.minusSeconds(60)));
    assertThat(r.ok()).as("a v2 log that had ended was accepted").isFalse();
    assertThat(r.reason()).contains("was not valid at " + integrated);
    assertThat(verify(b, root(SigstoreTestStack.VALID_FROM, integrated.plusSeconds(60))).ok()).isTrue();
  }

  @Test
  void anEntryInALogTheRootDoesNotHaveIsRefusedEvenBesideAGoodOne() throws Exception {
    ObjectNode b = twoEntryBundle();
    KeylessResult r = verify(b, TrustedRoot.parse(V1.trustedRootJson()));
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("entry 2 of 2", "not in the trusted root");
  }

  private static void flip(ObjectNode b, String at, String field) {
    ObjectNode o = (ObjectNode) b.at(at);
    byte[] v = Base64.getDecoder().decode(o.get(field).textValue());
    v[v.length - 1] ^= 1;
    o.put(field, Base64.getEncoder().encodeToString(v));
  }

  private static void flipArray(ObjectNode b, String at) {
    ArrayNode a = (ArrayNode) b.at(at);
    byte[] v = Base64.getDecoder().decode(a.get(0).textValue());
    v[0] ^= 1;
    a.set(0, TextNode.valueOf(Base64.getEncoder().encodeToString(v)));
  }

  private static void checkpoint(ObjectNode b, String entry) {
    ObjectNode cp = (ObjectNode) b.at(entry + "/inclusionProof/checkpoint");
    String e = cp.get("envelope").textValue();
    int at = e.lastIndexOf(' ') + 1;
    byte[] line = Base64.getDecoder().decode(e.substring(at).trim());
    line[line.length - 1] ^= 1;
    cp.put("envelope", e.substring(0, at) + Base64.getEncoder().encodeToString(line) + "\n");
  }

  private static void body(ObjectNode b, String entry, Consumer<ObjectNode> change) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(Base64.getDecoder().decode(b.at(entry + "/canonicalizedBody").textValue()));
      change.accept(body);
      ((ObjectNode) b.at(entry)).put("canonicalizedBody",
          Base64.getEncoder().encodeToString(SigstoreTestStack.canonicalJson(body)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

}
