package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Ed25519ph verification from the message's SHA-512 (RFC 8032 sections 5.1.3, 5.1.7, with {@code
 * PH} = SHA-512 and an empty context): what a {@code hashedrekord} message signature by an Ed25519
 * key is (Rekor logs only the artifact's digest, so Sigstore signs such artifacts with Ed25519ph,
 * {@code PKIX_ED25519_PH}). The JDK verifies Ed25519ph only from the message itself; a verifier
 * given the digest (as hashedrekord verification is) needs the curve arithmetic, done here with
 * {@link BigInteger} on public data (verification needs no constant time).
 *
 * <p>The check is the cofactorless one Go's {@code crypto/ed25519} makes (and so sigstore-go and
 * Rekor): {@code S < L}, A and R decode canonically, and the encoding of {@code [S]B - [k]A}
 * equals R's bytes.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1">RFC 8032 section 5.1</a>
 */
final class Ed25519ph {
  private Ed25519ph() {}

  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger D2 = D.shiftLeft(1).mod(P);
  /** sqrt(-1) mod p = 2^((p-1)/4). */
  private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  private static final Point BASE;
  /** dom2(1, ""): the Ed25519ph domain separation prefix. */
  private static final byte[] DOM2 = concat("SigEd25519 no Ed25519 collisions".getBytes(StandardCharsets.US_ASCII),
      new byte[] {1, 0});
  /** DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the 32 key bytes follow. */
  private static final byte[] SPKI_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");

  static {
    BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
    BASE = Point.affine(java.util.Objects.requireNonNull(recoverX(y, 0), "base point"), y);
  }

  /**
   * Whether {@code signature} is an Ed25519ph signature by the Ed25519 key {@code spki} (DER
   * SubjectPublicKeyInfo) over a message whose SHA-512 is {@code sha512}.
   */
  static boolean verify(byte[] spki, byte[] sha512, byte[] signature) {
    if (spki.length != SPKI_PREFIX.length + 32 || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0,
        SPKI_PREFIX.length) || sha512.length != 64 || signature.length != 64) {
      return false;
    }
    byte[] a = Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    byte[] r = Arrays.copyOf(signature, 32);
    BigInteger s = littleEndian(Arrays.copyOfRange(signature, 32, 64));
    if (s.compareTo(L) >= 0) {
      return false;
    }
    Point pointA = decode(a);
    if (pointA == null || decode(r) == null) {
      return false;
    }
    MessageDigest md = SignatureAlgorithm.digest("SHA-512");
    md.update(DOM2);
    md.update(r);
    md.update(a);
    md.update(sha512);
    BigInteger k = littleEndian(md.digest()).mod(L);
    Point check = BASE.times(s).add(pointA.negate().times(k));
    return MessageDigest.isEqual(check.encode(), r);
  }

  /** RFC 8032 section 5.1.3; null when the bytes are not a canonical point encoding. */
  static @Nullable Point decode(byte[] b) {
    byte[] c = b.clone();
    int xSign = (c[31] & 0x80) >>> 7;
    c[31] &= 0x7f;
    BigInteger y = littleEndian(c);
    if (y.compareTo(P) >= 0) {
      return null;
    }
    BigInteger x = recoverX(y, xSign);
    return x == null ? null : Point.affine(x, y);
  }

  private static @Nullable BigInteger recoverX(BigInteger y, int sign) {
    BigInteger y2 = y.multiply(y).mod(P);
    BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
    BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
    BigInteger v3 = v.modPow(BigInteger.valueOf(3), P);
    BigInteger v7 = v3.multiply(v3).multiply(v).mod(P);
    BigInteger x = u.multiply(v3).multiply(u.multiply(v7).mod(P)
        .modPow(P.subtract(BigInteger.valueOf(5)).shiftRight(3), P)).mod(P);
    BigInteger vx2 = v.multiply(x).multiply(x).mod(P);
    if (!vx2.equals(u)) {
      if (vx2.equals(P.subtract(u).mod(P))) {
        x = x.multiply(SQRT_M1).mod(P);
      } else {
        return null;
      }
    }
    if (x.signum() == 0 && sign == 1) {
      return null;
    }
    if (x.testBit(0) != (sign == 1)) {
      x = P.subtract(x);
    }
    return x;
  }

  static BigInteger littleEndian(byte[] b) {
    byte[] be = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      be[i] = b[b.length - 1 - i];
    }
    return new BigInteger(1, be);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** A point in extended homogeneous coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
  record Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {
    static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);

    static Point affine(BigInteger x, BigInteger y) {
      return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
    }

    /** RFC 8032 section 5.1.4's addition, complete for edwards25519 (also doubles). */
    Point add(Point q) {
      BigInteger a = y.subtract(x).multiply(q.y.subtract(q.x)).mod(P);
      BigInteger b = y.add(x).multiply(q.y.add(q.x)).mod(P);
      BigInteger c = t.multiply(D2).multiply(q.t).mod(P);
      BigInteger d = z.shiftLeft(1).multiply(q.z).mod(P);
      BigInteger e = b.subtract(a);
      BigInteger f = d.subtract(c);
      BigInteger g = d.add(c);
      BigInteger h = b.add(a);
      return new Point(e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
    }

    Point negate() {
      return new Point(P.subtract(x).mod(P), y, z, P.subtract(t).mod(P));
    }

    /** [n]this, by double-and-add from the top bit (public scalars only). */
    Point times(BigInteger n) {
      Point r = IDENTITY;
      for (int i = n.bitLength() - 1; i >= 0; i--) {
        r = r.add(r);
        if (n.testBit(i)) {
          r = r.add(this);
        }
      }
      return r;
    }

    /** RFC 8032 section 5.1.2: y little-endian, the top bit the parity of x. */
    byte[] encode() {
      BigInteger zi = z.modInverse(P);
      BigInteger ax = x.multiply(zi).mod(P);
      BigInteger ay = y.multiply(zi).mod(P);
      byte[] be = ay.toByteArray();
      byte[] out = new byte[32];
      for (int i = 0; i < 32 && i < be.length; i++) {
        out[i] = be[be.length - 1 - i];
      }
      if (ax.testBit(0)) {
        out[31] |= (byte) 0x80;
      }
      return out;
    }
  }
}
