package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * A certificate the JDK refuses to parse although RFC 5280 allows it: an end-entity certificate
 * with an empty subject and no subjectAltName (the JDK insists on one; sigstore-go's test TSA, for
 * one, issues such certificates). Read with {@link X509Parts}; used only for that case, never for
 * certificates the JDK reads.
 */
final class DerCertificate extends X509Certificate {
  private static final long serialVersionUID = 1L;

  private final transient X509Parts parts;
  private final transient PublicKey key;
  private final transient @Nullable List<String> extKeyUsage;
  private final transient boolean @Nullable [] keyUsage;
  private final transient int basicConstraints;

  DerCertificate(X509Parts parts, String what) throws VerificationFailure {
    this.parts = parts;
    this.key = publicKey(parts.spki, what);
    X509Parts.Extension ku = parts.extension(X509Parts.OID_KEY_USAGE);
    keyUsage = ku == null ? null : keyUsage(ku.value(), what);
    X509Parts.Extension eku = parts.extension(X509Parts.OID_EXT_KEY_USAGE);
    extKeyUsage = eku == null ? null : extKeyUsage(eku.value(), what);
    X509Parts.Extension bc = parts.extension(X509Parts.OID_BASIC_CONSTRAINTS);
    basicConstraints = bc == null ? -1 : basicConstraints(bc.value(), what);
  }

  private static PublicKey publicKey(byte[] spki, String what) throws VerificationFailure {
    for (String type : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(spki));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next key type
      }
    }
    throw new VerificationFailure(what + " has a public key that is not EC, RSA or Ed25519");
  }

  private static boolean[] keyUsage(byte[] value, String what) throws VerificationFailure {
    Der.Value v = Der.parse(value, what + " keyUsage").expect(Der.BIT_STRING, "keyUsage");
    byte[] c = v.content();
    if (c.length < 1 || (c[0] & 0xff) > 7) {
      throw new VerificationFailure(what + ": keyUsage is a malformed BIT STRING");
    }
    int bits = (c.length - 1) * 8 - (c[0] & 0xff);
    boolean[] out = new boolean[Math.max(9, bits)];
    for (int i = 0; i < bits; i++) {
      out[i] = (c[1 + i / 8] & (0x80 >>> (i % 8))) != 0;
    }
    return out;
  }

  private static List<String> extKeyUsage(byte[] value, String what) throws VerificationFailure {
    List<String> out = new ArrayList<>();
    for (Der.Value v : Der.parse(value, what + " extKeyUsage").expect(Der.SEQUENCE, "extKeyUsage").children()) {
      out.add(v.oid("KeyPurposeId"));
    }
    return Collections.unmodifiableList(out);
  }

  private static int basicConstraints(byte[] value, String what) throws VerificationFailure {
    Der.Reader r = Der.parse(value, what + " basicConstraints").expect(Der.SEQUENCE, "basicConstraints").reader();
    Der.Value ca = r.optional(Der.BOOLEAN);
    boolean isCa = ca != null && ca.contentLength() == 1 && ca.content()[0] != 0;
    Der.Value len = r.optional(Der.INTEGER);
    r.end("basicConstraints");
    if (!isCa) {
      return -1;
    }
    return len == null ? Integer.MAX_VALUE : len.integer("pathLenConstraint").min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
  }

  @Override
  public void checkValidity() throws CertificateExpiredException, CertificateNotYetValidException {
    checkValidity(new Date());
  }

  @Override
  public void checkValidity(Date date) throws CertificateExpiredException, CertificateNotYetValidException {
    if (date.toInstant().isBefore(parts.notBefore)) {
      throw new CertificateNotYetValidException("not valid before " + parts.notBefore);
    }
    if (date.toInstant().isAfter(parts.notAfter)) {
      throw new CertificateExpiredException("not valid after " + parts.notAfter);
    }
  }

  @Override
  public int getVersion() {
    return parts.version;
  }

  @Override
  public BigInteger getSerialNumber() {
    return parts.serial;
  }

  @Override
  @SuppressWarnings("deprecation")
  public Principal getIssuerDN() {
    return getIssuerX500Principal();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Principal getSubjectDN() {
    return getSubjectX500Principal();
  }

  @Override
  public X500Principal getIssuerX500Principal() {
    return new X500Principal(parts.issuer);
  }

  @Override
  public X500Principal getSubjectX500Principal() {
    return new X500Principal(parts.subject);
  }

  @Override
  public Date getNotBefore() {
    return Date.from(parts.notBefore);
  }

  @Override
  public Date getNotAfter() {
    return Date.from(parts.notAfter);
  }

  @Override
  public byte[] getTBSCertificate() {
    return parts.tbs.clone();
  }

  @Override
  public byte[] getSignature() {
    return parts.signature.clone();
  }

  @Override
  public String getSigAlgName() {
    return Certificates.jcaSignatureName(parts.sigAlgOid);
  }

  @Override
  public String getSigAlgOID() {
    return parts.sigAlgOid;
  }

  @Override
  public byte @Nullable [] getSigAlgParams() {
    return parts.sigAlgParams == null ? null : parts.sigAlgParams.clone();
  }

  @Override
  public boolean @Nullable [] getIssuerUniqueID() {
    return null;
  }

  @Override
  public boolean @Nullable [] getSubjectUniqueID() {
    return null;
  }

  @Override
  public boolean @Nullable [] getKeyUsage() {
    return keyUsage == null ? null : keyUsage.clone();
  }

  @Override
  public @Nullable List<String> getExtendedKeyUsage() {
    return extKeyUsage;
  }

  @Override
  public int getBasicConstraints() {
    return basicConstraints;
  }

  @Override
  public byte[] getEncoded() throws CertificateEncodingException {
    return parts.encoded.clone();
  }

  @Override
  public void verify(PublicKey issuerKey) throws SignatureException, InvalidKeyException {
    try {
      Certificates.verifySignature(this, issuerKey);
    } catch (VerificationFailure e) {
      throw new SignatureException(e.getMessage(), e);
    }
  }

  @Override
  public void verify(PublicKey issuerKey, String sigProvider) throws SignatureException, InvalidKeyException {
    verify(issuerKey);
  }

  @Override
  public String toString() {
    return "DerCertificate[subject=" + getSubjectX500Principal() + ", issuer=" + getIssuerX500Principal()
        + ", serial=" + parts.serial.toString(16) + ", " + parts.notBefore + ".." + parts.notAfter + "]";
  }

  @Override
  public PublicKey getPublicKey() {
    return key;
  }

  @Override
  public boolean hasUnsupportedCriticalExtension() {
    for (String oid : getCriticalExtensionOIDs()) {
      if (!Certificates.UNDERSTOOD_CRITICAL.contains(oid)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<String> getCriticalExtensionOIDs() {
    Set<String> out = new TreeSet<>();
    for (X509Parts.Extension e : parts.extensions) {
      if (e.critical()) {
        out.add(e.oid());
      }
    }
    return out;
  }

  @Override
  public Set<String> getNonCriticalExtensionOIDs() {
    Set<String> out = new TreeSet<>();
    for (X509Parts.Extension e : parts.extensions) {
      if (!e.critical()) {
        out.add(e.oid());
      }
    }
    return out;
  }

  @Override
  public byte @Nullable [] getExtensionValue(String oid) {
    X509Parts.Extension e = parts.extension(oid);
    return e == null ? null : Der.tlv(Der.OCTET_STRING, e.value());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    try {
      return o instanceof X509Certificate c && java.util.Arrays.equals(parts.encoded, c.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }

  @Override
  public int hashCode() {
    return HexFormat.of().formatHex(parts.encoded, 0, Math.min(32, parts.encoded.length)).hashCode();
  }
}
