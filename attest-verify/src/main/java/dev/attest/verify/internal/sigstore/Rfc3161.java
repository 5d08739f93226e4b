package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RFC 3161 timestamp verification for Sigstore bundles: a TimeStampToken (RFC 3161 section 2.4.2),
 * a CMS SignedData (RFC 5652 section 5) over a TSTInfo, is checked against the trusted root's
 * timestamp authorities, and its genTime returned.
 *
 * <p>Checked: the content types; the message imprint, a hash of the signed bytes (the bundle's
 * message signature or DSSE signature) with the imprint's own SHA-2 algorithm; the signed
 * attributes (content-type, message-digest over the TSTInfo, and the ESS signing-certificate or
 * signing-certificate-v2 hash of the signer, RFC 2634 and RFC 5035); the signer identified by
 * issuer and serial number or subject key identifier; the signature over the signed attributes
 * with the signer's key; the signer's chain to a timestamp authority of the trusted root at
 * genTime, whether or not the token embeds the certificate; the authority's validity window
 * ({@code validFor}) containing genTime; and a critical timeStamping-only extended key usage.
 */
public final class Rfc3161 {
  private Rfc3161() {}

  static final String ID_SIGNED_DATA = "1.2.840.113549.1.7.2";
  static final String ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4";
  static final String ID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
  static final String ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
  static final String ID_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12";
  static final String ID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47";
  /** Larger tokens are refused; a TSA's response is a few KiB even with its chain. */
  static final int MAX_TOKEN = 64 * 1024;
  static final int MAX_CERTS = 16;

  /** A verified timestamp: its time and the authority that signed it. */
  public record Verified(Instant genTime, CertificateAuthority authority, List<X509Certificate> path) {}

  /**
   * Verifies {@code signedTimestamp} (a DER TimeStampToken) over {@code signedBytes} against the
   * timestamp authorities {@code tsas}, returning the verified genTime.
   */
  public static Instant verify(byte[] signedTimestamp, byte[] signedBytes, List<CertificateAuthority> tsas)
      throws VerificationFailure {
    return verifyDetailed(signedTimestamp, signedBytes, tsas).genTime();
  }

  /** As {@link #verify}, also returning the authority and the validated path. */
  public static Verified verifyDetailed(byte[] signedTimestamp, byte[] signedBytes, List<CertificateAuthority> tsas)
      throws VerificationFailure {
    if (signedTimestamp.length > MAX_TOKEN) {
      throw new VerificationFailure("timestamp: the RFC 3161 token is " + signedTimestamp.length
          + " bytes, more than the limit of " + MAX_TOKEN);
    }
    Token t = Token.parse(signedTimestamp);
    // Message imprint: the TSA timestamped exactly these signature bytes.
    byte[] imprint = digestFor(t.imprintAlg, "message imprint").digest(signedBytes);
    if (!MessageDigest.isEqual(imprint, t.imprint)) {
      throw new VerificationFailure("timestamp: the message imprint is not the " + digestName(t.imprintAlg)
          + " of the bundle's signature; the timestamp covers other data");
    }
    // Signed attributes: content type and the digest of the TSTInfo actually carried.
    MessageDigest md = digestFor(t.digestAlg, "signer digest algorithm");
    if (!MessageDigest.isEqual(md.digest(t.tstInfo), t.messageDigestAttr)) {
      throw new VerificationFailure("timestamp: the signed message-digest attribute does not match the TSTInfo");
    }
    if (tsas.isEmpty()) {
      throw new VerificationFailure("timestamp: the trusted root has no timestamp authority to verify it against");
    }
    VerificationFailure best = null;
    for (CertificateAuthority tsa : tsas) {
      try {
        return against(t, tsa);
      } catch (VerificationFailure f) {
        if (best == null || f.getMessage().startsWith("timestamp: the signature")
            || f.getMessage().startsWith("certificate chain") || f.getMessage().contains("validity window")) {
          best = f;
        }
      }
    }
    throw tsas.size() == 1 ? best : new VerificationFailure(
        "timestamp: no timestamp authority of the trusted root verifies it (" + tsas.size() + " tried); " + best.getMessage(), best);
  }

  /** DER AlgorithmIdentifier of SHA-256 (2.16.840.1.101.3.4.2.1) with NULL parameters. */
  private static final byte[] SHA256_ALGORITHM_ID = {
    0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00
  };

  /**
   * A DER TimeStampReq (RFC 3161 section 2.4.1): version 1, the SHA-256 message imprint of {@code
   * signedBytes}, no policy, {@code nonce}, and certReq TRUE so that the token embeds the TSA's
   * certificate.
   */
  public static byte[] request(byte[] signedBytes, BigInteger nonce) {
    if (nonce.signum() <= 0) {
      throw new IllegalArgumentException("nonce must be positive");
    }
    byte[] digest = SignatureAlgorithm.digest("SHA-256").digest(signedBytes);
    byte[] imprint = Der.tlv(Der.SEQUENCE, List.of(SHA256_ALGORITHM_ID, Der.tlv(Der.OCTET_STRING, digest)));
    return Der.tlv(Der.SEQUENCE, List.of(
        Der.tlv(Der.INTEGER, new byte[] {1}),
        imprint,
        Der.tlv(Der.INTEGER, nonce.toByteArray()),
        Der.tlv(Der.BOOLEAN, new byte[] {(byte) 0xff})));
  }

  /**
   * The nonce of a token's TSTInfo, or null when it has none. A signer compares it with the nonce
   * of its request (RFC 3161 section 2.4.2): the token is parsed, not verified.
   */
  public static @Nullable BigInteger nonce(byte[] signedTimestamp) throws VerificationFailure {
    if (signedTimestamp.length > MAX_TOKEN) {
      throw new VerificationFailure("timestamp: the RFC 3161 token is " + signedTimestamp.length
          + " bytes, more than the limit of " + MAX_TOKEN);
    }
    return Token.parse(signedTimestamp).nonce;
  }

  /**
   * As {@link #verifyDetailed}, with the certificates the token embeds as the only authority
   * ({@code uri}): the token is well formed, covers {@code signedBytes}, and is signed by a
   * timestamping certificate it carries, whose embedded chain is valid at genTime. This is what a
   * signer without a trusted root can check before it keeps a token; it says nothing about whether
   * the authority is trusted, which the verifier decides against its trusted root.
   */
  public static Verified verifyAgainstEmbedded(byte[] signedTimestamp, byte[] signedBytes, String uri)
      throws VerificationFailure {
    if (signedTimestamp.length > MAX_TOKEN) {
      throw new VerificationFailure("timestamp: the RFC 3161 token is " + signedTimestamp.length
          + " bytes, more than the limit of " + MAX_TOKEN);
    }
    Token t = Token.parse(signedTimestamp);
    if (t.certificates.isEmpty()) {
      throw new VerificationFailure("timestamp: the token embeds no certificate, though the request asked for it"
          + " (certReq)");
    }
    CertificateAuthority embedded = new CertificateAuthority(uri, t.certificates, Instant.EPOCH, null);
    return verifyDetailed(signedTimestamp, signedBytes, List.of(embedded));
  }

  private static Verified against(Token t, CertificateAuthority tsa) throws VerificationFailure {
    // The signer: an embedded certificate, or the authority's own leaf, matching the signer id and ESS hash.
    List<X509Certificate> candidates = new ArrayList<>(t.certificates);
    candidates.add(tsa.chain().get(0));
    X509Certificate signer = null;
    for (X509Certificate c : candidates) {
      if (t.identifies(c)) {
        signer = c;
        break;
      }
    }
    if (signer == null) {
      throw new VerificationFailure("timestamp: its signer (by " + t.sidDescription() + " and ESS certificate hash) is "
          + "neither embedded nor the leaf of timestamp authority " + tsa.uri());
    }
    verifySignature(t, signer.getPublicKey());
    if (!tsa.validAt(t.genTime)) {
      throw new VerificationFailure("timestamp: genTime " + t.genTime + " is outside the validity window of timestamp authority "
          + tsa.uri() + " (" + tsa.validFrom() + " to " + (tsa.validTo() == null ? "now" : tsa.validTo()) + ")");
    }
    List<X509Certificate> path = CertificateChains.pathThrough(signer, tsa);
    CertificateChains.validate(path, t.genTime, CertificateChains.Purpose.TIME_STAMPING);
    return new Verified(t.genTime, tsa, path);
  }

  private static void verifySignature(Token t, PublicKey key) throws VerificationFailure {
    String name = switch (t.sigAlg) {
      case "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "1.2.840.113549.1.1.11",
          "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.10", "1.3.101.112" ->
          Certificates.jcaSignatureName(t.sigAlg);
      // The key's algorithm with the signer's digest algorithm (RFC 5754 sections 3.2, 3.3).
      case "1.2.840.10045.2.1" -> digestName(t.digestAlg).replace("-", "") + "withECDSA";
      case "1.2.840.113549.1.1.1" -> digestName(t.digestAlg).replace("-", "") + "withRSA";
      default -> throw new VerificationFailure("timestamp: signature algorithm " + t.sigAlg + " is not supported");
    };
    boolean keyFits = key instanceof ECPublicKey ? name.endsWith("ECDSA")
        : key instanceof RSAPublicKey ? name.endsWith("RSA") || name.equals("RSASSA-PSS")
        : key instanceof EdECPublicKey && name.equals("Ed25519");
    if (!keyFits) {
      throw new VerificationFailure("timestamp: the signature algorithm " + name + " does not fit the TSA key ("
          + SignatureAlgorithm.describe(key) + ")");
    }
    try {
      Signature s = Signature.getInstance(name);
      if (name.equals("RSASSA-PSS")) {
        if (t.sigAlgParams == null) {
          throw new VerificationFailure("timestamp: RSASSA-PSS signature without parameters");
        }
        java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(t.sigAlgParams);
        s.setParameter(p.getParameterSpec(PSSParameterSpec.class));
      }
      s.initVerify(key);
      String scheme = "rfc3161/" + name + (t.sigAlgParams == null ? "" : "/" + java.util.HexFormat.of().formatHex(t.sigAlgParams));
      boolean ok = !(name.equals("Ed25519") && t.signature.length != 64)
          && VerifiedSignatures.verify(scheme, key, t.signedAttrsForSignature, t.signature, () -> {
            try {
              s.update(t.signedAttrsForSignature);
              return s.verify(t.signature);
            } catch (java.security.SignatureException e) {
              return false;
            }
          });
      if (!ok) {
        throw new VerificationFailure("timestamp: the signature over the signed attributes does not verify with the TSA key");
      }
    } catch (VerificationFailure f) {
      throw f;
    } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
      throw new VerificationFailure("timestamp: the signature over the signed attributes does not verify with the TSA key ("
          + e.getMessage() + ")", e);
    }
  }

  static String digestName(String oid) throws VerificationFailure {
    return switch (oid) {
      case "2.16.840.1.101.3.4.2.1" -> "SHA-256";
      case "2.16.840.1.101.3.4.2.2" -> "SHA-384";
      case "2.16.840.1.101.3.4.2.3" -> "SHA-512";
      case "1.3.14.3.2.26" -> throw new VerificationFailure("timestamp: uses SHA-1, which attest does not accept");
      default -> throw new VerificationFailure("timestamp: digest algorithm " + oid + " is not supported");
    };
  }

  private static MessageDigest digestFor(String oid, String what) throws VerificationFailure {
    try {
      return SignatureAlgorithm.digest(digestName(oid));
    } catch (VerificationFailure f) {
      throw new VerificationFailure(f.getMessage().replace("timestamp: ", "timestamp: the " + what + " "), f);
    }
  }

  /** The parsed parts of a TimeStampToken that verification reads. */
  static final class Token {
    String digestAlg = "";
    byte[] tstInfo = new byte[0];
    List<X509Certificate> certificates = new ArrayList<>();
    @Nullable BigInteger sidSerial;
    byte @Nullable [] sidIssuer;
    byte @Nullable [] sidSki;
    byte[] signedAttrsForSignature = new byte[0];
    byte[] messageDigestAttr = new byte[0];
    @Nullable String essHashAlg; // null: ESSCertID v1 (SHA-1)
    byte[] essHash = new byte[0];
    @Nullable BigInteger essSerial;
    String sigAlg = "";
    byte @Nullable [] sigAlgParams;
    byte[] signature = new byte[0];
    String imprintAlg = "";
    byte[] imprint = new byte[0];
    Instant genTime = Instant.EPOCH;
    @Nullable BigInteger nonce;

    static Token parse(byte[] der) throws VerificationFailure {
      Token t = new Token();
      Der.Value outer = Der.parse(der, "timestamp").expect(Der.SEQUENCE, "TimeStampResp");
      Der.Reader ci = outer.reader();
      if (ci.peekTag() == Der.SEQUENCE) {
        // A TimeStampResp (RFC 3161 section 2.4.2), as protobuf-specs RFC3161SignedTimestamp holds it.
        Der.Reader status = ci.next().reader();
        BigInteger code = status.next(Der.INTEGER, "PKIStatus").integer("status");
        if (code.signum() != 0 && !code.equals(BigInteger.ONE)) {
          throw new VerificationFailure("timestamp: the TSA's response has status " + code + ", not granted");
        }
        Der.Value token = ci.next(Der.SEQUENCE, "timeStampToken");
        ci.end("timeStampToken");
        ci = token.reader();
      }
      if (!ci.next(Der.OID, "contentType").oid("contentType").equals(ID_SIGNED_DATA)) {
        throw new VerificationFailure("timestamp: the token is not CMS SignedData");
      }
      Der.Value sd = ci.next(Der.context(0), "content").single("content").expect(Der.SEQUENCE, "SignedData");
      ci.end("content");
      Der.Reader r = sd.reader();
      r.next(Der.INTEGER, "version");
      List<Der.Value> digestAlgs = r.next(Der.SET, "digestAlgorithms").children();
      if (digestAlgs.isEmpty() || digestAlgs.size() > 8) {
        throw new VerificationFailure("timestamp: SignedData lists " + digestAlgs.size() + " digest algorithms");
      }
      Der.Reader encap = r.next(Der.SEQUENCE, "encapContentInfo").reader();
      if (!encap.next(Der.OID, "eContentType").oid("eContentType").equals(ID_CT_TST_INFO)) {
        throw new VerificationFailure("timestamp: the signed content is not a TSTInfo (RFC 3161 section 2.4.2)");
      }
      t.tstInfo = encap.next(Der.context(0), "eContent").single("eContent").octets("eContent");
      encap.end("eContent");
      Der.Value certs = r.optional(Der.context(0));
      if (certs != null) {
        List<Der.Value> list = certs.children();
        if (list.size() > MAX_CERTS) {
          throw new VerificationFailure("timestamp: embeds " + list.size() + " certificates, more than " + MAX_CERTS);
        }
        for (Der.Value c : list) {
          if (c.tag == Der.SEQUENCE) {
            t.certificates.add(Certificates.parse(c.encoded(), "timestamp's embedded certificate"));
          }
        }
      }
      r.optional(Der.context(1)); // crls: revocation is not checked
      List<Der.Value> signers = r.next(Der.SET, "signerInfos").children();
      r.end("signerInfos");
      if (signers.size() != 1) {
        throw new VerificationFailure("timestamp: has " + signers.size() + " signers, RFC 3161 requires exactly one");
      }
      t.signerInfo(signers.get(0));
      t.tstInfo();
      return t;
    }

    private void signerInfo(Der.Value si) throws VerificationFailure {
      Der.Reader r = si.expect(Der.SEQUENCE, "SignerInfo").reader();
      int version = r.next(Der.INTEGER, "SignerInfo version").integer("version").intValue();
      Der.Value sid = r.next();
      if (sid.tag == Der.SEQUENCE && version == 1) {
        Der.Reader ias = sid.reader();
        sidIssuer = ias.next(Der.SEQUENCE, "issuer").encoded();
        sidSerial = ias.next(Der.INTEGER, "serialNumber").integer("serialNumber");
        ias.end("issuerAndSerialNumber");
      } else if (sid.tag == Der.contextPrimitive(0) && version == 3) {
        sidSki = sid.content();
      } else {
        throw new VerificationFailure("timestamp: the signer identifier is malformed (SignerInfo version " + version + ")");
      }
      digestAlg = algorithm(r.next(Der.SEQUENCE, "digestAlgorithm"));
      Der.Value attrs = r.next(Der.context(0), "signedAttrs");
      // RFC 5652 section 5.4: the signature covers the attributes' DER with the SET OF tag.
      byte[] enc = attrs.encoded();
      enc[0] = (byte) Der.SET;
      signedAttrsForSignature = enc;
      Der.Value alg = r.next(Der.SEQUENCE, "signatureAlgorithm");
      Der.Reader ar = alg.reader();
      sigAlg = ar.next(Der.OID, "signatureAlgorithm").oid("signatureAlgorithm");
      if (ar.hasNext()) {
        Der.Value p = ar.next();
        sigAlgParams = p.tag == Der.NULL ? null : p.encoded();
      }
      signature = r.next(Der.OCTET_STRING, "signature").content();
      r.optional(Der.context(1)); // unsignedAttrs
      r.end("SignerInfo");
      attributes(attrs);
    }

    private void attributes(Der.Value attrs) throws VerificationFailure {
      boolean contentType = false;
      boolean digest = false;
      boolean ess = false;
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Der.Value a : attrs.children()) {
        Der.Reader r = a.expect(Der.SEQUENCE, "Attribute").reader();
        String type = r.next(Der.OID, "attrType").oid("attrType");
        List<Der.Value> values = r.next(Der.SET, "attrValues").children();
        r.end("attrValues");
        if (!seen.add(type)) {
          throw new VerificationFailure("timestamp: signed attribute " + type + " appears twice");
        }
        switch (type) {
          case ID_CONTENT_TYPE -> {
            if (values.size() != 1 || !values.get(0).oid("content-type").equals(ID_CT_TST_INFO)) {
              throw new VerificationFailure("timestamp: the signed content-type attribute is not id-ct-TSTInfo");
            }
            contentType = true;
          }
          case ID_MESSAGE_DIGEST -> {
            if (values.size() != 1) {
              throw new VerificationFailure("timestamp: the message-digest attribute must have one value");
            }
            messageDigestAttr = values.get(0).octets("message-digest");
            digest = true;
          }
          case ID_SIGNING_CERTIFICATE, ID_SIGNING_CERTIFICATE_V2 -> {
            if (values.size() != 1) {
              throw new VerificationFailure("timestamp: the signing-certificate attribute must have one value");
            }
            if (ess) {
              throw new VerificationFailure("timestamp: has both ESS signing-certificate attributes");
            }
            ess(values.get(0), type.equals(ID_SIGNING_CERTIFICATE_V2));
            ess = true;
          }
          default -> { } // signing-time and others carry nothing this check relies on
        }
      }
      if (!contentType || !digest) {
        throw new VerificationFailure("timestamp: the signed attributes lack " + (contentType ? "message-digest" : "content-type")
            + " (RFC 5652 section 5.3)");
      }
      if (!ess) {
        throw new VerificationFailure("timestamp: the signed attributes lack the ESS signing-certificate (RFC 3161 section 2.4.1)");
      }
    }

    /** SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }; the first names the signer. */
    private void ess(Der.Value v, boolean v2) throws VerificationFailure {
      Der.Reader sc = v.expect(Der.SEQUENCE, "SigningCertificate").reader();
      List<Der.Value> ids = sc.next(Der.SEQUENCE, "certs").children();
      if (ids.isEmpty()) {
        throw new VerificationFailure("timestamp: the ESS signing-certificate attribute names no certificate");
      }
      Der.Reader id = ids.get(0).expect(Der.SEQUENCE, "ESSCertID").reader();
      if (v2) {
        Der.Value alg = id.optional(Der.SEQUENCE);
        essHashAlg = alg == null ? "2.16.840.1.101.3.4.2.1" : algorithm(alg);
      } else {
        essHashAlg = null;
      }
      essHash = id.next(Der.OCTET_STRING, "certHash").content();
      Der.Value issuerSerial = id.optional(Der.SEQUENCE);
      if (issuerSerial != null) {
        Der.Reader is = issuerSerial.reader();
        is.next(Der.SEQUENCE, "issuer");
        essSerial = is.next(Der.INTEGER, "serialNumber").integer("serialNumber");
      }
    }

    private void tstInfo() throws VerificationFailure {
      Der.Reader r = Der.parse(tstInfo, "timestamp TSTInfo").expect(Der.SEQUENCE, "TSTInfo").reader();
      if (!r.next(Der.INTEGER, "version").integer("version").equals(BigInteger.ONE)) {
        throw new VerificationFailure("timestamp: TSTInfo version is not 1");
      }
      r.next(Der.OID, "policy");
      Der.Reader mi = r.next(Der.SEQUENCE, "messageImprint").reader();
      imprintAlg = algorithm(mi.next(Der.SEQUENCE, "hashAlgorithm"));
      imprint = mi.next(Der.OCTET_STRING, "hashedMessage").content();
      mi.end("messageImprint");
      r.next(Der.INTEGER, "serialNumber");
      genTime = r.next(Der.GENERALIZED_TIME, "genTime").time("genTime");
      r.optional(Der.SEQUENCE); // accuracy
      r.optional(Der.BOOLEAN); // ordering
      Der.Value n = r.optional(Der.INTEGER);
      nonce = n == null ? null : n.integer("nonce");
      // tsa and extensions are not relied on; the nonce only by a signer that sent one.
    }

    private static String algorithm(Der.Value algId) throws VerificationFailure {
      Der.Reader r = algId.reader();
      String oid = r.next(Der.OID, "algorithm").oid("algorithm");
      Der.Value params = r.optional(Der.NULL);
      if (params != null && params.contentLength() != 0) {
        throw new VerificationFailure("timestamp: algorithm " + oid + " has malformed NULL parameters");
      }
      r.end("algorithm " + oid);
      return oid;
    }

    /** Whether {@code c} is the signer: matches the signer id and the ESS certificate hash. */
    boolean identifies(X509Certificate c) throws VerificationFailure {
      X509Parts p = X509Parts.parse(Certificates.encoded(c), "timestamp signer certificate");
      if (sidSerial != null) {
        if (!sidSerial.equals(p.serial) || sidIssuer == null
            || !new javax.security.auth.x500.X500Principal(sidIssuer).equals(c.getIssuerX500Principal())) {
          return false;
        }
      } else {
        X509Parts.Extension ski = p.extension(X509Parts.OID_SUBJECT_KEY_ID);
        if (ski == null || sidSki == null || !Arrays.equals(Der.parse(ski.value(), "subjectKeyIdentifier")
            .octets("subjectKeyIdentifier"), sidSki)) {
          return false;
        }
      }
      MessageDigest md = essHashAlg == null ? SignatureAlgorithm.digest("SHA-1") : digestFor(essHashAlg, "ESS certificate hash");
      if (!MessageDigest.isEqual(md.digest(p.encoded), essHash)) {
        return false;
      }
      return essSerial == null || essSerial.equals(p.serial);
    }

    String sidDescription() {
      return sidSerial != null ? "issuer and serial number " + sidSerial.toString(16) : "subject key identifier";
    }
  }
}
