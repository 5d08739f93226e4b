package dev.attest.core;

import dev.attest.core.internal.EncryptedKey;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * ECDSA P-256 keys: generation, PEM reading and writing, cosign key pairs, and in-memory {@link
 * Signer}s and {@link Verifier}s. Signatures are SHA-256 ECDSA in ASN.1 DER, as cosign and
 * Sigstore write them.
 *
 * <p>PEM labels: {@code PRIVATE KEY} (PKCS#8, RFC 5208), {@code EC PRIVATE KEY} (SEC1, RFC 5915),
 * {@code PUBLIC KEY} (SPKI, RFC 5280). {@code cosign.key} is {@code ENCRYPTED SIGSTORE PRIVATE KEY}
 * (or the older {@code ENCRYPTED COSIGN PRIVATE KEY}): go-securesystemslib's scrypt +
 * NaCl-secretbox JSON around PKCS#8 DER.
 *
 * @see <a href="https://github.com/sigstore/cosign/blob/main/pkg/cosign/keys.go">cosign keys.go</a>
 */
public final class Keys {
  private Keys() {}

  /** PEM label of cosign 2+ encrypted private keys. */
  public static final String SIGSTORE_PRIVATE_KEY_LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY";

  /** PEM label of older cosign encrypted private keys; the same format. */
  public static final String COSIGN_PRIVATE_KEY_LABEL = "ENCRYPTED COSIGN PRIVATE KEY";

  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final ECParameterSpec P256 = p256();
  private static final X9ECParameters P256_X9 = ECNamedCurveTable.getByName("P-256");

  /** Generates a new ECDSA P-256 key pair. */
  public static KeyPair generateP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is required of every Java platform", e);
    }
  }

  /** An in-memory signer for an ECDSA P-256 key pair. */
  public static Signer signer(KeyPair keyPair) {
    PrivateKey priv = keyPair.getPrivate();
    PublicKey pub = keyPair.getPublic();
    requireP256(pub);
    if (!(priv instanceof ECPrivateKey ec) || !sameCurve(ec.getParams())) {
      throw new IllegalArgumentException("only ECDSA P-256 private keys are supported");
    }
    return new Signer() {
      @Override
      public byte[] sign(byte[] message) throws SigningException {
        try {
          Signature s = Signature.getInstance(SIGNATURE_ALGORITHM);
          s.initSign(priv);
          s.update(message);
          return s.sign();
        } catch (GeneralSecurityException e) {
          throw new SigningException("ECDSA P-256 signing failed: " + e.getMessage(), e);
        }
      }

      @Override
      public PublicKey publicKey() {
        return pub;
      }

      @Override
      public String toString() {
        return "Signer[ECDSA P-256, hint " + hint() + "]";
      }
    };
  }

  /** A verifier of SHA-256 ECDSA DER signatures by {@code publicKey}, which must be P-256. */
  public static Verifier verifier(PublicKey publicKey) {
    requireP256(publicKey);
    return (message, signature) -> {
      try {
        Signature s = Signature.getInstance(SIGNATURE_ALGORITHM);
        s.initVerify(publicKey);
        s.update(message);
        return s.verify(signature);
      } catch (java.security.SignatureException e) {
        return false; // malformed DER: not a valid signature
      } catch (GeneralSecurityException e) {
        throw new SigningException("ECDSA P-256 verification could not run: " + e.getMessage(), e);
      }
    };
  }

  /**
   * Whether {@code signature} (ECDSA DER) by {@code publicKey} is valid over a message whose
   * SHA-256 is {@code digest}, without the message: ECDSA P-256 with SHA-256 signs exactly that
   * hash, so a Sigstore message signature can be checked from the artifact's digest alone (as
   * {@code cosign verify-blob} does for {@code sha256:} inputs). A malformed signature is {@code
   * false}.
   *
   * @throws IllegalArgumentException if the key is not P-256 or the digest is not SHA-256
   * @throws SigningException if the check cannot run
   */
  public static boolean verifyPrehashed(PublicKey publicKey, Digest digest, byte[] signature)
      throws SigningException {
    requireP256(publicKey);
    if (digest.algorithm() != Digest.Algorithm.SHA256) {
      throw new IllegalArgumentException("ECDSA P-256 signatures are over SHA-256, not " + digest.algorithm().id());
    }
    try {
      // NONEwithECDSA takes the hash as given: the same check SHA256withECDSA makes after hashing.
      Signature s = Signature.getInstance("NONEwithECDSA");
      s.initVerify(publicKey);
      s.update(digest.hash());
      return s.verify(signature);
    } catch (java.security.SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new SigningException("ECDSA P-256 verification could not run: " + e.getMessage(), e);
    }
  }

  /**
   * The Sigstore bundle {@code publicKey.hint} of a key: standard base64 (with padding) of the
   * SHA-256 of its SPKI DER. This is what sigstore-go and cosign 3 write for key-based bundles
   * ({@code x509.MarshalPKIXPublicKey}, {@code sha256.Sum256}, {@code base64.StdEncoding}).
   */
  public static String hint(PublicKey publicKey) {
    return Base64.getEncoder().encodeToString(Digest.sha256(publicKey.getEncoded()).hash());
  }

  /** Reads a {@code PUBLIC KEY} (SPKI) PEM, as in {@code cosign.pub}; the key must be ECDSA P-256. */
  public static PublicKey readPublicKeyPem(byte[] pem) throws InvalidContentException, UnsupportedContentException {
    Pem block = Pem.read(pem, "public key");
    if (!block.label().equals("PUBLIC KEY")) {
      throw new UnsupportedContentException(
          "public key: PEM block '" + block.label() + "' is not a 'PUBLIC KEY' (SPKI)");
    }
    return publicKeyFromSpki(block.der());
  }

  /** The ECDSA P-256 public key in SPKI DER {@code der}. */
  public static PublicKey publicKeyFromSpki(byte[] der) throws InvalidContentException, UnsupportedContentException {
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new UnsupportedContentException("public key is not a valid ECDSA SPKI key: " + e.getMessage(), e);
    }
    if (!(key instanceof ECPublicKey ec) || !sameCurve(ec.getParams())) {
      throw new UnsupportedContentException("public key: only ECDSA P-256 is supported");
    }
    return key;
  }

  /**
   * Reads an unencrypted private key PEM, {@code PRIVATE KEY} (PKCS#8) or {@code EC PRIVATE KEY}
   * (SEC1), with its public key, which is derived from the private scalar.
   */
  public static KeyPair readPrivateKeyPem(byte[] pem) throws InvalidContentException, UnsupportedContentException {
    Pem block = Pem.read(pem, "private key");
    return switch (block.label()) {
      case "PRIVATE KEY" -> fromPkcs8(block.der(), "private key");
      case "EC PRIVATE KEY" -> fromSec1(block.der());
      case SIGSTORE_PRIVATE_KEY_LABEL, COSIGN_PRIVATE_KEY_LABEL ->
          throw new UnsupportedContentException(
              "private key is an encrypted cosign key: read it with readCosignPrivateKey and its password");
      default ->
          throw new UnsupportedContentException(
              "private key: unsupported PEM block '" + block.label()
                  + "'; expected 'PRIVATE KEY' or 'EC PRIVATE KEY'");
    };
  }

  /**
   * Imports a cosign private key ({@code cosign.key}): PEM {@value #SIGSTORE_PRIVATE_KEY_LABEL} or
   * {@value #COSIGN_PRIVATE_KEY_LABEL}, decrypted with {@code password} (cosign's {@code
   * COSIGN_PASSWORD}; may be empty).
   *
   * @throws InvalidContentException on a wrong password ("decryption failed"), or a malformed file
   */
  public static KeyPair readCosignPrivateKey(byte[] pem, byte[] password)
      throws InvalidContentException, UnsupportedContentException {
    Pem block = Pem.read(pem, "cosign private key");
    if (!block.label().equals(SIGSTORE_PRIVATE_KEY_LABEL) && !block.label().equals(COSIGN_PRIVATE_KEY_LABEL)) {
      throw new UnsupportedContentException(
          "cosign private key: PEM block '" + block.label() + "' is not '" + SIGSTORE_PRIVATE_KEY_LABEL + "'");
    }
    byte[] der = EncryptedKey.decrypt(block.der(), password, "cosign private key");
    try {
      return fromPkcs8(der, "cosign private key");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Writes {@code keyPair} as a cosign private key ({@value #SIGSTORE_PRIVATE_KEY_LABEL}), encrypted
   * with {@code password} using cosign's scrypt parameters (N=32768, r=8, p=1).
   */
  public static byte[] writeCosignPrivateKey(KeyPair keyPair, byte[] password) {
    requireP256(keyPair.getPublic());
    byte[] der = keyPair.getPrivate().getEncoded();
    try {
      byte[] json =
          EncryptedKey.encrypt(der, password, EncryptedKey.DEFAULT_N, EncryptedKey.DEFAULT_R, EncryptedKey.DEFAULT_P);
      return Pem.write(SIGSTORE_PRIVATE_KEY_LABEL, json);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Writes an unencrypted PKCS#8 {@code PRIVATE KEY} PEM. */
  public static byte[] writePrivateKeyPem(PrivateKey privateKey) {
    return Pem.write("PRIVATE KEY", privateKey.getEncoded());
  }

  /** Writes an unencrypted SEC1 {@code EC PRIVATE KEY} PEM, with the named curve and the public key. */
  public static byte[] writeEcPrivateKeyPem(KeyPair keyPair) {
    requireP256(keyPair.getPublic());
    if (!(keyPair.getPrivate() instanceof ECPrivateKey ec)) {
      throw new IllegalArgumentException("not an EC private key");
    }
    try {
      DERBitString pub =
          new DERBitString(SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()).getPublicKeyData().getOctets());
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), pub, SECObjectIdentifiers.secp256r1);
      return Pem.write("EC PRIVATE KEY", sec1.getEncoded());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a {@code PUBLIC KEY} (SPKI) PEM, the format of {@code cosign.pub}. */
  public static byte[] writePublicKeyPem(PublicKey publicKey) {
    return Pem.write("PUBLIC KEY", publicKey.getEncoded());
  }

  private static KeyPair fromPkcs8(byte[] der, String what) throws UnsupportedContentException {
    PrivateKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new UnsupportedContentException(what + " is not a valid ECDSA PKCS#8 key: " + e.getMessage(), e);
    }
    if (!(key instanceof ECPrivateKey ec) || !sameCurve(ec.getParams())) {
      throw new UnsupportedContentException(what + ": only ECDSA P-256 is supported");
    }
    return new KeyPair(derivePublic(ec.getS()), key);
  }

  private static KeyPair fromSec1(byte[] der) throws InvalidContentException, UnsupportedContentException {
    org.bouncycastle.asn1.sec.ECPrivateKey sec1;
    try {
      sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new InvalidContentException("EC private key: malformed SEC1 DER: " + e.getMessage(), e);
    }
    var params = sec1.getParametersObject();
    if (params != null && !SECObjectIdentifiers.secp256r1.equals(params)) {
      throw new UnsupportedContentException("EC private key: only the P-256 curve is supported, got " + params);
    }
    byte[] pkcs8;
    try {
      pkcs8 =
          new PrivateKeyInfo(
                  new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1), sec1)
              .getEncoded();
    } catch (java.io.IOException e) {
      throw new InvalidContentException("EC private key: cannot re-encode: " + e.getMessage(), e);
    }
    return fromPkcs8(pkcs8, "EC private key");
  }

  private static PublicKey derivePublic(BigInteger d) throws UnsupportedContentException {
    if (d.signum() <= 0 || d.compareTo(P256_X9.getN()) >= 0) {
      throw new UnsupportedContentException("private key scalar is out of range for P-256");
    }
    var q = P256_X9.getG().multiply(d).normalize();
    try {
      return KeyFactory.getInstance("EC")
          .generatePublic(
              new ECPublicKeySpec(
                  new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), P256));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requireP256(PublicKey key) {
    Objects.requireNonNull(key, "publicKey");
    if (!(key instanceof ECPublicKey ec) || !sameCurve(ec.getParams())) {
      throw new IllegalArgumentException("only ECDSA P-256 keys are supported, got " + key.getAlgorithm());
    }
  }

  private static boolean sameCurve(ECParameterSpec s) {
    return s.getCurve().equals(P256.getCurve())
        && s.getGenerator().equals(P256.getGenerator())
        && s.getOrder().equals(P256.getOrder())
        && s.getCofactor() == P256.getCofactor();
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
      ap.init(new ECGenParameterSpec("secp256r1"));
      return ap.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is required of every Java platform", e);
    }
  }

}
