package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tampered variants of real bundles (the shared vectors, see {@link SigstoreVectorsTest}): for
 * every bundle field the verifier reads, a change is refused, with a reason naming the check. The
 * bases are a Rekor v2 message signature with a timestamp (03), a Rekor v1 {@code dsse} entry with
 * SET, proof and checkpoint (09) and a Rekor v1 {@code intoto} entry with a SET only (07).
 */
class TamperedBundleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V2 = "03-rekor2-hashedrekord-prod";
  private static final String DSSE = "09-rekor1-dsse001-keyless";
  private static final String INTOTO = "07-rekor1-intoto002-keyless-npm-provenance";
  private static final String TLOG = "/verificationMaterial/tlogEntries/0";
  private static final String PROOF = TLOG + "/inclusionProof";

  record Case(String base, String name, Consumer<ObjectNode> change, String reason) {
    @Override
    public String toString() {
      return base.substring(0, 2) + " " + name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // ---- Rekor v2, message signature, RFC 3161 timestamp (03)
        new Case(V2, "tlog body digest", body(b -> b.with("spec").with("hashedRekordV002").with("data")
            .put("digest", flipB64(b.at("/spec/hashedRekordV002/data/digest").textValue()))), "is about other content"),
        new Case(V2, "tlog body signature", body(b -> b.with("spec").with("hashedRekordV002").with("signature")
            .put("content", flipB64(b.at("/spec/hashedRekordV002/signature/content").textValue()))),
            "not the bundle's signature"),
        new Case(V2, "tlog body verifier key", body(b -> ((ObjectNode) b.at("/spec/hashedRekordV002/signature/verifier/publicKey"))
            .put("rawBytes", flipB64(b.at("/spec/hashedRekordV002/signature/verifier/publicKey/rawBytes").textValue()))),
            "not the bundle certificate's key"),
        new Case(V2, "tlog body keyDetails", body(b -> ((ObjectNode) b.at("/spec/hashedRekordV002/signature/verifier"))
            .put("keyDetails", "PKIX_ECDSA_P384_SHA_384")), "verifier algorithm"),
        new Case(V2, "tlog body digest algorithm", body(b -> ((ObjectNode) b.at("/spec/hashedRekordV002/data"))
            .put("algorithm", "SHA2_384")), "digest algorithm"),
        new Case(V2, "tlog body bytes (same meaning)", n -> {
          String body = new String(b64(n.at(TLOG + "/canonicalizedBody")), StandardCharsets.UTF_8);
          ((ObjectNode) n.at(TLOG)).put("canonicalizedBody", b64(("{ " + body.substring(1)).getBytes(StandardCharsets.UTF_8)));
        }, "inclusion proof does not verify"),
        new Case(V2, "kindVersion kind", n -> ((ObjectNode) n.at(TLOG + "/kindVersion")).put("kind", "dsse"), "kindVersion"),
        new Case(V2, "kindVersion version", n -> ((ObjectNode) n.at(TLOG + "/kindVersion")).put("version", "0.0.1"),
            "kindVersion"),
        new Case(V2, "unknown kind", n -> ((ObjectNode) n.at(TLOG + "/kindVersion")).put("kind", "rekord"),
            "is not one attest verifies"),
        new Case(V2, "logIndex", n -> ((ObjectNode) n.at(TLOG)).put("logIndex", "547660"), "log index"),
        new Case(V2, "logId", n -> ((ObjectNode) n.at(TLOG + "/logId")).put("keyId", flipB64(n.at(TLOG + "/logId/keyId").textValue())),
            "is not in the trusted root"),
        new Case(V2, "no inclusion proof", n -> ((ObjectNode) n.at(TLOG)).remove("inclusionProof"), "no inclusion proof"),
        new Case(V2, "proof hash", n -> ((ArrayNode) n.at(PROOF + "/hashes")).set(0,
            TextNode.valueOf(flipB64(n.at(PROOF + "/hashes/0").textValue()))), "inclusion proof does not verify"),
        new Case(V2, "proof hash removed", n -> ((ArrayNode) n.at(PROOF + "/hashes")).remove(0), "inclusion proof does not verify"),
        new Case(V2, "proof logIndex", n -> ((ObjectNode) n.at(PROOF)).put("logIndex", "547660"), "log index"),
        new Case(V2, "proof treeSize", n -> ((ObjectNode) n.at(PROOF)).put("treeSize", "547663"), "inclusion proof does not verify"),
        new Case(V2, "proof rootHash", n -> ((ObjectNode) n.at(PROOF)).put("rootHash", flipB64(n.at(PROOF + "/rootHash").textValue())),
            "inclusion proof does not verify"),
        new Case(V2, "checkpoint tree size", checkpoint(c -> c.replace("\n547662\n", "\n547663\n")), "does not commit to"),
        new Case(V2, "checkpoint root hash", checkpoint(c -> c.replace("7RWSUbM+", "8RWSUbM+")), "does not commit to"),
        new Case(V2, "checkpoint origin", checkpoint(c -> c.replaceFirst("^log2025-1", "log2025-2")), "no signature by the log"),
        new Case(V2, "checkpoint extension line", checkpoint(c -> c.replace("=\n\n\u2014", "=\nextension\n\n\u2014")),
            "does not verify with the log's key"),
        new Case(V2, "checkpoint signature", checkpoint(c -> c.replace("zxGZFS2PMag7", "zxGZFS2PMag8")), "does not verify"),
        new Case(V2, "checkpoint signer name", checkpoint(c -> c.replace("\u2014 log2025-1.rekor.sigstore.dev",
            "\u2014 log2025-1.rekor.sigstore.dev.evil")), "no signature by the log"),
        new Case(V2, "checkpoint without signature", checkpoint(c -> c.substring(0, c.indexOf("\n\n") + 2)), "no signature lines"),
        new Case(V2, "checkpoint without blank line", checkpoint(c -> c.replace("\n\n", "\n")), "not a signed note"),
        new Case(V2, "checkpoint removed", n -> ((ObjectNode) n.at(PROOF)).remove("checkpoint"), "has no checkpoint"),
        new Case(V2, "checkpoint format", checkpoint(c -> "not a checkpoint"), "checkpoint"),
        new Case(V2, "timestamp", n -> ((ObjectNode) n.at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0"))
            .put("signedTimestamp", flipB64(n.at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp")
                .textValue(), 200)), "RFC 3161 timestamp"),
        new Case(V2, "timestamp unparseable", n -> ((ObjectNode) n.at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0"))
            .put("signedTimestamp", "AAAA"), "RFC 3161 timestamp"),
        new Case(V2, "timestamp removed (no verified time)", n -> ((ObjectNode) n.at("/verificationMaterial")).remove("timestampVerificationData"),
            "no verified time"),
        new Case(V2, "certificate", n -> ((ObjectNode) n.at("/verificationMaterial/certificate"))
            .put("rawBytes", flipB64(n.at("/verificationMaterial/certificate/rawBytes").textValue(), 500)), "certificate"),
        new Case(V2, "signature", n -> ((ObjectNode) n.at("/messageSignature")).put("signature",
            flipB64(n.at("/messageSignature/signature").textValue(), 20)), "signature"),
        new Case(V2, "messageDigest", n -> ((ObjectNode) n.at("/messageSignature/messageDigest")).put("digest",
            flipB64(n.at("/messageSignature/messageDigest/digest").textValue())), "message digest"),
        new Case(V2, "messageDigest algorithm", n -> ((ObjectNode) n.at("/messageSignature/messageDigest")).put("algorithm",
            "SHA2_512"), "Sigstore bundle"),

        // ---- Rekor v1 dsse 0.0.1, SET, inclusion proof, checkpoint (09)
        new Case(DSSE, "integratedTime", n -> ((ObjectNode) n.at(TLOG)).put("integratedTime", "1712252094"),
            "signed entry timestamp does not verify"),
        new Case(DSSE, "SET", n -> ((ObjectNode) n.at(TLOG + "/inclusionPromise")).put("signedEntryTimestamp",
            flipB64(n.at(TLOG + "/inclusionPromise/signedEntryTimestamp").textValue(), 20)), "signed entry timestamp"),
        new Case(DSSE, "SET removed (no verified time)", n -> ((ObjectNode) n.at(TLOG)).remove("inclusionPromise"), "no verified time"),
        new Case(DSSE, "logIndex", n -> ((ObjectNode) n.at(TLOG)).put("logIndex", "83460521"), "signed entry timestamp"),
        new Case(DSSE, "logId", n -> ((ObjectNode) n.at(TLOG + "/logId")).put("keyId", flipB64(n.at(TLOG + "/logId/keyId").textValue())),
            "is not in the trusted root"),
        new Case(DSSE, "tlog body payload hash", body(b -> ((ObjectNode) b.at("/spec/payloadHash")).put("value",
            "00" + b.at("/spec/payloadHash/value").textValue().substring(2))), "payload digest"),
        new Case(DSSE, "tlog body signature", body(b -> ((ObjectNode) b.at("/spec/signatures/0")).put("signature",
            flipB64(b.at("/spec/signatures/0/signature").textValue(), 20))), "not the bundle's signature"),
        new Case(DSSE, "checkpoint signature", checkpoint(c -> c.replace("wNI9ajBEAiAK", "wNI9ajBEAiAL")), "does not verify"),
        new Case(DSSE, "DSSE payload", n -> ((ObjectNode) n.at("/dsseEnvelope")).put("payload",
            b64("goodbye, world!".getBytes(StandardCharsets.UTF_8))), "DSSE payload does not match the signature"),
        new Case(DSSE, "DSSE payloadType", n -> ((ObjectNode) n.at("/dsseEnvelope")).put("payloadType", "text/html"),
            "DSSE payload does not match the signature"),
        new Case(DSSE, "DSSE signature", n -> ((ObjectNode) n.at("/dsseEnvelope/signatures/0")).put("sig",
            flipB64(n.at("/dsseEnvelope/signatures/0/sig").textValue(), 20)), "DSSE payload does not match the signature"),
        new Case(DSSE, "DSSE second signature", n -> ((ArrayNode) n.at("/dsseEnvelope/signatures")).add(
            n.at("/dsseEnvelope/signatures/0").deepCopy()), "2 signatures"),
        new Case(DSSE, "no tlog entry", n -> ((ArrayNode) n.at("/verificationMaterial/tlogEntries")).removeAll(),
            "no transparency log entry"),

        // ---- Rekor v1 intoto 0.0.2, SET only, v0.1 bundle (07)
        new Case(INTOTO, "tlog body payload hash", body(b -> ((ObjectNode) b.at("/spec/content/payloadHash")).put("value",
            "00" + b.at("/spec/content/payloadHash/value").textValue().substring(2))), "payload digest"),
        new Case(INTOTO, "tlog body payloadType", body(b -> ((ObjectNode) b.at("/spec/content/envelope")).put("payloadType",
            "text/plain")), "payloadType"),
        new Case(INTOTO, "tlog body public key", body(b -> ((ObjectNode) b.at("/spec/content/envelope/signatures/0"))
            .put("publicKey", b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII)))),
            "certificate in the log entry"),
        new Case(INTOTO, "integratedTime", n -> ((ObjectNode) n.at(TLOG)).put("integratedTime", "1681839913"),
            "signed entry timestamp does not verify"),
        new Case(INTOTO, "SET removed (v0.1 without proof)", n -> ((ObjectNode) n.at(TLOG)).remove("inclusionPromise"),
            "neither an inclusion proof nor a signed entry timestamp"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aChangedFieldIsRefused(Case c) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(c.base() + "/bundle.sigstore.json"));
    BlobVerifier.Result before = verify(c.base(), JSON.writeValueAsBytes(n));
    assertThat(before.valid()).as(before.reason()).isTrue();
    c.change().accept(n);
    BlobVerifier.Result r = verify(c.base(), JSON.writeValueAsBytes(n));
    assertThat(r.valid()).as("tampered %s accepted: %s", c.name(), r.reason()).isFalse();
    assertThat(r.reason()).contains(c.reason());
  }

  @Test
  void cosignaturesAndOtherOriginsInTheCheckpointAreIgnored() throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(V2 + "/bundle.sigstore.json"));
    String witness = "\u2014 witness.example/w1 " + b64(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}) + "\n";
    String other = "\u2014 rekor.sigstore.dev " + b64(new byte[] {(byte) 0xcf, 0x11, (byte) 0x99, 0x15, 9, 9, 9}) + "\n";
    checkpoint(c -> c + witness + other).accept(n);
    BlobVerifier.Result r = verify(V2, JSON.writeValueAsBytes(n));
    assertThat(r.valid()).as(r.reason()).isTrue();
    // The log's own signature placed after the others still counts.
    ObjectNode m = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(V2 + "/bundle.sigstore.json"));
    checkpoint(c -> {
      int split = c.indexOf("\n\n") + 2;
      return c.substring(0, split) + witness + c.substring(split);
    }).accept(m);
    assertThat(verify(V2, JSON.writeValueAsBytes(m)).valid()).isTrue();
  }

  private static BlobVerifier.Result verify(String base, byte[] bundle) throws Exception {
    return switch (base) {
      case V2 -> SigstoreVectorsTest.keyless(base, "brian@dehamer.com", SigstoreVectorsTest.GITHUB_OAUTH)
          .verify(bundle, new ByteArrayInputStream(Files.readAllBytes(SigstoreVectorsTest.file(base + "/artifact.txt"))));
      case DSSE -> SigstoreVectorsTest.keyless(base, "brian@dehamer.com", SigstoreVectorsTest.GITHUB_OAUTH)
          .verify(bundle, new ByteArrayInputStream(Files.readAllBytes(SigstoreVectorsTest.file(base + "/dsse_payload.txt"))));
      case INTOTO -> SigstoreVectorsTest.keyless(base,
              "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
              SigstoreVectorsTest.GITHUB_ACTIONS)
          .verify(bundle, dev.attest.core.Digest.parse("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b35"
              + "27515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"));
      default -> throw new IllegalArgumentException(base);
    };
  }

  static Consumer<ObjectNode> body(Consumer<ObjectNode> change) {
    return n -> {
      try {
        ObjectNode body = (ObjectNode) JSON.readTree(b64(n.at(TLOG + "/canonicalizedBody")));
        change.accept(body);
        ((ObjectNode) n.at(TLOG)).put("canonicalizedBody", b64(JSON.writeValueAsBytes(body)));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  static Consumer<ObjectNode> checkpoint(java.util.function.UnaryOperator<String> change) {
    return n -> ((ObjectNode) n.at(PROOF + "/checkpoint")).put("envelope",
        change.apply(n.at(PROOF + "/checkpoint/envelope").textValue()));
  }

  static byte[] b64(JsonNode n) {
    return Base64.getDecoder().decode(n.textValue());
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static String flipB64(String s) {
    return flipB64(s, 0);
  }

  static String flipB64(String s, int at) {
    byte[] b = Base64.getDecoder().decode(s);
    int i = Math.min(at, b.length - 1);
    b[i] ^= 1;
    return b64(b);
  }
}
