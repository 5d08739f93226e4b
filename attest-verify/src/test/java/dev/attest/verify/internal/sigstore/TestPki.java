package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates made with BouncyCastle (test scope only): an independent issuer for the checks. */
final class TestPki {
  private TestPki() {}

  static final BouncyCastleProvider BC = new BouncyCastleProvider();
  static final Instant NB = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NA = Instant.parse("2027-01-01T00:00:00Z");
  static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  interface Ext {
    void add(X509v3CertificateBuilder b) throws Exception;
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static X509Certificate cert(String subject, PublicKey key, String issuer, PrivateKey issuerKey, String sigAlg,
      Instant nb, Instant na, Ext... exts) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(nb), Date.from(na), new X500Name(subject), key);
      for (Ext e : exts) {
        e.add(b);
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder(sigAlg).setProvider(BC).build(issuerKey)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Ext ca(Integer pathLen) {
    return b -> b.addExtension(Extension.basicConstraints, true,
        pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
  }

  static Ext notCa() {
    return b -> b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
  }

  static Ext ku(int bits) {
    return b -> b.addExtension(Extension.keyUsage, true, new KeyUsage(bits));
  }

  static Ext eku(boolean critical, KeyPurposeId... ids) {
    return b -> b.addExtension(Extension.extendedKeyUsage, critical, new ExtendedKeyUsage(ids));
  }

  static Ext email(String address) {
    return b -> b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.rfc822Name, address)));
  }

  static Ext ski(PublicKey key) {
    return b -> b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key));
  }

  /** A Fulcio-shaped hierarchy: root (CA), intermediate (CA, pathlen 0, codeSigning), leaf issued per test. */
  static final class Fulcio {
    final KeyPair rootKeys = ec("secp384r1");
    final KeyPair interKeys = ec("secp384r1");
    final X509Certificate root = cert("O=test,CN=root", rootKeys.getPublic(), "O=test,CN=root", rootKeys.getPrivate(),
        "SHA384withECDSA", NB.minusSeconds(86400 * 365), NA.plusSeconds(86400 * 365), ca(null), ku(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    final X509Certificate inter = cert("O=test,CN=intermediate", interKeys.getPublic(), "O=test,CN=root", rootKeys.getPrivate(),
        "SHA384withECDSA", NB.minusSeconds(86400), NA.plusSeconds(86400), ca(0), ku(KeyUsage.keyCertSign | KeyUsage.cRLSign),
        eku(false, KeyPurposeId.id_kp_codeSigning));

    CertificateAuthority authority() {
      return new CertificateAuthority("https://fulcio.test", java.util.List.of(inter, root), NB.minusSeconds(86400), null);
    }

    /** A leaf with a subject name, so the JDK (and BouncyCastle's converter) read it without a subjectAltName. */
    X509Certificate leaf(PublicKey key, Ext... exts) {
      return cert("CN=leaf", key, "O=test,CN=intermediate", interKeys.getPrivate(), "SHA384withECDSA", NB, NA, exts);
    }

    X509Certificate goodLeaf(PublicKey key) {
      return cert("", key, "O=test,CN=intermediate", interKeys.getPrivate(), "SHA384withECDSA", NB, NA,
          ku(KeyUsage.digitalSignature), eku(false, KeyPurposeId.id_kp_codeSigning), email("dev@example.com"));
    }
  }
}
