package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real RFC 3161 timestamps from Sigstore bundles verify; each field the check reads, changed, is refused. */
class Rfc3161Test {
  static final String STAGING = "01-rekor2-hashedrekord-staging"; // the token embeds the TSA certificate
  static final String PROD = "03-rekor2-hashedrekord-prod"; // no embedded certificate

  static byte[] token(String folder) {
    return Vectors.timestamps(Vectors.bundle(folder)).get(0);
  }

  static byte[] signature(String folder) {
    return Vectors.signature(Vectors.bundle(folder));
  }

  static List<CertificateAuthority> tsas(String folder) {
    return Vectors.root(folder).timestampAuthorities();
  }

  /** Each real token verifies, and BouncyCastle, as an independent reader, agrees on genTime and the signature. */
  @ParameterizedTest
  @ValueSource(strings = {"01-rekor2-hashedrekord-staging", "02-rekor2-dsse002-intoto-staging", PROD, "04-rekor2-dsse002-prod",
      "05-tsa-only-keyless-github-private", "06-tsa-only-managed-key"})
  void verifiesRealTimestampsAsBouncyCastleDoes(String folder) throws Exception {
    Rfc3161.Verified v = Rfc3161.verifyDetailed(token(folder), signature(folder), tsas(folder));
    TimeStampToken bc = new TimeStampResponse(token(folder)).getTimeStampToken();
    assertThat(v.genTime()).isEqualTo(bc.getTimeStampInfo().getGenTime().toInstant());
    X509Certificate signer = v.path().get(0);
    bc.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer)); // throws if BC disagrees
    assertThat(v.authority().validAt(v.genTime())).isTrue();
    assertThat(v.path().get(v.path().size() - 1)).isEqualTo(v.authority().root());
  }

  @Test
  void refusesATimestampOverOtherSignatureBytes() {
    refused(token(PROD), Vectors.flip(signature(PROD), 5), tsas(PROD), "message imprint is not the SHA-256 of the bundle's signature");
    refused(token(PROD), "other".getBytes(StandardCharsets.UTF_8), tsas(PROD), "message imprint");
  }

  @Test
  void refusesAChangedImprintGenTimeOrSignature() {
    byte[] t = token(PROD);
    byte[] sig = signature(PROD);
    byte[] imprint = SignatureAlgorithm.digest("SHA-256").digest(sig);
    refused(replace(t, imprint, Vectors.flip(imprint, 31)), sig, tsas(PROD), "message imprint");
    byte[] genTime = "20251214020450Z".getBytes(StandardCharsets.US_ASCII);
    refused(replace(t, genTime, "20251214020451Z".getBytes(StandardCharsets.US_ASCII)), sig, tsas(PROD),
        "message-digest attribute does not match the TSTInfo");
    refused(Vectors.flip(t, t.length - 1), sig, tsas(PROD), "signature over the signed attributes does not verify");
    refused(Vectors.flip(t, t.length - 20), sig, tsas(PROD), "timestamp");
  }

  @Test
  void refusesATimestampFromAnotherInstancesTsa() {
    refused(token(PROD), signature(PROD), tsas(STAGING), "timestamp");
    refused(token(STAGING), signature(STAGING), tsas(PROD), "timestamp");
    refused(token(PROD), signature(PROD), List.of(), "no timestamp authority");
  }

  @Test
  void refusesGenTimeOutsideTheAuthoritysValidityWindow() {
    CertificateAuthority tsa = tsas(PROD).get(0);
    CertificateAuthority later = new CertificateAuthority(tsa.uri(), tsa.chain(), Instant.parse("2026-01-01T00:00:00Z"), null);
    CertificateAuthority ended = new CertificateAuthority(tsa.uri(), tsa.chain(), tsa.validFrom(), Instant.parse("2025-12-14T02:04:49Z"));
    refused(token(PROD), signature(PROD), List.of(later), "outside the validity window of timestamp authority");
    refused(token(PROD), signature(PROD), List.of(ended), "outside the validity window");
  }

  @Test
  void verifiesWithOrWithoutAnEmbeddedCertificateButNeedsTheSignerSomewhere() throws Exception {
    byte[] stripped = withoutCertificates(token(STAGING));
    assertThat(stripped.length).isLessThan(token(STAGING).length);
    assertThat(Rfc3161.verify(stripped, signature(STAGING), tsas(STAGING)))
        .isEqualTo(Rfc3161.verify(token(STAGING), signature(STAGING), tsas(STAGING)));
    // A trusted root that lists only the TSA's CA certificates needs the token to embed the leaf.
    CertificateAuthority full = tsas(STAGING).get(0);
    CertificateAuthority caOnly = new CertificateAuthority(full.uri(), full.chain().subList(1, full.chain().size()),
        full.validFrom(), full.validTo());
    assertThat(Rfc3161.verify(token(STAGING), signature(STAGING), List.of(caOnly))).isNotNull();
    refused(stripped, signature(STAGING), List.of(caOnly), "neither embedded nor the leaf of timestamp authority");
    CertificateAuthority prod = tsas(PROD).get(0);
    refused(token(PROD), signature(PROD), List.of(new CertificateAuthority(prod.uri(), prod.chain().subList(1, 2),
        prod.validFrom(), null)), "neither embedded nor the leaf");
  }

  @Test
  void refusesAChainThatDoesNotReachTheAuthoritysRoot() {
    CertificateAuthority full = tsas(STAGING).get(0);
    CertificateAuthority prodRoot = tsas(PROD).get(0);
    List<X509Certificate> spliced = new ArrayList<>(full.chain().subList(0, full.chain().size() - 1));
    spliced.add(prodRoot.root());
    refused(token(STAGING), signature(STAGING), List.of(new CertificateAuthority(full.uri(), spliced, full.validFrom(), null)),
        "certificate chain");
  }

  @Test
  void refusesUnparseableTokens() {
    byte[] sig = signature(PROD);
    byte[] t = token(PROD);
    refused(new byte[0], sig, tsas(PROD), "timestamp");
    refused(Arrays.copyOf(t, t.length - 1), sig, tsas(PROD), "timestamp");
    refused(Arrays.copyOf(t, t.length + 1), sig, tsas(PROD), "trailing data");
    refused("not a timestamp".getBytes(StandardCharsets.UTF_8), sig, tsas(PROD), "timestamp");
    byte[] indefinite = t.clone();
    indefinite[1] = (byte) 0x80;
    refused(indefinite, sig, tsas(PROD), "indefinite length");
    refused(new byte[Rfc3161.MAX_TOKEN + 1], sig, tsas(PROD), "more than the limit");
  }

  @Test
  void refusesAResponseWhoseStatusIsNotGranted() throws Exception {
    byte[] t = token(PROD);
    Der.Value resp = Der.parse(t, "t");
    List<Der.Value> parts = resp.children();
    byte[] rejection = Der.tlv(Der.SEQUENCE, Der.tlv(Der.INTEGER, new byte[] {2}));
    byte[] rebuilt = Der.tlv(Der.SEQUENCE, List.of(rejection, parts.get(1).encoded()));
    refused(rebuilt, signature(PROD), tsas(PROD), "status 2, not granted");
  }

  /** The signer identifier is not signed: a token naming its signer by subject key identifier verifies, a wrong one does not. */
  @Test
  void identifiesTheSignerBySubjectKeyIdentifier() throws Exception {
    X509Certificate tsaLeaf = Rfc3161.verifyDetailed(token(PROD), signature(PROD), tsas(PROD)).path().get(0);
    byte[] ski = Der.parse(X509Parts.parse(tsaLeaf.getEncoded(), "tsa").extension(X509Parts.OID_SUBJECT_KEY_ID).value(), "ski")
        .octets("ski");
    assertThat(Rfc3161.verify(withSki(token(PROD), ski), signature(PROD), tsas(PROD))).isNotNull();
    refused(withSki(token(PROD), Vectors.flip(ski, 0)), signature(PROD), tsas(PROD), "by subject key identifier");
  }

  /** The TimeStampResp with its SignerInfo's sid replaced by [0] subjectKeyIdentifier (and version 3). */
  static byte[] withSki(byte[] resp, byte[] ski) throws Exception {
    List<Der.Value> r = Der.parse(resp, "t").children();
    List<Der.Value> ci = r.get(1).children();
    List<Der.Value> sd = ci.get(1).single("content").children();
    List<byte[]> sdParts = new ArrayList<>();
    for (Der.Value v : sd) {
      if (v.tag == Der.SET && v == sd.get(sd.size() - 1)) {
        List<Der.Value> si = v.single("signerInfo").children();
        List<byte[]> siParts = new ArrayList<>();
        siParts.add(Der.tlv(Der.INTEGER, new byte[] {3}));
        siParts.add(Der.tlv(Der.contextPrimitive(0), ski));
        for (Der.Value f : si.subList(2, si.size())) {
          siParts.add(f.encoded());
        }
        sdParts.add(Der.tlv(Der.SET, Der.tlv(Der.SEQUENCE, siParts)));
      } else {
        sdParts.add(v.encoded());
      }
    }
    byte[] contentInfo = Der.tlv(Der.SEQUENCE, List.of(ci.get(0).encoded(), Der.tlv(Der.context(0), Der.tlv(Der.SEQUENCE, sdParts))));
    return Der.tlv(Der.SEQUENCE, List.of(r.get(0).encoded(), contentInfo));
  }

  /** The TimeStampResp rebuilt without SignedData's certificates [0]. */
  static byte[] withoutCertificates(byte[] resp) throws Exception {
    List<Der.Value> r = Der.parse(resp, "t").children();
    List<Der.Value> ci = r.get(1).children();
    Der.Value sd = ci.get(1).single("content");
    List<byte[]> kept = new ArrayList<>();
    for (Der.Value v : sd.children()) {
      if (v.tag != Der.context(0)) {
        kept.add(v.encoded());
      }
    }
    byte[] signedData = Der.tlv(Der.SEQUENCE, kept);
    byte[] contentInfo = Der.tlv(Der.SEQUENCE, List.of(ci.get(0).encoded(), Der.tlv(Der.context(0), signedData)));
    return Der.tlv(Der.SEQUENCE, List.of(r.get(0).encoded(), contentInfo));
  }

  static byte[] replace(byte[] hay, byte[] needle, byte[] with) {
    for (int i = 0; i + needle.length <= hay.length; i++) {
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        byte[] out = hay.clone();
        System.arraycopy(with, 0, out, i, with.length);
        return out;
      }
    }
    throw new AssertionError("needle not found");
  }

  static void refused(byte[] token, byte[] signed, List<CertificateAuthority> tsas, String reason) {
    assertThatThrownBy(() -> Rfc3161.verify(token, signed, tsas)).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining(reason);
  }
}
