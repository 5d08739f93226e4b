package dev.attest.verify.internal.sigstore;

import static dev.attest.verify.internal.sigstore.TestPki.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.junit.jupiter.api.Test;

/** Timestamps from a BouncyCastle TSA: the signer-id and ESS variants, key types and imprint digests RFC 3161 allows. */
class Rfc3161PkiTest {
  static final byte[] SIGNATURE = "a bundle's signature bytes".getBytes(StandardCharsets.UTF_8);
  static final Instant GEN = AT;

  final KeyPair caKeys = ec("secp384r1");
  final X509Certificate ca = cert("CN=tsa root", caKeys.getPublic(), "CN=tsa root", caKeys.getPrivate(), "SHA384withECDSA",
      NB, NA, ca(0), ku(KeyUsage.keyCertSign));

  X509Certificate tsaCert(KeyPair k, String sigAlg) {
    return cert("CN=tsa", k.getPublic(), "CN=tsa root", caKeys.getPrivate(), "SHA384withECDSA", NB, NA,
        ku(KeyUsage.digitalSignature), eku(true, KeyPurposeId.id_kp_timeStamping), ski(k.getPublic()));
  }

  List<CertificateAuthority> root(X509Certificate leaf) {
    return List.of(new CertificateAuthority("https://tsa.test", List.of(leaf, ca), NB, null));
  }

  /** A DER TimeStampResp for {@code SIGNATURE}, made by BouncyCastle. */
  static byte[] stamp(KeyPair k, X509Certificate cert, String sigAlg, ASN1ObjectIdentifier essDigest, boolean bySki,
      ASN1ObjectIdentifier imprintAlg, String imprintJca, boolean embed) throws Exception {
    var digests = new JcaDigestCalculatorProviderBuilder().build();
    var signer = new JcaContentSignerBuilder(sigAlg).setProvider(TestPki.BC).build(k.getPrivate());
    SignerInfoGenerator sig = bySki
        ? new JcaSignerInfoGeneratorBuilder(digests).build(signer,
            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(k.getPublic()).getKeyIdentifier())
        : new JcaSignerInfoGeneratorBuilder(digests).build(signer, new JcaX509CertificateHolder(cert));
    DigestCalculator ess = digests.get(new AlgorithmIdentifier(essDigest));
    TimeStampTokenGenerator g = new TimeStampTokenGenerator(sig, ess, new ASN1ObjectIdentifier("1.2.3.4"));
    if (embed) {
      g.addCertificates(new JcaCertStore(List.of(cert)));
    }
    TimeStampRequestGenerator rg = new TimeStampRequestGenerator();
    rg.setCertReq(embed); // BouncyCastle embeds the certificate only when asked to
    TimeStampRequest req = rg.generate(imprintAlg, MessageDigest.getInstance(imprintJca).digest(SIGNATURE));
    return new TimeStampResponseGenerator(g, TSPAlgorithms.ALLOWED).generate(req, BigInteger.TEN, Date.from(GEN)).getEncoded(ASN1Encoding.DER);
  }

  @Test
  void verifiesEveryIdentificationAndEssVariant() throws Exception {
    KeyPair k = ec("secp256r1");
    X509Certificate leaf = tsaCert(k, "SHA256withECDSA");
    // BouncyCastle's generator cannot identify its signer by subject key identifier; the real tokens cover issuerAndSerial.
    for (boolean bySki : new boolean[] {false}) {
      for (ASN1ObjectIdentifier ess : List.of(OIWObjectIdentifiers.idSHA1, NISTObjectIdentifiers.id_sha256, NISTObjectIdentifiers.id_sha512)) {
        for (boolean embed : new boolean[] {false, true}) {
          byte[] t = stamp(k, leaf, "SHA256withECDSA", ess, bySki, TSPAlgorithms.SHA256, "SHA-256", embed);
          assertThat(Rfc3161.verify(t, SIGNATURE, root(leaf))).as("ski=%s ess=%s embed=%s", bySki, ess, embed).isEqualTo(GEN);
          assertThat(Rfc3161.Token.parse(t).certificates).hasSize(embed ? 1 : 0);
        }
      }
    }
  }

  @Test
  void verifiesRsaAndP384TsasAndSha384And512Imprints() throws Exception {
    KeyPair rsa = SignatureAlgorithmTest.keys(SignatureAlgorithm.PKIX_RSA_PKCS1V15_3072_SHA256);
    X509Certificate rsaLeaf = tsaCert(rsa, "SHA256withRSA");
    assertThat(Rfc3161.verify(stamp(rsa, rsaLeaf, "SHA256withRSA", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA384,
        "SHA-384", true), SIGNATURE, root(rsaLeaf))).isEqualTo(GEN);
    assertThat(Rfc3161.verify(stamp(rsa, rsaLeaf, "SHA256withRSAandMGF1", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA256,
        "SHA-256", true), SIGNATURE, root(rsaLeaf))).isEqualTo(GEN);
    KeyPair p384 = ec("secp384r1");
    X509Certificate p384Leaf = tsaCert(p384, "SHA384withECDSA");
    assertThat(Rfc3161.verify(stamp(p384, p384Leaf, "SHA384withECDSA", NISTObjectIdentifiers.id_sha384, false, TSPAlgorithms.SHA512,
        "SHA-512", false), SIGNATURE, root(p384Leaf))).isEqualTo(GEN);
  }

  @Test
  void refusesASha1Imprint() throws Exception {
    KeyPair k = ec("secp256r1");
    X509Certificate leaf = tsaCert(k, "SHA256withECDSA");
    byte[] t = stamp(k, leaf, "SHA256withECDSA", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA1, "SHA-1", true);
    assertThatThrownBy(() -> Rfc3161.verify(t, SIGNATURE, root(leaf))).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("SHA-1, which attest does not accept");
  }

  @Test
  void refusesAnotherTsaWithTheSameNameOrASignerNotInTheRoot() throws Exception {
    KeyPair k = ec("secp256r1");
    X509Certificate leaf = tsaCert(k, "SHA256withECDSA");
    KeyPair other = ec("secp256r1");
    X509Certificate impostor = tsaCert(other, "SHA256withECDSA");
    // Signed by another key whose certificate the token embeds: it names the impostor, which does chain to the root...
    byte[] embedded = stamp(other, impostor, "SHA256withECDSA", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA256, "SHA-256", true);
    assertThat(Rfc3161.verify(embedded, SIGNATURE, List.of(new CertificateAuthority("t", List.of(ca), NB, null)))).isEqualTo(GEN);
    // ...but a root that pins the TSA leaf refuses it, and without the embedded certificate nothing identifies the signer.
    assertThatThrownBy(() -> Rfc3161.verify(embedded, SIGNATURE, root(leaf))).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("certificate chain");
    byte[] bare = stamp(other, impostor, "SHA256withECDSA", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA256, "SHA-256", false);
    assertThatThrownBy(() -> Rfc3161.verify(bare, SIGNATURE, root(leaf))).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("neither embedded nor the leaf");
  }

  @Test
  void refusesATsaCertificateExpiredAtGenTime() throws Exception {
    KeyPair k = ec("secp256r1");
    X509Certificate shortLived = cert("CN=tsa", k.getPublic(), "CN=tsa root", caKeys.getPrivate(), "SHA384withECDSA",
        NB, GEN.minusSeconds(1), ku(KeyUsage.digitalSignature), eku(true, KeyPurposeId.id_kp_timeStamping));
    byte[] t = stamp(k, shortLived, "SHA256withECDSA", NISTObjectIdentifiers.id_sha256, false, TSPAlgorithms.SHA256, "SHA-256", true);
    assertThatThrownBy(() -> Rfc3161.verify(t, SIGNATURE, root(shortLived))).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("is not valid at the verified time " + GEN);
  }
}
