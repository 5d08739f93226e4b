package dev.attest.verify.internal.sigstore;

import static dev.attest.verify.internal.sigstore.SignatureAlgorithm.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.EdDSAParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Sigstore registry algorithm verifies its own signatures and refuses tampering and wrong keys. */
class SignatureAlgorithmTest {
  static final byte[] MESSAGE = "attest \u00e9t\u00e9 \ud83d\udd12".getBytes(StandardCharsets.UTF_8);
  static final Map<SignatureAlgorithm, KeyPair> KEYS = new EnumMap<>(SignatureAlgorithm.class);

  static synchronized KeyPair keys(SignatureAlgorithm a) {
    return KEYS.computeIfAbsent(a, SignatureAlgorithmTest::generate);
  }

  static KeyPair generate(SignatureAlgorithm a) {
    try {
      return switch (a) {
        case PKIX_ECDSA_P256_SHA_256 -> ec("secp256r1");
        case PKIX_ECDSA_P384_SHA_384 -> ec("secp384r1");
        case PKIX_ECDSA_P521_SHA_512 -> ec("secp521r1");
        case PKIX_RSA_PKCS1V15_2048_SHA256, PKIX_RSA_PSS_2048_SHA256 -> rsa(2048);
        case PKIX_RSA_PKCS1V15_3072_SHA256, PKIX_RSA_PSS_3072_SHA256 -> rsa(3072);
        case PKIX_RSA_PKCS1V15_4096_SHA256, PKIX_RSA_PSS_4096_SHA256 -> rsa(4096);
        case PKIX_ED25519, PKIX_ED25519_PH -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      };
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final Map<Integer, KeyPair> RSA = new java.util.HashMap<>();

  static KeyPair rsa(int bits) throws Exception {
    KeyPair kp = RSA.get(bits);
    if (kp == null) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      kp = g.generateKeyPair();
      RSA.put(bits, kp);
    }
    return kp;
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  /** Signs with the JDK's own signer (ECDSA DER, PKCS#1 v1.5, PSS with a 32-byte salt, Ed25519/ph). */
  static byte[] sign(SignatureAlgorithm a, PrivateKey key, byte[] message) throws Exception {
    Signature s;
    switch (a) {
      case PKIX_ECDSA_P256_SHA_256 -> s = Signature.getInstance("SHA256withECDSA");
      case PKIX_ECDSA_P384_SHA_384 -> s = Signature.getInstance("SHA384withECDSA");
      case PKIX_ECDSA_P521_SHA_512 -> s = Signature.getInstance("SHA512withECDSA");
      case PKIX_RSA_PKCS1V15_2048_SHA256, PKIX_RSA_PKCS1V15_3072_SHA256, PKIX_RSA_PKCS1V15_4096_SHA256 ->
          s = Signature.getInstance("SHA256withRSA");
      case PKIX_RSA_PSS_2048_SHA256, PKIX_RSA_PSS_3072_SHA256, PKIX_RSA_PSS_4096_SHA256 -> {
        s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      }
      case PKIX_ED25519 -> s = Signature.getInstance("Ed25519");
      case PKIX_ED25519_PH -> {
        s = Signature.getInstance("Ed25519");
        s.setParameter(new EdDSAParameterSpec(true));
      }
      default -> throw new AssertionError(a);
    }
    s.initSign(key);
    s.update(message);
    return s.sign();
  }

  @ParameterizedTest
  @EnumSource(SignatureAlgorithm.class)
  void verifiesItsOwnSignaturesAndRefusesTampering(SignatureAlgorithm a) throws Exception {
    KeyPair kp = keys(a);
    byte[] sig = sign(a, kp.getPrivate(), MESSAGE);
    assertThat(a.verify(kp.getPublic(), MESSAGE, sig)).isTrue();
    assertThat(a.verify(kp.getPublic(), Vectors.flip(MESSAGE, 3), sig)).isFalse();
    assertThat(a.verify(kp.getPublic(), MESSAGE, Vectors.flip(sig, sig.length / 2))).isFalse();
    assertThat(a.verify(kp.getPublic(), MESSAGE, new byte[0])).isFalse();
    assertThat(a.verify(kp.getPublic(), MESSAGE, java.util.Arrays.copyOf(sig, sig.length + 1))).isFalse();
    assertThat(SignatureAlgorithm.parse(a.name())).isSameAs(a);
    if (a == PKIX_ED25519) {
      assertThatThrownBy(() -> a.verifyDigest(kp.getPublic(), a.hash(MESSAGE), sig))
          .isInstanceOf(VerificationFailure.class).hasMessageContaining("signs the message itself");
    } else {
      assertThat(a.verifyDigest(kp.getPublic(), a.hash(MESSAGE), sig)).isTrue();
      assertThat(a.verifyDigest(kp.getPublic(), Vectors.flip(a.hash(MESSAGE), 0), sig)).isFalse();
      assertThatThrownBy(() -> a.verifyDigest(kp.getPublic(), new byte[20], sig))
          .isInstanceOf(VerificationFailure.class).hasMessageContaining("digest of");
    }
  }

  @ParameterizedTest
  @EnumSource(SignatureAlgorithm.class)
  void refusesAKeyOfAnotherTypeCurveOrSize(SignatureAlgorithm a) throws Exception {
    for (SignatureAlgorithm other : SignatureAlgorithm.values()) {
      PublicKey k = keys(other).getPublic();
      boolean sameKeyKind = a.name().replaceAll("_(PKCS1V15|PSS)_", "_").replace("_PH", "")
          .equals(other.name().replaceAll("_(PKCS1V15|PSS)_", "_").replace("_PH", ""));
      if (sameKeyKind) {
        assertThat(a.matches(k)).as("%s key under %s", other, a).isTrue();
        continue;
      }
      assertThat(a.matches(k)).as("%s key under %s", other, a).isFalse();
      assertThatThrownBy(() -> a.verify(k, MESSAGE, new byte[64]))
          .isInstanceOf(VerificationFailure.class).hasMessageContaining("does not match signature algorithm " + a);
    }
  }

  @Test
  void forKeyPicksSigstoresDefault() throws Exception {
    assertThat(forKey(keys(PKIX_ECDSA_P256_SHA_256).getPublic())).isEqualTo(PKIX_ECDSA_P256_SHA_256);
    assertThat(forKey(keys(PKIX_ECDSA_P384_SHA_384).getPublic())).isEqualTo(PKIX_ECDSA_P384_SHA_384);
    assertThat(forKey(keys(PKIX_ECDSA_P521_SHA_512).getPublic())).isEqualTo(PKIX_ECDSA_P521_SHA_512);
    assertThat(forKey(keys(PKIX_RSA_PSS_2048_SHA256).getPublic())).isEqualTo(PKIX_RSA_PKCS1V15_2048_SHA256);
    assertThat(forKey(keys(PKIX_RSA_PSS_3072_SHA256).getPublic())).isEqualTo(PKIX_RSA_PKCS1V15_3072_SHA256);
    assertThat(forKey(keys(PKIX_RSA_PSS_4096_SHA256).getPublic())).isEqualTo(PKIX_RSA_PKCS1V15_4096_SHA256);
    assertThat(forKey(keys(PKIX_ED25519).getPublic())).isEqualTo(PKIX_ED25519);
    assertThat(PKIX_ED25519.digestAlgorithm()).isNull();
    assertThat(PKIX_ECDSA_P521_SHA_512.digestAlgorithm()).isEqualTo("SHA-512");
  }

  @Test
  void forKeyRefusesCurvesAndSizesOutsideTheRegistry() throws Exception {
    KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    k1.initialize(new ECGenParameterSpec("secp256k1"));
    PublicKey secp256k1 = k1.generateKeyPair().getPublic();
    assertThat(PKIX_ECDSA_P256_SHA_256.matches(secp256k1)).isFalse();
    assertThatThrownBy(() -> forKey(secp256k1))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("unsupported curve");
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    PublicKey small = g.generateKeyPair().getPublic();
    assertThatThrownBy(() -> forKey(small)).isInstanceOf(VerificationFailure.class).hasMessageContaining("1024 bits");
    assertThatThrownBy(() -> PKIX_RSA_PKCS1V15_2048_SHA256.verify(small, MESSAGE, new byte[128]))
        .isInstanceOf(VerificationFailure.class);
    PublicKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic();
    assertThatThrownBy(() -> forKey(ed448)).isInstanceOf(VerificationFailure.class);
    assertThat(PKIX_ED25519.matches(ed448)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "PUBLIC_KEY_DETAILS_UNSPECIFIED", "PKIX_ECDSA_P256_HMAC_SHA_256", "PKIX_RSA_PSS",
      "PKCS1_RSA_PKCS1V5", "PKIX_ECDSA_P384_SHA_256", "LMS_SHA256", "ML_DSA_65", "pkix_ed25519"})
  void parseRefusesNamesOutsideTheSupportedRegistry(String name) {
    assertThatThrownBy(() -> SignatureAlgorithm.parse(name))
        .isInstanceOf(VerificationFailure.class).hasMessageContaining("is not one attest verifies");
  }

  /** PSS signatures from BouncyCastle with other salt lengths verify, as Go's PSSSaltLengthAuto does. */
  @ParameterizedTest
  @ValueSource(ints = {0, 20, 32, 64})
  void pssRecoversTheSaltLengthOfAnIndependentSigner(int saltLength) throws Exception {
    KeyPair kp = keys(PKIX_RSA_PSS_3072_SHA256);
    AsymmetricKeyParameter priv = PrivateKeyFactory.createKey(kp.getPrivate().getEncoded());
    PSSSigner signer = new PSSSigner(new RSABlindedEngine(), new SHA256Digest(), saltLength);
    signer.init(true, priv);
    signer.update(MESSAGE, 0, MESSAGE.length);
    byte[] sig = signer.generateSignature();
    assertThat(PKIX_RSA_PSS_3072_SHA256.verify(kp.getPublic(), MESSAGE, sig)).isTrue();
    assertThat(PKIX_RSA_PSS_3072_SHA256.verifyDigest(kp.getPublic(), PKIX_RSA_PSS_3072_SHA256.hash(MESSAGE), sig)).isTrue();
    // A PKCS#1 v1.5 signature by the same key is not a PSS signature, and the reverse.
    byte[] pkcs1 = sign(PKIX_RSA_PKCS1V15_3072_SHA256, kp.getPrivate(), MESSAGE);
    assertThat(PKIX_RSA_PSS_3072_SHA256.verify(kp.getPublic(), MESSAGE, pkcs1)).isFalse();
    assertThat(PKIX_RSA_PKCS1V15_3072_SHA256.verify(kp.getPublic(), MESSAGE, sig)).isFalse();
    assertThat(PKIX_RSA_PKCS1V15_3072_SHA256.verifyDigest(kp.getPublic(), PKIX_RSA_PSS_3072_SHA256.hash(MESSAGE), sig)).isFalse();
  }

  /** Real keyless bundles: P-384/SHA-384 (vector 15) and RSA 2048 PKCS#1 v1.5 (vector 16), by message and by digest. */
  @ParameterizedTest
  @ValueSource(strings = {"15-keyless-ecdsa-p384-sha384", "16-keyless-rsa-pkcs1v15-2048"})
  void verifiesRealKeylessBundleSignatures(String folder) throws Exception {
    JsonNode b = Vectors.bundle(folder);
    PublicKey key = Vectors.certs(b).get(0).getPublicKey();
    SignatureAlgorithm a = forKey(key);
    assertThat(a).isEqualTo(folder.startsWith("15") ? PKIX_ECDSA_P384_SHA_384 : PKIX_RSA_PKCS1V15_2048_SHA256);
    byte[] artifact = Vectors.bytes(folder + "/artifact.txt");
    byte[] sig = Vectors.signature(b);
    byte[] digest = Vectors.b64(b.get("messageSignature").get("messageDigest").get("digest"));
    assertThat(a.hash(artifact)).isEqualTo(digest);
    assertThat(a.verify(key, artifact, sig)).isTrue();
    assertThat(a.verifyDigest(key, digest, sig)).isTrue();
    assertThat(a.verify(key, Vectors.flip(artifact, 0), sig)).isFalse();
    assertThat(a.verifyDigest(key, digest, Vectors.flip(sig, 10))).isFalse();
  }
}
