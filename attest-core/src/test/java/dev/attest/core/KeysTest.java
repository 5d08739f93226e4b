package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class KeysTest {
  static final byte[] PASSWORD = "correct horse".getBytes(StandardCharsets.UTF_8);

  static byte[] resource(String name) {
    try (InputStream in = KeysTest.class.getResourceAsStream("keys/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource keys/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void generatedKeySignsAndVerifies() throws Exception {
    KeyPair kp = Keys.generateP256();
    Signer signer = Keys.signer(kp);
    byte[] msg = "héllo".getBytes(StandardCharsets.UTF_8);
    byte[] sig = signer.sign(msg);

    assertThat(sig[0]).as("DER SEQUENCE").isEqualTo((byte) 0x30);
    assertThat(Keys.verifier(kp.getPublic()).verify(msg, sig)).isTrue();
    assertThat(Keys.verifier(kp.getPublic()).verify("hello".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
    assertThat(Keys.verifier(Keys.generateP256().getPublic()).verify(msg, sig)).isFalse();
    assertThat(Keys.verifier(kp.getPublic()).verify(msg, new byte[] {1, 2, 3})).as("malformed DER").isFalse();
  }

  @Test
  void verifiesAnOpensslSignatureWithCosignPub() throws Exception {
    PublicKey pub = Keys.readPublicKeyPem(resource("cosign.pub"));
    assertThat(Keys.verifier(pub).verify(resource("message.txt"), resource("message.sig"))).isTrue();
  }

  @Test
  void hintIsBase64Sha256OfSpkiDer() throws Exception {
    PublicKey pub = Keys.readPublicKeyPem(resource("cosign.pub"));
    assertThat(Keys.hint(pub)).isEqualTo(new String(resource("cosign.pub.hint"), StandardCharsets.US_ASCII).trim());
  }

  @Test
  void readsOpensslSec1AndPkcs8ToTheSameKeyPair() throws Exception {
    PublicKey pub = Keys.readPublicKeyPem(resource("cosign.pub"));
    KeyPair sec1 = Keys.readPrivateKeyPem(resource("ec-sec1.pem"));
    KeyPair pkcs8 = Keys.readPrivateKeyPem(resource("ec-pkcs8.pem"));

    assertThat(sec1.getPublic().getEncoded()).isEqualTo(pub.getEncoded());
    assertThat(pkcs8.getPublic().getEncoded()).isEqualTo(pub.getEncoded());
    byte[] msg = {1, 2, 3};
    assertThat(Keys.verifier(pub).verify(msg, Keys.signer(sec1).sign(msg))).isTrue();
  }

  @Test
  void pemRoundTrips() throws Exception {
    KeyPair kp = Keys.generateP256();
    byte[] pkcs8 = Keys.writePrivateKeyPem(kp.getPrivate());
    byte[] sec1 = Keys.writeEcPrivateKeyPem(kp);
    byte[] spki = Keys.writePublicKeyPem(kp.getPublic());

    assertThat(new String(pkcs8, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(new String(sec1, StandardCharsets.US_ASCII)).startsWith("-----BEGIN EC PRIVATE KEY-----\n");
    assertThat(new String(spki, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(Keys.readPrivateKeyPem(pkcs8).getPrivate().getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
    assertThat(Keys.readPrivateKeyPem(pkcs8).getPublic()).isEqualTo(kp.getPublic());
    assertThat(Keys.readPrivateKeyPem(sec1).getPublic()).isEqualTo(kp.getPublic());
    assertThat(Keys.readPublicKeyPem(spki)).isEqualTo(kp.getPublic());
  }

  @Test
  void importsACosignKeyMadePerTheFormatSpec() throws Exception {
    // cosign.key was encrypted by make-cosign-key.py (scrypt + an independent XSalsa20-Poly1305).
    KeyPair kp = Keys.readCosignPrivateKey(resource("cosign.key"), PASSWORD);
    PublicKey pub = Keys.readPublicKeyPem(resource("cosign.pub"));

    assertThat(kp.getPublic()).isEqualTo(pub);
    byte[] msg = "sign me".getBytes(StandardCharsets.UTF_8);
    assertThat(Keys.verifier(pub).verify(msg, Keys.signer(kp).sign(msg))).isTrue();
  }

  @Test
  void wrongCosignPasswordIsAClearError() {
    assertThatThrownBy(() -> Keys.readCosignPrivateKey(resource("cosign.key"), "wrong".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("cosign private key: decryption failed: wrong password, or the key file is corrupted");
  }

  @Test
  void writtenCosignKeyReadsBack() throws Exception {
    KeyPair kp = Keys.generateP256();
    byte[] pem = Keys.writeCosignPrivateKey(kp, new byte[0]);
    assertThat(new String(pem, StandardCharsets.US_ASCII)).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    KeyPair back = Keys.readCosignPrivateKey(pem, new byte[0]);
    assertThat(back.getPublic()).isEqualTo(kp.getPublic());
    assertThat(back.getPrivate().getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
  }

  @Test
  void encryptedKeyIsNotReadAsAPlainKey() {
    assertThatThrownBy(() -> Keys.readPrivateKeyPem(resource("cosign.key")))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("readCosignPrivateKey");
  }

  @Test
  void badPemAndOtherCurvesAreRefused() throws Exception {
    assertThatThrownBy(() -> Keys.readPublicKeyPem("not a pem".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("not a PEM file");
    assertThatThrownBy(() -> Keys.readPublicKeyPem(resource("ec-pkcs8.pem")))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("'PRIVATE KEY' is not a 'PUBLIC KEY'");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();
    assertThatThrownBy(() -> Keys.readPublicKeyPem(Keys.writePublicKeyPem(p384.getPublic())))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("only ECDSA P-256");
    assertThatThrownBy(() -> Keys.signer(p384)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prehashedVerificationChecksTheSignatureOfTheMessageFromItsDigest() throws Exception {
    KeyPair kp = Keys.generateP256();
    byte[] msg = "the artifact".getBytes(StandardCharsets.UTF_8);
    byte[] sig = Keys.signer(kp).sign(msg);

    assertThat(Keys.verifyPrehashed(kp.getPublic(), Digest.sha256(msg), sig)).isTrue();
    assertThat(Keys.verifyPrehashed(kp.getPublic(), Digest.sha256(new byte[] {1}), sig)).isFalse();
    assertThat(Keys.verifyPrehashed(Keys.generateP256().getPublic(), Digest.sha256(msg), sig)).isFalse();
    assertThat(Keys.verifyPrehashed(kp.getPublic(), Digest.sha256(msg), new byte[] {1, 2})).isFalse();
  }
}
