package dev.attest.verify.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Pem;
import dev.attest.verify.TrustedKey;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PemKeysTest {

  @Test
  void acceptsRsaAndEd25519PublicKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    byte[] spki = rsa.generateKeyPair().getPublic().getEncoded();
    assertThat(TrustedKey.fromPem(Pem.encode("PUBLIC KEY", spki)).algorithm()).isEqualTo("RSA");
    byte[] ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    assertThat(TrustedKey.ofSpki(ed).algorithm()).isEqualTo("Ed25519");
  }

  @Test
  void refusesWhatIsNotOnePublicKey() {
    assertThatThrownBy(() -> TrustedKey.fromPem(Pem.encode("PUBLIC KEY", new byte[] {0x30, 0x00})))
        .hasMessageContaining("not an EC, RSA or Ed25519 public key");
    String twoKeys = Pem.encode("PUBLIC KEY", new byte[] {1}) + Pem.encode("PUBLIC KEY", new byte[] {2});
    assertThatThrownBy(() -> TrustedKey.fromPem(twoKeys)).hasMessageContaining("found 2 blocks");
    assertThatThrownBy(() -> TrustedKey.fromPem(Pem.encode("CERTIFICATE", new byte[] {1})))
        .hasMessageContaining("found 'CERTIFICATE'");
    assertThatThrownBy(() -> TrustedKey.fromPem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n"))
        .hasMessageContaining("malformed base64");
    assertThatThrownBy(() -> TrustedKey.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n"))
        .hasMessageContaining("has no matching END line");
  }

  @Test
  void readsPkcs8AndSec1PrivateKeys() throws Exception {
    // From openssl ecparam -name prime256v1 -genkey -noout (SEC1, named curve in [0]); the
    // private half of src/test/resources/policy/cosign.pub, a test-only key.
    String sec1 = "-----BEGIN EC PRIVATE KEY-----\n"
        + "MHcCAQEEIAgdHye0hL3I5jP6EXpEufF4LZzW0ecSFGVzx29oM3RYoAoGCCqGSM49\n"
        + "AwEHoUQDQgAEiEDpDEqFtkAlTDQc9ZR14mj8nSp2s3DjCgRWANAWlOIYggIGpu20\n"
        + "pxVi5NEP4KA7eOkHrNmIEbckWL3/YGFEKQ==\n"
        + "-----END EC PRIVATE KEY-----\n";
    PrivateKey k = PemKeys.privateKey(sec1);
    assertThat(k.getAlgorithm()).isEqualTo("EC");
    PrivateKey again = PemKeys.privateKey(Pem.encode("PRIVATE KEY", k.getEncoded()));
    assertThat(again.getEncoded()).isEqualTo(k.getEncoded());
  }

  @Test
  void refusesSec1WithoutCurveAndPkcs1() {
    // ECPrivateKey { version 1, privateKey OCTET STRING(32) } with no parameters.
    byte[] noCurve = new byte[39];
    noCurve[0] = 0x30;
    noCurve[1] = 37;
    noCurve[2] = 0x02;
    noCurve[3] = 0x01;
    noCurve[4] = 0x01;
    noCurve[5] = 0x04;
    noCurve[6] = 32;
    noCurve[7] = 1;
    assertThatThrownBy(() -> PemKeys.privateKey(Pem.encode("EC PRIVATE KEY", noCurve)))
        .hasMessageContaining("no curve parameters");
    assertThatThrownBy(() -> PemKeys.privateKey(Pem.encode("RSA PRIVATE KEY", new byte[] {0x30, 0})))
        .hasMessageContaining("use PKCS#8");
    assertThatThrownBy(() -> PemKeys.privateKey(Base64.getEncoder().encodeToString(new byte[] {1})))
        .hasMessageContaining("found 0");
  }
}
