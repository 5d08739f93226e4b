package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.EdDSAParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Ed25519ph from the message's SHA-512 (hashedrekord message signatures by Ed25519 keys): RFC
 * 8032's test vector, the JDK's own Ed25519ph signatures, and every tampering refused.
 */
class Ed25519phTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SPKI_PREFIX = HEX.parseHex("302a300506032b6570032100");

  /** RFC 8032 section 7.3, test "abc". */
  @Test
  void rfc8032Vector() throws Exception {
    byte[] spki = spki(HEX.parseHex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"));
    byte[] sig = HEX.parseHex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
        + "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406");
    byte[] digest = sha512(HEX.parseHex("616263"));
    assertThat(Ed25519ph.verify(spki, digest, sig)).isTrue();
    assertThat(Ed25519ph.verify(spki, sha512(HEX.parseHex("616264")), sig)).isFalse();
    assertThat(Ed25519ph.verify(spki, digest, Vectors.flip(sig, 5))).isFalse();
    assertThat(Ed25519ph.verify(spki, digest, Vectors.flip(sig, 40))).isFalse();
    assertThat(Ed25519ph.verify(Vectors.flip(spki, 20), digest, sig)).isFalse();
    // Pure Ed25519 over the digest is another signature: the domain prefix differs.
    assertThat(Ed25519ph.verify(spki, digest, Arrays.copyOf(sig, 63))).isFalse();
  }

  @Test
  void verifiesTheJdksEd25519phSignaturesFromTheDigest() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    for (int i = 0; i < 8; i++) {
      KeyPair k = g.generateKeyPair();
      byte[] msg = ("artifact " + i).repeat(i * 100 + 1).getBytes(StandardCharsets.UTF_8);
      byte[] sig = sign(k, msg, true);
      byte[] spki = k.getPublic().getEncoded();
      assertThat(Ed25519ph.verify(spki, sha512(msg), sig)).as("signature %d", i).isTrue();
      assertThat(SignatureAlgorithm.PKIX_ED25519_PH.verifyDigest(k.getPublic(), sha512(msg), sig)).isTrue();
      // A pure Ed25519 signature of the same message is not an Ed25519ph one.
      assertThat(Ed25519ph.verify(spki, sha512(msg), sign(k, msg, false))).isFalse();
      assertThat(Ed25519ph.verify(g.generateKeyPair().getPublic().getEncoded(), sha512(msg), sig)).isFalse();
    }
  }

  @Test
  void refusesNonCanonicalScalarsAndPoints() throws Exception {
    KeyPair k = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] msg = "m".getBytes(StandardCharsets.UTF_8);
    byte[] sig = sign(k, msg, true);
    // S + L encodes the same scalar modulo L: RFC 8032 section 5.1.7 requires S < L.
    BigInteger l = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    BigInteger s = Ed25519ph.littleEndian(Arrays.copyOfRange(sig, 32, 64)).add(l);
    byte[] be = s.toByteArray();
    byte[] malleable = sig.clone();
    for (int i = 0; i < 32; i++) {
      malleable[32 + i] = i < be.length ? be[be.length - 1 - i] : 0;
    }
    assertThat(Ed25519ph.verify(k.getPublic().getEncoded(), sha512(msg), malleable)).isFalse();
    // y >= p is not a canonical encoding.
    byte[] big = new byte[32];
    Arrays.fill(big, (byte) 0xff);
    big[31] = 0x7f;
    assertThat(Ed25519ph.decode(big)).isNull();
    assertThat(Ed25519ph.verify(spki(big), sha512(msg), sig)).isFalse();
    // Wrong lengths.
    assertThat(Ed25519ph.verify(k.getPublic().getEncoded(), new byte[32], sig)).isFalse();
    assertThat(Ed25519ph.verify(Arrays.copyOf(k.getPublic().getEncoded(), 43), sha512(msg), sig)).isFalse();
  }

  static byte[] sign(KeyPair k, byte[] msg, boolean prehash) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    if (prehash) {
      s.setParameter(new EdDSAParameterSpec(true));
    }
    s.initSign(k.getPrivate());
    s.update(msg);
    return s.sign();
  }

  private static byte[] spki(byte[] raw) {
    byte[] out = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
    System.arraycopy(raw, 0, out, SPKI_PREFIX.length, 32);
    return out;
  }

  private static byte[] sha512(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-512").digest(b);
  }
}
