package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real Fulcio certificates chain to their instance's trusted root at the signing time, and only then. */
class CertificateChainsTest {
  static final String PROD = "03-rekor2-hashedrekord-prod";

  static List<X509Certificate> certs(String folder) {
    return Vectors.certs(Vectors.bundle(folder));
  }

  static Instant during(X509Certificate c) {
    return c.getNotBefore().toInstant().plusSeconds(60);
  }

  @ParameterizedTest
  @ValueSource(strings = {"01-rekor2-hashedrekord-staging", PROD, "05-tsa-only-keyless-github-private",
      "07-rekor1-intoto002-keyless-npm-provenance", "09-rekor1-dsse001-keyless", "15-keyless-ecdsa-p384-sha384",
      "16-keyless-rsa-pkcs1v15-2048"})
  void validatesRealLeavesToTheirRoot(String folder) throws Exception {
    List<X509Certificate> presented = certs(folder);
    TrustedRoot root = Vectors.root(folder);
    List<X509Certificate> path = CertificateChains.verify(presented, root.certificateAuthorities(), during(presented.get(0)));
    assertThat(path.get(0)).isEqualTo(presented.get(0));
    X509Certificate anchor = path.get(path.size() - 1);
    assertThat(anchor.getSubjectX500Principal()).isEqualTo(anchor.getIssuerX500Principal());
    assertThat(root.certificateAuthorities()).anySatisfy(ca -> assertThat(ca.root()).isEqualTo(anchor));
    // The leaf alone (bundle v0.3) gives the same path as a presented chain (v0.1/v0.2).
    assertThat(CertificateChains.verify(presented.subList(0, 1), root.certificateAuthorities(), during(presented.get(0))))
        .isEqualTo(path);
  }

  @Test
  void refusesASigningTimeOutsideTheLeafsValidity() {
    X509Certificate leaf = certs(PROD).get(0);
    Instant after = leaf.getNotAfter().toInstant().plusSeconds(1);
    refused(certs(PROD), Vectors.root(PROD).certificateAuthorities(), after,
        "certificate chain: the signing certificate is not valid at the verified time " + after);
    refused(certs(PROD), Vectors.root(PROD).certificateAuthorities(), leaf.getNotBefore().toInstant().minusSeconds(1),
        "is not valid at the verified time");
  }

  @Test
  void refusesVector12sSetTimeAfterTheCertificateExpired() {
    // Vector 12's Rekor integratedTime, 2022-10-30T19:11:51Z, is after the certificate's notAfter.
    String f = "12-neg-tlog-time-outside-cert-validity";
    refused(certs(f), Vectors.root(f).certificateAuthorities(), Instant.parse("2022-10-30T19:11:51Z"), "is not valid at the verified time");
  }

  @Test
  void refusesALeafFromAnotherInstance() {
    refused(certs(PROD), Vectors.root("01-rekor2-hashedrekord-staging").certificateAuthorities(), during(certs(PROD).get(0)),
        "certificate chain");
    refused(certs("05-tsa-only-keyless-github-private"), Vectors.root(PROD).certificateAuthorities(),
        during(certs("05-tsa-only-keyless-github-private").get(0)), "was issued by");
  }

  @Test
  void refusesATamperedLeaf() throws Exception {
    X509Certificate leaf = certs(PROD).get(0);
    byte[] der = leaf.getEncoded();
    List<CertificateAuthority> cas = Vectors.root(PROD).certificateAuthorities();
    X509Certificate badSig = Vectors.cert(Vectors.flip(der, der.length - 3));
    refused(List.of(badSig), cas, during(leaf), "the signature on certificate");
    byte[] email = "brian@dehamer.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    X509Certificate otherSan = Vectors.cert(Vectors.flip(der, SctsTest.indexOf(der, email)));
    refused(List.of(otherSan), cas, during(leaf), "does not verify with its issuer's key");
  }

  @Test
  void refusesWhenNoAuthorityWasValidAtIssuance() {
    X509Certificate leaf = certs(PROD).get(0);
    CertificateAuthority ca = Vectors.root(PROD).certificateAuthorities().get(1);
    CertificateAuthority ended = new CertificateAuthority(ca.uri(), ca.chain(), ca.validFrom(), Instant.parse("2023-01-01T00:00:00Z"));
    refused(certs(PROD), List.of(ended), during(leaf), "no certificate authority in the trusted root was valid when the certificate");
    refused(certs(PROD), List.of(), during(leaf), "no certificate authority");
    refused(List.of(), List.of(ca), during(leaf), "presents no certificate");
  }

  @Test
  void refusesATamperedChainCertificateInTheTrustedRoot() throws Exception {
    CertificateAuthority ca = Vectors.root(PROD).certificateAuthorities().get(1);
    byte[] inter = ca.chain().get(0).getEncoded();
    X509Certificate badIntermediate = Vectors.cert(Vectors.flip(inter, inter.length - 2));
    CertificateAuthority tampered = new CertificateAuthority(ca.uri(), List.of(badIntermediate, ca.root()), ca.validFrom(), null);
    refused(certs(PROD), List.of(tampered), during(certs(PROD).get(0)), "the signature on certificate");
  }

  @Test
  void aFulcioLeafIsNotATimestampAuthority() {
    refused(certs(PROD), Vectors.root(PROD).certificateAuthorities(), during(certs(PROD).get(0)), CertificateChains.Purpose.TIME_STAMPING,
        "restricts extended key usage to [1.3.6.1.5.5.7.3.3], which excludes timeStamping");
  }

  /** Fulcio's extensions read without an ASN.1 library: v2 issuer (UTF8String) and v1 issuer (raw UTF-8). */
  @Test
  void readsFulcioExtensionsInPureJdk() throws Exception {
    X509Certificate leaf = certs(PROD).get(0);
    assertThat(Certificates.utf8String(Certificates.extensionValue(leaf, "1.3.6.1.4.1.57264.1.8"), "issuer v2"))
        .isEqualTo("https://github.com/login/oauth");
    assertThat(Certificates.utf8(Certificates.extensionValue(leaf, "1.3.6.1.4.1.57264.1.1"), "issuer v1"))
        .isEqualTo("https://github.com/login/oauth");
    assertThat(Certificates.extensionValue(leaf, "1.2.3.4")).isNull();
    assertThatThrownBy(() -> Certificates.utf8String(Der.tlv(0x0c, new byte[] {(byte) 0xc3}), "x")).hasMessageContaining("not valid UTF-8");
    assertThatThrownBy(() -> Certificates.utf8String(Der.tlv(Der.OCTET_STRING, new byte[] {0x41}), "x")).hasMessageContaining("UTF8String");
  }

  /** A verified signature is remembered only for the same certificate bytes and the same key. */
  @Test
  void aRememberedSignatureDoesNotVouchForAnotherKey() throws Exception {
    List<X509Certificate> path = CertificateChains.verify(certs(PROD), Vectors.root(PROD).certificateAuthorities(),
        during(certs(PROD).get(0)));
    X509Certificate leaf = path.get(0);
    Certificates.verifySignature(leaf, path.get(1).getPublicKey());
    assertThatThrownBy(() -> Certificates.verifySignature(leaf, path.get(2).getPublicKey()))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("does not verify with its issuer's key");
    Certificates.verifySignature(Vectors.cert(leaf.getEncoded()), path.get(1).getPublicKey());
  }

  @Test
  void parseRefusesTrailingDataThatTheJdkWouldIgnore() throws Exception {
    byte[] der = certs(PROD).get(0).getEncoded();
    byte[] longer = java.util.Arrays.copyOf(der, der.length + 1);
    assertThat(Vectors.cert(longer)).isEqualTo(certs(PROD).get(0)); // the JDK alone accepts it
    assertThatThrownBy(() -> Certificates.parse(longer, "bundle certificate")).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("is not exactly one DER certificate");
  }

  static void refused(List<X509Certificate> presented, List<CertificateAuthority> cas, Instant at, String reason) {
    refused(presented, cas, at, CertificateChains.Purpose.CODE_SIGNING, reason);
  }

  static void refused(List<X509Certificate> presented, List<CertificateAuthority> cas, Instant at,
      CertificateChains.Purpose purpose, String reason) {
    assertThatThrownBy(() -> CertificateChains.verify(presented, cas, at, purpose)).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining(reason);
  }
}
