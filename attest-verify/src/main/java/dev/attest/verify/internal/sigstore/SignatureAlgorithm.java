package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.EdDSAParameterSpec;
import java.security.spec.InvalidParameterSpecException;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Sigstore's signature algorithm registry: protobuf-specs {@code PublicKeyDetails}
 * (https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_common.proto) and the
 * algorithm registry (https://github.com/sigstore/architecture-docs/blob/main/algorithm-registry.md).
 *
 * <p>Each entry fixes the key type, curve or modulus size, and digest: a key that does not match
 * is refused rather than verified under another algorithm. ECDSA signatures are ASN.1 DER
 * (X9.62); RSA follows RFC 8017 (PKCS#1 v1.5, and PSS with MGF1 over the same digest and any salt
 * length the encoding carries, as Go's {@code rsa.VerifyPSS} with {@code PSSSaltLengthAuto});
 * Ed25519 and Ed25519ph follow RFC 8032.
 */
public enum SignatureAlgorithm {
  PKIX_ECDSA_P256_SHA_256(Family.ECDSA, "secp256r1", 256, "SHA-256"),
  PKIX_ECDSA_P384_SHA_384(Family.ECDSA, "secp384r1", 384, "SHA-384"),
  PKIX_ECDSA_P521_SHA_512(Family.ECDSA, "secp521r1", 521, "SHA-512"),
  PKIX_RSA_PKCS1V15_2048_SHA256(Family.RSA_PKCS1V15, null, 2048, "SHA-256"),
  PKIX_RSA_PKCS1V15_3072_SHA256(Family.RSA_PKCS1V15, null, 3072, "SHA-256"),
  PKIX_RSA_PKCS1V15_4096_SHA256(Family.RSA_PKCS1V15, null, 4096, "SHA-256"),
  PKIX_RSA_PSS_2048_SHA256(Family.RSA_PSS, null, 2048, "SHA-256"),
  PKIX_RSA_PSS_3072_SHA256(Family.RSA_PSS, null, 3072, "SHA-256"),
  PKIX_RSA_PSS_4096_SHA256(Family.RSA_PSS, null, 4096, "SHA-256"),
  /** Pure Ed25519: the signature covers the message itself, there is no separate digest. */
  PKIX_ED25519(Family.ED25519, "Ed25519", 255, null),
  /** Ed25519ph (RFC 8032 section 5.1): Ed25519 over the message's SHA-512. */
  PKIX_ED25519_PH(Family.ED25519, "Ed25519", 255, "SHA-512");

  private enum Family { ECDSA, RSA_PKCS1V15, RSA_PSS, ED25519 }

  private final Family family;
  private final @Nullable String curve;
  private final int bits;
  private final @Nullable String digest;

  SignatureAlgorithm(Family family, @Nullable String curve, int bits, @Nullable String digest) {
    this.family = family;
    this.curve = curve;
    this.bits = bits;
    this.digest = digest;
  }

  /**
   * The entry named {@code keyDetails} (the protobuf enum name, as trusted roots and bundles
   * write it). Deprecated, unspecified and unsupported names (for example {@code
   * PKIX_ECDSA_P256_HMAC_SHA_256}, {@code LMS_SHA256}, {@code ML_DSA_65}) are refused.
   */
  public static SignatureAlgorithm parse(String keyDetails) throws VerificationFailure {
    for (SignatureAlgorithm a : values()) {
      if (a.name().equals(keyDetails)) {
        return a;
      }
    }
    throw new VerificationFailure("signature algorithm '" + clip(keyDetails)
        + "' is not one attest verifies (Sigstore PublicKeyDetails: ECDSA P-256/P-384/P-521, RSA "
        + "PKCS#1 v1.5 or PSS 2048-4096, Ed25519)");
  }

  /**
   * Sigstore's default algorithm for {@code key}: the ECDSA entry of its curve, RSA PKCS#1 v1.5
   * with SHA-256 for its modulus size, or pure Ed25519.
   */
  public static SignatureAlgorithm forKey(PublicKey key) throws VerificationFailure {
    if (key instanceof ECPublicKey ec) {
      for (SignatureAlgorithm a : new SignatureAlgorithm[] {
          PKIX_ECDSA_P256_SHA_256, PKIX_ECDSA_P384_SHA_384, PKIX_ECDSA_P521_SHA_512}) {
        if (a.matches(key)) {
          return a;
        }
      }
      throw new VerificationFailure("EC public key is on an unsupported curve (field size "
          + ec.getParams().getCurve().getField().getFieldSize() + " bits); Sigstore allows P-256, P-384 and P-521");
    }
    if (key instanceof RSAPublicKey rsa) {
      int size = rsa.getModulus().bitLength();
      if ("RSASSA-PSS".equalsIgnoreCase(key.getAlgorithm())) {
        // An id-RSASSA-PSS key (RFC 4055) may only make PSS signatures.
        return switch (size) {
          case 2048 -> PKIX_RSA_PSS_2048_SHA256;
          case 3072 -> PKIX_RSA_PSS_3072_SHA256;
          case 4096 -> PKIX_RSA_PSS_4096_SHA256;
          default -> throw new VerificationFailure(
              "RSA-PSS public key has " + size + " bits; Sigstore allows 2048, 3072 and 4096");
        };
      }
      return switch (size) {
        case 2048 -> PKIX_RSA_PKCS1V15_2048_SHA256;
        case 3072 -> PKIX_RSA_PKCS1V15_3072_SHA256;
        case 4096 -> PKIX_RSA_PKCS1V15_4096_SHA256;
        default -> throw new VerificationFailure(
            "RSA public key has " + size + " bits; Sigstore allows 2048, 3072 and 4096");
      };
    }
    if (PKIX_ED25519.matches(key)) {
      return PKIX_ED25519;
    }
    throw new VerificationFailure("public key type " + key.getAlgorithm()
        + " is not a Sigstore signing key type (ECDSA, RSA or Ed25519)");
  }

  /**
   * The registry entries a signature by {@code key} may have been made with, in the order tried,
   * when nothing names one: Sigstore's default for the key ({@link #forKey}); for a plain RSA key
   * PSS as well ({@link #pssAlternative}); for an Ed25519 key, Ed25519ph for a message signature
   * (hashedrekord logs only the digest, so Sigstore signs artifacts with Ed25519ph), and pure
   * Ed25519 then Ed25519ph for a DSSE envelope (sigstore-go signs DSSE it logs in Rekor v2 with
   * Ed25519ph). Each needs the private key, so trying several is no weaker than any one.
   */
  public static java.util.List<SignatureAlgorithm> candidates(PublicKey key, boolean dsse) throws VerificationFailure {
    SignatureAlgorithm a = forKey(key);
    if (a == PKIX_ED25519) {
      return dsse ? java.util.List.of(PKIX_ED25519, PKIX_ED25519_PH) : java.util.List.of(PKIX_ED25519_PH);
    }
    SignatureAlgorithm pss = a.pssAlternative();
    return pss == null ? java.util.List.of(a) : java.util.List.of(a, pss);
  }

  /**
   * For an RSA PKCS#1 v1.5 entry, the PSS entry of the same modulus size, else {@code null}. A
   * plain RSA key may sign either way (the registry lists both), and the key alone does not say
   * which: a verifier given only a trusted RSA key tries PKCS#1 v1.5, then PSS. Either scheme
   * needs the private key, so accepting both is no weaker than either.
   */
  public @Nullable SignatureAlgorithm pssAlternative() {
    return switch (this) {
      case PKIX_RSA_PKCS1V15_2048_SHA256 -> PKIX_RSA_PSS_2048_SHA256;
      case PKIX_RSA_PKCS1V15_3072_SHA256 -> PKIX_RSA_PSS_3072_SHA256;
      case PKIX_RSA_PKCS1V15_4096_SHA256 -> PKIX_RSA_PSS_4096_SHA256;
      default -> null;
    };
  }

  /**
   * The JCA name of the message digest ("SHA-256", "SHA-384", "SHA-512"), or {@code null} for
   * pure Ed25519, which signs the message itself.
   */
  public @Nullable String digestAlgorithm() {
    return digest;
  }

  /** Whether {@code key} has this entry's type and curve or modulus size. */
  public boolean matches(PublicKey key) {
    return switch (family) {
      case ECDSA -> key instanceof ECPublicKey ec && sameCurve(ec.getParams(), namedCurve(curve));
      case RSA_PKCS1V15 -> key instanceof RSAPublicKey r && r.getModulus().bitLength() == bits
          && !"RSASSA-PSS".equalsIgnoreCase(key.getAlgorithm()); // a PSS-only key (RFC 4055)
      case RSA_PSS -> key instanceof RSAPublicKey r && r.getModulus().bitLength() == bits;
      case ED25519 -> key instanceof EdECPublicKey ed && "Ed25519".equalsIgnoreCase(ed.getParams().getName());
    };
  }

  /** Refuses {@code key} unless it {@link #matches} this entry. */
  public void checkKey(PublicKey key) throws VerificationFailure {
    if (!matches(key)) {
      throw new VerificationFailure("public key (" + describe(key) + ") does not match signature algorithm " + this);
    }
  }

  /**
   * Verifies {@code signature} over {@code message}. Returns whether the signature is valid; a
   * key that does not match this algorithm is a failure, a malformed signature is {@code false}.
   */
  public boolean verify(PublicKey key, byte[] message, byte[] signature) throws VerificationFailure {
    checkKey(key);
    return VerifiedSignatures.verify(name(), key, message, signature, () -> check(key, message, signature));
  }

  private boolean check(PublicKey key, byte[] message, byte[] signature) throws VerificationFailure {
    try {
      switch (family) {
        case ECDSA, RSA_PKCS1V15 -> {
          Signature s = Signature.getInstance(jcaName());
          s.initVerify(key);
          s.update(message);
          return s.verify(signature);
        }
        case RSA_PSS -> {
          return verifyPss((RSAPublicKey) key, hash(message), signature);
        }
        case ED25519 -> {
          if (signature.length != 64) {
            return false; // RFC 8032 section 5.1.7; the JDK would ignore trailing bytes
          }
          Signature s = Signature.getInstance("Ed25519");
          if (this == PKIX_ED25519_PH) {
            s.setParameter(new EdDSAParameterSpec(true));
          }
          s.initVerify(key);
          s.update(message);
          return s.verify(signature);
        }
        default -> throw new AssertionError(family);
      }
    } catch (SignatureException e) {
      return false; // malformed signature encoding
    } catch (InvalidKeyException e) {
      throw new VerificationFailure("public key (" + describe(key) + ") cannot verify " + this + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new VerificationFailure("this Java runtime cannot verify " + this + ": " + e.getMessage(), e);
    }
  }

  /**
   * Verifies {@code signature} over a message given only by its {@code digest} (computed with
   * {@link #digestAlgorithm()}), as hashedrekord message signatures are: Ed25519ph from the
   * message's SHA-512 ({@link Ed25519ph}). Refused for pure Ed25519, whose signatures cover the
   * message itself.
   */
  public boolean verifyDigest(PublicKey key, byte[] digest, byte[] signature) throws VerificationFailure {
    checkKey(key);
    if (this == PKIX_ED25519) {
      throw new VerificationFailure(this + " signs the message itself, not a digest; it cannot verify a "
          + "signature given only the artifact's digest");
    }
    int want = digestLength();
    if (digest.length != want) {
      throw new VerificationFailure(this + " needs a " + this.digest + " digest of " + want
          + " bytes, got " + digest.length + " bytes");
    }
    return VerifiedSignatures.verify(name() + "/prehashed", key, digest, signature,
        () -> checkDigest(key, digest, signature));
  }

  private boolean checkDigest(PublicKey key, byte[] digest, byte[] signature) throws VerificationFailure {
    try {
      return switch (family) {
        case ECDSA -> {
          Signature s = Signature.getInstance("NONEwithECDSA");
          s.initVerify(key);
          s.update(digest);
          yield s.verify(signature);
        }
        case RSA_PKCS1V15 -> verifyPkcs1((RSAPublicKey) key, digest, signature);
        case RSA_PSS -> verifyPss((RSAPublicKey) key, digest, signature);
        // Ed25519ph from the SHA-512 (RFC 8032 section 5.1): the JDK only takes the message.
        case ED25519 -> Ed25519ph.verify(key.getEncoded(), digest, signature);
      };
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new VerificationFailure("this Java runtime cannot verify " + this + ": " + e.getMessage(), e);
    }
  }

  /** The digest of {@code message} under this entry's digest algorithm. */
  public byte[] hash(byte[] message) {
    return digest(digest == null ? "SHA-512" : digest).digest(message);
  }

  private int digestLength() {
    return digest(digest == null ? "SHA-512" : digest).getDigestLength();
  }

  private String jcaName() {
    String d = digest == null ? "" : digest.replace("-", "");
    return family == Family.ECDSA ? d + "withECDSA" : d + "withRSA";
  }

  // DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
  private static final byte[] SHA256_DIGEST_INFO =
      HexFormat.of().parseHex("3031300d060960864801650304020105000420");

  /** RSASSA-PKCS1-v1_5 by encode-and-compare (RFC 8017 section 8.2.2): no parsing of the block. */
  private static boolean verifyPkcs1(RSAPublicKey key, byte[] digest, byte[] signature) {
    int k = (key.getModulus().bitLength() + 7) / 8;
    byte[] em = rsaPublic(key, signature, k);
    if (em == null) {
      return false;
    }
    byte[] expected = new byte[k];
    int tLen = SHA256_DIGEST_INFO.length + digest.length;
    if (k < tLen + 11) {
      return false;
    }
    expected[0] = 0;
    expected[1] = 1;
    Arrays.fill(expected, 2, k - tLen - 1, (byte) 0xff);
    expected[k - tLen - 1] = 0;
    System.arraycopy(SHA256_DIGEST_INFO, 0, expected, k - tLen, SHA256_DIGEST_INFO.length);
    System.arraycopy(digest, 0, expected, k - digest.length, digest.length);
    return MessageDigest.isEqual(em, expected);
  }

  /** EMSA-PSS verification (RFC 8017 section 9.1.2), MGF1 and hash SHA-256, salt length recovered. */
  private static boolean verifyPss(RSAPublicKey key, byte[] mHash, byte[] signature) {
    int modBits = key.getModulus().bitLength();
    int k = (modBits + 7) / 8;
    int emBits = modBits - 1;
    int emLen = (emBits + 7) / 8;
    byte[] m = rsaPublic(key, signature, k);
    if (m == null) {
      return false;
    }
    // m < n < 2^modBits; when emLen < k the leading byte must be zero.
    if (emLen < k && m[0] != 0) {
      return false;
    }
    byte[] em = Arrays.copyOfRange(m, k - emLen, k);
    int hLen = mHash.length;
    if (emLen < hLen + 2 || em[emLen - 1] != (byte) 0xbc) {
      return false;
    }
    int dbLen = emLen - hLen - 1;
    byte[] db = Arrays.copyOf(em, dbLen);
    byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + hLen);
    int zeroBits = 8 * emLen - emBits;
    int topMask = 0xff >>> zeroBits;
    if ((db[0] & ~topMask & 0xff) != 0) {
      return false;
    }
    byte[] mask = mgf1(h, dbLen);
    for (int i = 0; i < dbLen; i++) {
      db[i] ^= mask[i];
    }
    db[0] &= (byte) topMask;
    int i = 0;
    while (i < dbLen && db[i] == 0) {
      i++;
    }
    if (i == dbLen || db[i] != 1) {
      return false;
    }
    byte[] salt = Arrays.copyOfRange(db, i + 1, dbLen);
    MessageDigest md = digest("SHA-256");
    md.update(new byte[8]);
    md.update(mHash);
    md.update(salt);
    return MessageDigest.isEqual(md.digest(), h);
  }

  private static byte[] mgf1(byte[] seed, int len) {
    MessageDigest md = digest("SHA-256");
    byte[] out = new byte[len];
    int done = 0;
    for (int counter = 0; done < len; counter++) {
      md.update(seed);
      md.update(new byte[] {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter});
      byte[] block = md.digest();
      int n = Math.min(block.length, len - done);
      System.arraycopy(block, 0, out, done, n);
      done += n;
    }
    return out;
  }

  /** RSAVP1 and I2OSP (RFC 8017 sections 5.2.2, 4.1): {@code null} when the signature is out of range. */
  private static byte @Nullable [] rsaPublic(RSAPublicKey key, byte[] signature, int k) {
    if (signature.length != k) {
      return null;
    }
    BigInteger n = key.getModulus();
    BigInteger s = new BigInteger(1, signature);
    if (s.compareTo(n) >= 0) {
      return null;
    }
    byte[] m = s.modPow(key.getPublicExponent(), n).toByteArray();
    byte[] out = new byte[k];
    if (m.length > k + 1 || (m.length == k + 1 && m[0] != 0)) {
      return null;
    }
    int copy = Math.min(m.length, k);
    System.arraycopy(m, m.length - copy, out, k - copy, copy);
    return out;
  }

  static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has " + name, e);
    }
  }

  private static ECParameterSpec namedCurve(@Nullable String name) {
    return Curves.SPECS.computeIfAbsent(String.valueOf(name), SignatureAlgorithm::loadCurve);
  }

  /** Named curve parameters, loaded once (an enum cannot hold static state its constants use). */
  private static final class Curves {
    static final java.util.Map<String, ECParameterSpec> SPECS = new java.util.concurrent.ConcurrentHashMap<>();
  }

  private static ECParameterSpec loadCurve(String name) {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(name));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (NoSuchAlgorithmException | InvalidParameterSpecException e) {
      throw new IllegalStateException("every Java runtime has curve " + name, e);
    }
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getOrder().equals(b.getOrder())
        && a.getGenerator().equals(b.getGenerator())
        && a.getCofactor() == b.getCofactor();
  }

  static String describe(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      return "EC, " + ec.getParams().getCurve().getField().getFieldSize() + "-bit curve";
    }
    if (key instanceof RSAPublicKey r) {
      return "RSA, " + r.getModulus().bitLength() + " bits";
    }
    if (key instanceof EdECPublicKey ed) {
      return ed.getParams().getName();
    }
    return key.getAlgorithm();
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
