package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** trusted_root.json from real Sigstore instances parses; each malformed part is refused with its place. */
class TrustedRootTest {
  static final String PROD = "03-rekor2-hashedrekord-prod/trusted_root.json";

  @ParameterizedTest
  @ValueSource(strings = {
      "01-rekor2-hashedrekord-staging/trusted_root.json", "02-rekor2-dsse002-intoto-staging/trusted_root.json",
      "03-rekor2-hashedrekord-prod/trusted_root.json", "03-rekor2-hashedrekord-prod/trusted_root.sigstore-js-fixture.json",
      "04-rekor2-dsse002-prod/trusted_root.json", "05-tsa-only-keyless-github-private/trusted_root.json",
      "06-tsa-only-managed-key/trusted_root.json", "07-rekor1-intoto002-keyless-npm-provenance/trusted_root.json",
      "08-rekor1-intoto002-managed-key-npm-publish/trusted_root.json", "09-rekor1-dsse001-keyless/trusted_root.json",
      "10-neg-tlog-entry-mismatch-cve-2022-36056/trusted_root.json", "11-neg-no-signed-time/trusted_root.json",
      "12-neg-tlog-time-outside-cert-validity/trusted_root.json", "13-neg-dsse-tampered-payload/trusted_root.json",
      "14-neg-missing-checkpoint/trusted_root.json", "15-keyless-ecdsa-p384-sha384/trusted_root.json",
      "16-keyless-rsa-pkcs1v15-2048/trusted_root.json"})
  void parsesEveryRealRoot(String path) throws Exception {
    TrustedRoot r = TrustedRoot.parse(Vectors.bytes(path));
    assertThat(r.certificateAuthorities().size() + r.timestampAuthorities().size()).isPositive();
    for (LogKey k : r.ctlogs()) {
      // RFC 6962 section 3.2: a CT log's id is the SHA-256 of its DER public key.
      assertThat(k.logId()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(k.key().getEncoded()));
    }
  }

  @Test
  void readsPublicGoodFully() throws Exception {
    TrustedRoot r = TrustedRoot.parse(Vectors.bytes(PROD));
    assertThat(r.tlogs()).extracting(LogKey::baseUrl)
        .containsExactly("https://rekor.sigstore.dev", "https://log2025-1.rekor.sigstore.dev");
    assertThat(r.tlogs()).extracting(LogKey::algorithm)
        .containsExactly(SignatureAlgorithm.PKIX_ECDSA_P256_SHA_256, SignatureAlgorithm.PKIX_ED25519);
    LogKey v2 = r.tlogs().get(1);
    assertThat(v2.validFrom()).isEqualTo(Instant.parse("2025-09-23T00:00:00Z"));
    assertThat(v2.validTo()).isNull();
    assertThat(r.tlogsWithId(Base64.getDecoder().decode("zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A="))).containsExactly(v2);
    assertThat(r.certificateAuthorities()).hasSize(2);
    CertificateAuthority first = r.certificateAuthorities().get(0);
    assertThat(first.chain()).hasSize(1);
    assertThat(first.validTo()).isEqualTo(Instant.parse("2022-12-31T23:59:59.999Z"));
    assertThat(first.validAt(Instant.parse("2022-12-31T23:59:59.999Z"))).isTrue();
    assertThat(first.validAt(Instant.parse("2023-01-01T00:00:00Z"))).isFalse();
    CertificateAuthority current = r.certificateAuthorities().get(1);
    assertThat(current.chain()).hasSize(2);
    assertThat(current.chain().get(0).getSubjectX500Principal().getName()).contains("sigstore-intermediate");
    assertThat(current.root().getSubjectX500Principal()).isEqualTo(current.root().getIssuerX500Principal());
    assertThat(r.ctlogs()).hasSize(2);
    assertThat(r.ctlogs().get(0).validTo()).isEqualTo(Instant.parse("2022-10-31T23:59:59.999Z"));
    assertThat(r.timestampAuthorities()).hasSize(1);
    assertThat(r.timestampAuthorities().get(0).uri()).isEqualTo("https://timestamp.sigstore.dev/api/v1/timestamp");
  }

  @Test
  void readsGitHubsPrivateRootAndNanosecondWindows() throws Exception {
    TrustedRoot gh = TrustedRoot.parse(Vectors.bytes("05-tsa-only-keyless-github-private/trusted_root.json"));
    assertThat(gh.tlogs()).isEmpty();
    assertThat(gh.ctlogs()).isEmpty();
    assertThat(gh.certificateAuthorities()).hasSize(6).allSatisfy(ca -> assertThat(ca.chain()).hasSize(3));
    assertThat(gh.timestampAuthorities()).hasSize(6);
    // sigstore-go's test TSA leaf has an empty subject and no subjectAltName, which the JDK cannot read.
    TrustedRoot go = TrustedRoot.parse(Vectors.bytes("06-tsa-only-managed-key/trusted_root.json"));
    CertificateAuthority tsa = go.timestampAuthorities().get(0);
    assertThat(tsa.validFrom()).isEqualTo(Instant.parse("2026-06-04T12:43:29.186617431Z"));
    assertThat(tsa.chain().get(0)).isInstanceOf(DerCertificate.class);
    assertThat(tsa.chain().get(0).getSubjectX500Principal().getName()).isEmpty();
    assertThat(tsa.chain().get(0).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.8");
    assertThat(tsa.chain().get(0).getKeyUsage()[0]).isTrue();
    assertThat(tsa.chain().get(1)).isNotInstanceOf(DerCertificate.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/vnd.dev.sigstore.trustedroot+json;version=0.2",
      "application/vnd.dev.sigstore.trustedroot.v0.1+json", "application/vnd.dev.sigstore.trustedroot.v0.2+json"})
  void acceptsBothMediaTypeSpellingsOfVersionsOneAndTwo(String mediaType) throws Exception {
    assertThat(TrustedRoot.parse(prod("application/vnd.dev.sigstore.trustedroot+json;version=0.1", mediaType)).tlogs()).hasSize(2);
  }

  @Test
  void skipsALogWithAnUnsupportedAlgorithmButRefusesAKeyThatContradictsItsDetails() throws Exception {
    TrustedRoot r = TrustedRoot.parse(prod("\"keyDetails\": \"PKIX_ED25519\"", "\"keyDetails\": \"ML_DSA_65\""));
    assertThat(r.tlogs()).extracting(LogKey::baseUrl).containsExactly("https://rekor.sigstore.dev");
    assertThatThrownBy(() -> TrustedRoot.parse(prod("\"keyDetails\": \"PKIX_ED25519\"", "\"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\"")))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("tlogs[1].publicKey is not a valid PKIX_ECDSA_P256_SHA_256 public key");
    assertThatThrownBy(() -> TrustedRoot.parse(prod("\"keyDetails\": \"PKIX_ED25519\"", "\"keyDetails\": \"PKIX_ED25519\", \"x\": 1")
            .length == 0 ? new byte[0] : swapKeyDetails()))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("does not match its keyDetails PKIX_ECDSA_P384_SHA_384");
  }

  /** The Rekor v1 key (P-256) declared as P-384. */
  private static byte[] swapKeyDetails() {
    String s = new String(Vectors.bytes(PROD), StandardCharsets.UTF_8);
    return s.replaceFirst("\"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\"", "\"keyDetails\": \"PKIX_ECDSA_P384_SHA_384\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void refusesEachMalformedPart() {
    String mt = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
    refused(prod(mt, "application/vnd.dev.sigstore.trustedroot+json;version=0.3"), "media type");
    refused(prod("\"mediaType\"", "\"mediaTyp\""), "missing required field 'mediaType'");
    refused("[]".getBytes(StandardCharsets.UTF_8), "must be a JSON object");
    refused("{\"mediaType\": \"x\", \"mediaType\": \"y\"}".getBytes(StandardCharsets.UTF_8), "not valid JSON");
    refused(prod("\"2022-04-13T20:06:15Z\"", "\"yesterday\""), "certificateAuthorities[1].validFor.start is not an RFC 3339 timestamp");
    refused(prod("\"end\": \"2022-12-31T23:59:59.999Z\"", "\"end\": \"2020-12-31T23:59:59.999Z\""), "ends (2020-12-31T23:59:59.999Z) before it starts");
    refused(prod("\"keyId\": \"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"", "\"keyId\": \"\""), "tlogs[0].logId.keyId must be 1 to 64 bytes");
    refused(prod("\"keyId\": \"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"", "\"keyId\": \"%%%\""), "tlogs[0].logId.keyId");
    refused(prod("\"hashAlgorithm\": \"SHA2_256\"", "\"hashAlgorithm\": \"MD5\""), "unknown hashAlgorithm 'MD5'");
    refused(prod("\"certificates\": [", "\"certificates\": [{\"rawBytes\": \"AAAA\"},"), "certChain.certificates[0] is not a valid DER X.509 certificate");
    refused(prod("\"rawBytes\": \"MFkw", "\"rawBytez\": \"MFkw"), "missing required field 'rawBytes'");
    refused(prod("\"certChain\": {", "\"certChainX\": {"), "missing required field 'certChain'");
    refused(new byte[TrustedRoot.MAX_BYTES + 1], "more than the limit");
  }

  @Test
  void refusesACertificateWithTrailingBytes() throws Exception {
    String s = new String(Vectors.bytes(PROD), StandardCharsets.UTF_8);
    String cert = s.substring(s.indexOf("\"rawBytes\": \"MIIB+DCC") + 13);
    cert = cert.substring(0, cert.indexOf('"'));
    byte[] der = Base64.getDecoder().decode(cert);
    byte[] longer = java.util.Arrays.copyOf(der, der.length + 2);
    refused(s.replace(cert, Base64.getEncoder().encodeToString(longer)).getBytes(StandardCharsets.UTF_8),
        "certificateAuthorities[0].certChain.certificates[0] is not exactly one DER certificate");
  }

  private static byte[] prod(String from, String to) {
    String s = new String(Vectors.bytes(PROD), StandardCharsets.UTF_8);
    assertThat(s).contains(from);
    return s.replace(from, to).getBytes(StandardCharsets.UTF_8);
  }

  private static void refused(byte[] json, String reason) {
    assertThatThrownBy(() -> TrustedRoot.parse(json)).isInstanceOf(VerificationFailure.class).hasMessageContaining(reason);
  }
}
