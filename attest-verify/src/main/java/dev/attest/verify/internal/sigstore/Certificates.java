package dev.attest.verify.internal.sigstore;

import java.io.ByteArrayInputStream;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * X.509 certificates for Sigstore (RFC 5280): strict parsing of exactly one DER certificate,
 * signature checks restricted to the algorithms Sigstore's CAs use, and the signing key of a leaf
 * with its registry algorithm.
 */
public final class Certificates {
  private Certificates() {}

  /**
   * Critical extensions attest understands and checks (RFC 5280 section 4.2): key usage, basic
   * constraints, extended key usage, subjectAltName (the identity, matched by the verifier) and
   * the key identifiers. Any other critical extension (name constraints, policy constraints, the
   * RFC 6962 precertificate poison) makes a certificate unusable.
   */
  static final Set<String> UNDERSTOOD_CRITICAL = Set.of(
      X509Parts.OID_KEY_USAGE, X509Parts.OID_BASIC_CONSTRAINTS, X509Parts.OID_EXT_KEY_USAGE,
      "2.5.29.17", X509Parts.OID_SUBJECT_KEY_ID, "2.5.29.35");

  /**
   * Exactly one DER certificate. Where the JDK refuses an end-entity certificate only because its
   * subject is empty without a subjectAltName (RFC 5280 allows it for non-CA certificates that
   * are not about a named subject), attest's own strict reader reads it instead.
   */
  public static X509Certificate parse(byte[] der, String what) throws VerificationFailure {
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new VerificationFailure(what + " is not exactly one DER certificate");
      }
      return c;
    } catch (CertificateException | RuntimeException e) {
      X509Parts parts;
      try {
        parts = X509Parts.parse(der, what);
      } catch (VerificationFailure strict) {
        throw new VerificationFailure(what + " is not a valid DER X.509 certificate: " + e.getMessage(), e);
      }
      if (parts.emptySubject() && parts.version == 3) {
        return new DerCertificate(parts, what);
      }
      throw new VerificationFailure(what + " is not a valid DER X.509 certificate: " + e.getMessage(), e);
    }
  }

  /** The exact DER of {@code c}. */
  static byte[] encoded(X509Certificate c) throws VerificationFailure {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new VerificationFailure("certificate " + c.getSubjectX500Principal() + " cannot be encoded", e);
    }
  }

  /** The JCA name for a certificate or CMS signature algorithm OID attest accepts. */
  static String jcaSignatureName(String oid) {
    return switch (oid) {
      case "1.2.840.10045.4.3.2" -> "SHA256withECDSA";
      case "1.2.840.10045.4.3.3" -> "SHA384withECDSA";
      case "1.2.840.10045.4.3.4" -> "SHA512withECDSA";
      case "1.2.840.113549.1.1.11" -> "SHA256withRSA";
      case "1.2.840.113549.1.1.12" -> "SHA384withRSA";
      case "1.2.840.113549.1.1.13" -> "SHA512withRSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.3.101.112" -> "Ed25519";
      default -> "unsupported (" + oid + ")";
    };
  }

  /**
   * Verifies the signature on {@code cert} with {@code issuerKey}. Only ECDSA, RSA PKCS#1 v1.5
   * and PSS with SHA-2, and Ed25519 are accepted; SHA-1 and MD5 certificate signatures are
   * refused, as Go's crypto/x509 (and so cosign and sigstore-go) refuses them.
   */
  static void verifySignature(X509Certificate cert, PublicKey issuerKey) throws VerificationFailure {
    // The trusted root's CA certificates are checked on every verification with the same keys;
    // a signature that verified once over these exact bytes with this exact key verifies again.
    PublicKey known = VERIFIED.get(cert);
    if (known != null && known.equals(issuerKey)) {
      return;
    }
    checkSignature(cert, issuerKey);
    VERIFIED.put(cert, issuerKey);
  }

  /**
   * Certificates whose signature verified, with the key it verified with. X509Certificate and
   * PublicKey compare by encoding; weak keys let unused certificates go.
   */
  private static final java.util.Map<X509Certificate, PublicKey> VERIFIED =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private static void checkSignature(X509Certificate cert, PublicKey issuerKey) throws VerificationFailure {
    String oid = cert.getSigAlgOID();
    String name = jcaSignatureName(oid);
    if (name.startsWith("unsupported")) {
      throw new VerificationFailure("certificate " + cert.getSubjectX500Principal() + " is signed with algorithm "
          + oid + ", which attest does not accept (SHA-2 ECDSA, RSA or Ed25519 only)");
    }
    if (issuerKey instanceof RSAPublicKey r && r.getModulus().bitLength() < 2048) {
      throw new VerificationFailure("certificate " + cert.getSubjectX500Principal() + " is signed by an RSA key of "
          + r.getModulus().bitLength() + " bits; at least 2048 are required");
    }
    if (issuerKey instanceof ECPublicKey && !name.endsWith("ECDSA")
        || issuerKey instanceof RSAPublicKey && !(name.endsWith("RSA") || name.equals("RSASSA-PSS"))) {
      throw new VerificationFailure("certificate " + cert.getSubjectX500Principal() + " is signed with " + name
          + " but its issuer's key is " + SignatureAlgorithm.describe(issuerKey));
    }
    byte[] sig = cert.getSignature();
    try {
      Signature s = Signature.getInstance(name);
      if (name.equals("RSASSA-PSS")) {
        byte[] params = cert.getSigAlgParams();
        if (params == null) {
          throw new VerificationFailure("certificate " + cert.getSubjectX500Principal() + " has RSASSA-PSS without parameters");
        }
        AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(params);
        s.setParameter(p.getParameterSpec(PSSParameterSpec.class));
      }
      if (name.equals("Ed25519") && sig.length != 64) {
        throw new SignatureException("Ed25519 signature is not 64 bytes");
      }
      s.initVerify(issuerKey);
      s.update(cert.getTBSCertificate());
      if (!s.verify(sig)) {
        throw new SignatureException("signature does not verify");
      }
    } catch (VerificationFailure e) {
      throw e;
    } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
      throw new VerificationFailure("the signature on certificate " + cert.getSubjectX500Principal()
          + " does not verify with its issuer's key (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The DER value inside extension {@code oid}'s extnValue OCTET STRING (RFC 5280 section 4.1),
   * or {@code null} when the certificate lacks it: how Fulcio's extensions are read without an
   * ASN.1 library.
   */
  public static byte @Nullable [] extensionValue(X509Certificate c, String oid) throws VerificationFailure {
    byte[] wrapped = c.getExtensionValue(oid);
    return wrapped == null ? null : Der.parse(wrapped, "certificate extension " + oid).octets("extnValue");
  }

  /** The text of a DER UTF8String, which must be valid UTF-8 (Fulcio's v2 extensions, RFC 5280 DirectoryString). */
  public static String utf8String(byte[] der, String what) throws VerificationFailure {
    return utf8(Der.parse(der, what).expect(0x0c, what + " UTF8String").content(), what);
  }

  /** Strictly decoded UTF-8 (Fulcio's v1 extensions hold raw UTF-8 bytes). */
  public static String utf8(byte[] bytes, String what) throws VerificationFailure {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new VerificationFailure(what + " is not valid UTF-8", e);
    }
  }

  /** A signing key and the registry algorithm that verifies with it. */
  public record SigningKey(PublicKey key, SignatureAlgorithm algorithm) {}

  /**
   * The leaf certificate's public key and its Sigstore registry algorithm (protobuf-specs
   * PublicKeyDetails), refused unless {@code allowed} (what the trusted root or the policy
   * allows; {@code null} for the whole registry) contains it. {@code hint} is an algorithm the
   * bundle names, for example the digest of a hashedrekord message signature: a P-384 key with a
   * SHA2_256 hint is refused rather than silently verified under another digest.
   */
  public static SigningKey signingKey(
      X509Certificate leaf, @Nullable Set<SignatureAlgorithm> allowed, @Nullable SignatureAlgorithm hint)
      throws VerificationFailure {
    PublicKey key = leaf.getPublicKey();
    SignatureAlgorithm alg;
    if (hint != null) {
      hint.checkKey(key);
      alg = hint;
    } else {
      alg = SignatureAlgorithm.forKey(key);
    }
    if (allowed != null && !allowed.contains(alg)) {
      throw new VerificationFailure("signing key algorithm " + alg + " is not allowed here (allowed: " + allowed + ")");
    }
    return new SigningKey(key, alg);
  }
}
