package dev.attest.verify.internal.sigstore;

import static dev.attest.verify.internal.sigstore.TestPki.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each RFC 5280 check of the path validation, on certificates BouncyCastle issues: the good path
 * passes, and each broken constraint is refused with a reason naming it. Also every registry
 * algorithm as a Fulcio leaf key.
 */
class CertificateChainsPkiTest {
  static final Fulcio PKI = new Fulcio();

  static List<X509Certificate> verify(X509Certificate leaf) throws VerificationFailure {
    return CertificateChains.verify(List.of(leaf), List.of(PKI.authority()), AT);
  }

  static void refused(X509Certificate leaf, String reason) {
    assertThatThrownBy(() -> verify(leaf)).isInstanceOf(VerificationFailure.class).hasMessageContaining(reason);
  }

  /** Every Sigstore registry algorithm as the key of a keyless certificate: chain, key and algorithm, signature. */
  @ParameterizedTest
  @EnumSource(SignatureAlgorithm.class)
  void everyRegistryAlgorithmWorksAsAFulcioLeafKey(SignatureAlgorithm alg) throws Exception {
    KeyPair kp = SignatureAlgorithmTest.keys(alg);
    X509Certificate leaf = PKI.goodLeaf(kp.getPublic());
    assertThat(verify(leaf)).containsExactly(leaf, PKI.inter, PKI.root);
    boolean isDefault = alg == SignatureAlgorithm.forKey(kp.getPublic());
    Certificates.SigningKey sk = Certificates.signingKey(leaf, null, isDefault ? null : alg);
    assertThat(sk.algorithm()).isEqualTo(alg);
    byte[] sig = SignatureAlgorithmTest.sign(alg, kp.getPrivate(), SignatureAlgorithmTest.MESSAGE);
    assertThat(sk.algorithm().verify(sk.key(), SignatureAlgorithmTest.MESSAGE, sig)).isTrue();
    assertThatThrownBy(() -> Certificates.signingKey(leaf, java.util.Set.of(), alg))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("is not allowed here");
  }

  @Test
  void signingKeyRefusesAHintThatContradictsTheKey() {
    X509Certificate leaf = PKI.goodLeaf(ec("secp384r1").getPublic());
    assertThatThrownBy(() -> Certificates.signingKey(leaf, null, SignatureAlgorithm.PKIX_ECDSA_P256_SHA_256))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("does not match signature algorithm PKIX_ECDSA_P256_SHA_256");
  }

  @Test
  void caCertificatesSignedWithRsaPssOrEd25519Verify() throws Exception {
    KeyPair rootKeys = SignatureAlgorithmTest.keys(SignatureAlgorithm.PKIX_RSA_PSS_4096_SHA256);
    KeyPair interKeys = SignatureAlgorithmTest.keys(SignatureAlgorithm.PKIX_ED25519);
    X509Certificate root = cert("CN=pss root", rootKeys.getPublic(), "CN=pss root", rootKeys.getPrivate(), "SHA256withRSAandMGF1",
        NB, NA, ca(1), ku(KeyUsage.keyCertSign));
    X509Certificate inter = cert("CN=ed inter", interKeys.getPublic(), "CN=pss root", rootKeys.getPrivate(), "SHA256withRSAandMGF1",
        NB, NA, ca(0), ku(KeyUsage.keyCertSign));
    X509Certificate leaf = cert("", ec("secp256r1").getPublic(), "CN=ed inter", interKeys.getPrivate(), "Ed25519", NB, NA,
        ku(KeyUsage.digitalSignature), eku(true, KeyPurposeId.id_kp_codeSigning), email("a@b.c"));
    CertificateAuthority ca = new CertificateAuthority("x", List.of(inter, root), NB, null);
    assertThat(CertificateChains.verify(List.of(leaf), List.of(ca), AT)).hasSize(3);
  }

  @Test
  void refusesSha1Signatures() {
    X509Certificate leaf = cert("", ec("secp256r1").getPublic(), "O=test,CN=intermediate", PKI.interKeys.getPrivate(),
        "SHA1withECDSA", NB, NA, ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning), email("a@b.c"));
    refused(leaf, "which attest does not accept");
  }

  @Test
  void refusesALeafWithoutDigitalSignatureOrCodeSigning() {
    KeyPair kp = ec("secp256r1");
    refused(PKI.leaf(kp.getPublic(), ku(KeyUsage.keyEncipherment), eku(false, KeyPurposeId.id_kp_codeSigning)),
        "lacks the digitalSignature key usage");
    refused(PKI.leaf(kp.getPublic(), eku(false, KeyPurposeId.id_kp_codeSigning)), "lacks the digitalSignature key usage");
    refused(PKI.leaf(kp.getPublic(), ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_serverAuth)),
        "lacks the codeSigning extended key usage");
    refused(PKI.leaf(kp.getPublic(), ku(KeyUsage.digitalSignature)), "lacks the codeSigning extended key usage");
  }

  @Test
  void refusesAnUnknownCriticalExtension() {
    refused(PKI.leaf(ec("secp256r1").getPublic(), ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning),
        b -> b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.3"), true, DERNull.INSTANCE)),
        "has critical extension 1.3.6.1.4.1.11129.2.4.3");
  }

  @Test
  void refusesCaConstraintViolations() {
    KeyPair ik = ec("secp256r1");
    KeyPair leafKeys = ec("secp256r1");
    // An intermediate that is not a CA.
    X509Certificate notCa = cert("CN=i", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        notCa(), ku(KeyUsage.keyCertSign));
    chainRefused(notCa, ik, leafKeys, "is not a CA");
    // A CA without keyCertSign.
    X509Certificate noCertSign = cert("CN=i", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(0), ku(KeyUsage.digitalSignature));
    chainRefused(noCertSign, ik, leafKeys, "lacks the keyCertSign key usage");
    // A CA that restricts EKU to serverAuth.
    X509Certificate server = cert("CN=i", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(0), ku(KeyUsage.keyCertSign), eku(false, KeyPurposeId.id_kp_serverAuth));
    chainRefused(server, ik, leafKeys, "excludes codeSigning");
    // Critical name constraints are not processed, so refused.
    X509Certificate constrained = cert("CN=i", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(0), ku(KeyUsage.keyCertSign), b -> b.addExtension(Extension.nameConstraints, true,
            new NameConstraints(new GeneralSubtree[] {new GeneralSubtree(new GeneralName(GeneralName.rfc822Name, "example.com"))}, null)));
    chainRefused(constrained, ik, leafKeys, "has critical extension 2.5.29.30");
    // An intermediate expired at the signing time.
    X509Certificate expired = cert("CN=i", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA",
        NB, AT.minusSeconds(1), ca(0), ku(KeyUsage.keyCertSign));
    chainRefused(expired, ik, leafKeys, "CA certificate CN=i is not valid at the verified time");
  }

  @Test
  void refusesAPathLongerThanAPathLengthConstraintAllows() throws Exception {
    KeyPair k1 = ec("secp256r1");
    KeyPair k2 = ec("secp256r1");
    X509Certificate i1 = cert("CN=i1", k1.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(0), ku(KeyUsage.keyCertSign));
    X509Certificate i2 = cert("CN=i2", k2.getPublic(), "CN=i1", k1.getPrivate(), "SHA256withECDSA", NB, NA, ca(0), ku(KeyUsage.keyCertSign));
    X509Certificate leaf = cert("", ec("secp256r1").getPublic(), "CN=i2", k2.getPrivate(), "SHA256withECDSA", NB, NA,
        ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning), email("a@b.c"));
    CertificateAuthority ca = new CertificateAuthority("x", List.of(i2, i1, PKI.root), NB, null);
    assertThatThrownBy(() -> CertificateChains.verify(List.of(leaf), List.of(ca), AT)).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("CA certificate CN=i1 allows a path length of 0 but 1 CA certificates follow it");
    X509Certificate i1ok = cert("CN=i1", k1.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(1), ku(KeyUsage.keyCertSign));
    assertThat(CertificateChains.verify(List.of(leaf), List.of(new CertificateAuthority("x", List.of(i2, i1ok, PKI.root), NB, null)), AT))
        .hasSize(4);
  }

  @Test
  void refusesALeafNamingAnotherIssuer() {
    X509Certificate leaf = cert("", ec("secp256r1").getPublic(), "O=test,CN=other", PKI.interKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning), email("a@b.c"));
    refused(leaf, "was issued by");
  }

  @Test
  void timestampAuthorityLeavesNeedACriticalTimeStampingOnlyExtendedKeyUsage() throws Exception {
    KeyPair k = ec("secp256r1");
    KeyPair ik = ec("secp256r1");
    X509Certificate inter = cert("CN=tsa ca", ik.getPublic(), "O=test,CN=root", PKI.rootKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ca(0), ku(KeyUsage.keyCertSign));
    CertificateAuthority tsa = new CertificateAuthority("tsa", List.of(inter, PKI.root), NB, null);
    X509Certificate good = cert("CN=tsa", k.getPublic(), "CN=tsa ca", ik.getPrivate(), "SHA256withECDSA", NB, NA,
        ku(KeyUsage.digitalSignature), eku(true, KeyPurposeId.id_kp_timeStamping));
    assertThat(CertificateChains.verify(List.of(good), List.of(tsa), AT, CertificateChains.Purpose.TIME_STAMPING)).hasSize(3);
    for (X509Certificate bad : List.of(
        cert("CN=tsa", k.getPublic(), "CN=tsa ca", ik.getPrivate(), "SHA256withECDSA", NB, NA,
            ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_timeStamping)),
        cert("CN=tsa", k.getPublic(), "CN=tsa ca", ik.getPrivate(), "SHA256withECDSA", NB, NA,
            ku(KeyUsage.digitalSignature), eku(true, KeyPurposeId.id_kp_timeStamping, KeyPurposeId.id_kp_codeSigning)))) {
      assertThatThrownBy(() -> CertificateChains.verify(List.of(bad), List.of(tsa), AT, CertificateChains.Purpose.TIME_STAMPING))
          .isInstanceOf(VerificationFailure.class).hasMessageContaining("critical extended key usage of timeStamping alone");
    }
  }

  private static void chainRefused(X509Certificate inter, KeyPair interKeys, KeyPair leafKeys, String reason) {
    X509Certificate leaf = cert("", leafKeys.getPublic(), "CN=i", interKeys.getPrivate(), "SHA256withECDSA", NB, NA,
        ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning), email("a@b.c"));
    CertificateAuthority ca = new CertificateAuthority("x", List.of(inter, PKI.root), NB, null);
    assertThatThrownBy(() -> CertificateChains.verify(List.of(leaf), List.of(ca), AT)).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining(reason);
  }
}
