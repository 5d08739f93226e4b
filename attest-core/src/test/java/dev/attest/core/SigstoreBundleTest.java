package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.SigstoreBundle.InclusionProof;
import dev.attest.core.SigstoreBundle.TlogEntry;
import dev.attest.core.SigstoreBundle.VerificationMaterial;
import dev.attest.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SigstoreBundleTest {
  static final Signer SIGNER = DsseEnvelopeTest.SIGNER;

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static SigstoreBundle parse(String json) throws Exception {
    return SigstoreBundle.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesTheV03KeyShapeAndReadsItBack() throws Exception {
    Statement st = DsseEnvelopeTest.statement();
    DsseEnvelope env = DsseEnvelope.sign(st, SIGNER);
    SigstoreBundle bundle = SigstoreBundle.ofDsse(env, SIGNER.hint());

    assertThat(new String(bundle.bytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            + "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"" + SIGNER.hint() + "\"}},"
            + "\"dsseEnvelope\":{\"payload\":\"" + b64(st.bytes()) + "\",\"payloadType\":\"application/vnd.in-toto+json\","
            + "\"signatures\":[{\"sig\":\"" + b64(env.singleSignature().sig()) + "\"}]}}");

    SigstoreBundle back = SigstoreBundle.parse(bundle.bytes());
    assertThat(back).isEqualTo(bundle);
    assertThat(back.version()).isEqualTo("0.3");
    assertThat(back.contentKind()).isEqualTo("dsse-envelope");
    assertThat(back.messageSignature()).isEmpty();
    VerificationMaterial vm = back.verificationMaterial();
    assertThat(vm.kind()).isEqualTo(VerificationMaterial.Kind.PUBLIC_KEY);
    assertThat(vm.publicKeyHint()).contains(Keys.hint(DsseEnvelopeTest.KEY.getPublic()));
    assertThat(vm.certificates()).isEmpty();
    assertThat(vm.tlogEntries()).isEmpty();
    DsseEnvelope readEnv = back.dsseEnvelope().orElseThrow();
    readEnv.verify(DsseEnvelopeTest.VERIFIER);
    readEnv.statement().requireSubject(StatementTest.IMAGE);
  }

  @Test
  void writesAMessageSignatureBundle() throws Exception {
    byte[] artifact = "artifact".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(artifact);
    byte[] sig = SIGNER.sign(artifact);
    SigstoreBundle bundle = SigstoreBundle.ofMessageSignature(d, sig, "h");

    JsonNode json = Json.read(bundle.bytes());
    assertThat(json.at("/messageSignature/messageDigest/algorithm").textValue()).isEqualTo("SHA2_256");
    assertThat(bundle.contentKind()).isEqualTo("message-signature");
    SigstoreBundle.MessageSignature ms = SigstoreBundle.parse(bundle.bytes()).messageSignature().orElseThrow();
    assertThat(ms.digest()).contains(d);
    assertThat(ms.signature()).isEqualTo(sig);
    assertThat(Keys.verifier(SIGNER.publicKey()).verify(artifact, ms.signature())).isTrue();
  }

  static final String CERT1 = b64("leaf certificate DER");
  static final String CERT2 = b64("intermediate DER");
  static final String BODY = b64("{\"kind\":\"hashedrekord\"}");

  static String tlogEntry(String logIndex) {
    return "{\"logIndex\":" + logIndex + ",\"logId\":{\"keyId\":\"" + b64("log key id") + "\"},"
        + "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},\"integratedTime\":\"1682468469\","
        + "\"inclusionPromise\":{\"signedEntryTimestamp\":\"" + b64("SET") + "\"},"
        + "\"inclusionProof\":{\"logIndex\":\"7376158\",\"rootHash\":\"" + b64("root") + "\",\"treeSize\":\"7376159\","
        + "\"hashes\":[\"" + b64("h1") + "\",\"" + b64("h2") + "\"],"
        + "\"checkpoint\":{\"envelope\":\"rekor.example - 1\\n7376159\\nroot\\n\\n\\u2014 rekor.example sig\\n\"}},"
        + "\"canonicalizedBody\":\"" + BODY + "\"}";
  }

  @Test
  void readsV01WithCertificateChainAndTlogEntry() throws Exception {
    byte[] digest = Digest.sha256(new byte[] {1}).hash();
    SigstoreBundle b = parse("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\","
        + "\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":[{\"rawBytes\":\"" + CERT1 + "\"},{\"rawBytes\":\""
        + CERT2 + "\"}]},\"tlogEntries\":[" + tlogEntry("\"7390977\"") + "]},"
        + "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"" + b64(digest) + "\"},"
        + "\"signature\":\"" + b64("sig") + "\"}}");

    assertThat(b.version()).isEqualTo("0.1");
    VerificationMaterial vm = b.verificationMaterial();
    assertThat(vm.kind()).isEqualTo(VerificationMaterial.Kind.X509_CERTIFICATE_CHAIN);
    assertThat(vm.certificates()).containsExactly(
        "leaf certificate DER".getBytes(StandardCharsets.UTF_8), "intermediate DER".getBytes(StandardCharsets.UTF_8));
    assertThat(vm.leafCertificate()).contains("leaf certificate DER".getBytes(StandardCharsets.UTF_8));
    assertThat(vm.publicKeyHint()).isEmpty();
    TlogEntry e = vm.tlogEntries().get(0);
    assertThat(e.logIndex()).isEqualTo(7390977L);
    assertThat(e.logId()).isEqualTo("log key id".getBytes(StandardCharsets.UTF_8));
    assertThat(e.kind()).isEqualTo("hashedrekord");
    assertThat(e.version()).isEqualTo("0.0.1");
    assertThat(e.integratedTime()).isEqualTo(1682468469L);
    assertThat(e.signedEntryTimestamp()).contains("SET".getBytes(StandardCharsets.UTF_8));
    assertThat(e.canonicalizedBody()).isEqualTo("{\"kind\":\"hashedrekord\"}".getBytes(StandardCharsets.UTF_8));
    InclusionProof p = e.inclusionProof().orElseThrow();
    assertThat(p.logIndex()).isEqualTo(7376158L);
    assertThat(p.treeSize()).isEqualTo(7376159L);
    assertThat(p.rootHash()).isEqualTo("root".getBytes(StandardCharsets.UTF_8));
    assertThat(p.hashes()).containsExactly("h1".getBytes(StandardCharsets.UTF_8), "h2".getBytes(StandardCharsets.UTF_8));
    assertThat(p.checkpoint()).contains("rekor.example - 1\n7376159\nroot\n\n\u2014 rekor.example sig\n");
    assertThat(b.messageSignature().orElseThrow().digestBytes()).contains(digest);
  }

  @Test
  void readsV02WithIntegerInt64sAndUrlSafeBase64() throws Exception {
    String urlCert = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {(byte) 0xfb, (byte) 0xff});
    SigstoreBundle b = parse("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\","
        + "\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":[{\"rawBytes\":\"" + urlCert + "\"}]},"
        + "\"tlogEntries\":[" + tlogEntry("12") + "]},"
        + "\"messageSignature\":{\"signature\":\"" + b64("sig") + "\"}}");
    assertThat(b.version()).isEqualTo("0.2");
    assertThat(b.verificationMaterial().certificates().get(0)).isEqualTo(new byte[] {(byte) 0xfb, (byte) 0xff});
    assertThat(b.verificationMaterial().tlogEntries().get(0).logIndex()).isEqualTo(12L);
    assertThat(b.messageSignature().orElseThrow().digest()).isEmpty();
  }

  @Test
  void readsV03WithCertificateTimestampsAndDsse() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign(DsseEnvelopeTest.statement(), SIGNER);
    SigstoreBundle b = parse("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"" + CERT1 + "\"},\"tlogEntries\":[" + tlogEntry("\"1\"") + "],"
        + "\"timestampVerificationData\":{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"" + b64("TSR") + "\"}]}},"
        + "\"dsseEnvelope\":" + new String(env.json(), StandardCharsets.UTF_8) + "}");
    VerificationMaterial vm = b.verificationMaterial();
    assertThat(vm.kind()).isEqualTo(VerificationMaterial.Kind.CERTIFICATE);
    assertThat(vm.certificates()).containsExactly("leaf certificate DER".getBytes(StandardCharsets.UTF_8));
    assertThat(vm.rfc3161Timestamps()).containsExactly("TSR".getBytes(StandardCharsets.UTF_8));
    assertThat(b.dsseEnvelope()).contains(env);
  }

  @Test
  void badBundlesGetPreciseErrors() {
    String vmKey = "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"h\"}}";
    String ms = "\"messageSignature\":{\"signature\":\"" + b64("s") + "\"}";
    String v3 = "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"";
    assertThatThrownBy(() -> parse("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.4+json\"," + vmKey + "," + ms + "}"))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("unsupported Sigstore bundle mediaType");
    assertThatThrownBy(() -> parse("{" + v3 + "," + vmKey + "}"))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("Sigstore bundle must have exactly one of 'dsseEnvelope' and 'messageSignature', found neither");
    assertThatThrownBy(() -> parse("{" + v3 + "," + vmKey + "," + ms + ",\"dsseEnvelope\":{}}"))
        .hasMessage("Sigstore bundle must have exactly one of 'dsseEnvelope' and 'messageSignature', found both");
    assertThatThrownBy(() -> parse("{" + v3 + ",\"verificationMaterial\":{\"publicKey\":{},\"certificate\":{\"rawBytes\":\"" + CERT1 + "\"}}," + ms + "}"))
        .hasMessageContaining("exactly one of 'publicKey', 'x509CertificateChain' and 'certificate', found 2");
    assertThatThrownBy(() -> parse("{" + v3 + ",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"MI*C\"}}," + ms + "}"))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageStartingWith("malformed base64 in Sigstore bundle.verificationMaterial.certificate.rawBytes");
    assertThatThrownBy(() -> parse("{" + v3 + ",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"" + CERT1
            + "\"},\"tlogEntries\":[" + tlogEntry("\"-1\"") + "]}," + ms + "}"))
        .hasMessageContaining("'logIndex' out of range: -1");
    assertThatThrownBy(() -> parse("{" + v3 + ",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"" + CERT1
            + "\"},\"tlogEntries\":[" + tlogEntry("\"12x\"") + "]}," + ms + "}"))
        .hasMessageContaining("'logIndex' must be an int64");
    assertThatThrownBy(() -> parse("{" + v3 + "," + vmKey + ",\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\""
            + b64("short") + "\"},\"signature\":\"" + b64("s") + "\"}}"))
        .hasMessageContaining("a SHA2_256 digest is 32 bytes, got 5");
  }

  @Test
  void refusesToWriteADsseBundleWithoutExactlyOneSignature() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign("t", new byte[] {1}, SIGNER);
    DsseEnvelope two = DsseEnvelope.of("t", new byte[] {1}, List.of(env.singleSignature(), env.singleSignature()));
    assertThatThrownBy(() -> SigstoreBundle.ofDsse(two, "h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one signature, found 2");
  }
}
