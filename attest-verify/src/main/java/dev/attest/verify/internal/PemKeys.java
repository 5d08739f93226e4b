package dev.attest.verify.internal;

import dev.attest.core.InvalidContentException;
import dev.attest.core.Pem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;

/**
 * The keys attest reads from PEM with {@code java.security} alone: public keys of any supported
 * algorithm, PKCS#8 private keys and SEC1 {@code EC PRIVATE KEY}s. The PEM text itself is read by
 * {@link Pem}, attest's one PEM reader.
 */
public final class PemKeys {
  private PemKeys() {}

  private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519"};

  /** The JCA algorithm name a SubjectPublicKeyInfo parses as, or an error. */
  public static String publicKeyAlgorithm(byte[] spki) {
    for (String alg : KEY_ALGORITHMS) {
      try {
        KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
        return alg;
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an EC, RSA or Ed25519 public key (SubjectPublicKeyInfo)");
  }

  /** A private key from PEM: {@code PRIVATE KEY} (PKCS#8) or {@code EC PRIVATE KEY} (SEC1). */
  public static PrivateKey privateKey(String text) {
    List<Pem> blocks;
    try {
      blocks = Pem.readAll(text.getBytes(StandardCharsets.US_ASCII), "private key");
    } catch (InvalidContentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    List<Pem> keys = blocks.stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
    if (keys.size() != 1) {
      throw new IllegalArgumentException("expected exactly one PEM private key, found " + keys.size());
    }
    Pem b = keys.get(0);
    byte[] pkcs8 =
        switch (b.label()) {
          case "PRIVATE KEY" -> b.der();
          case "EC PRIVATE KEY" -> sec1ToPkcs8(b.der());
          default -> throw new IllegalArgumentException(
              "unsupported private key '" + b.label() + "': use PKCS#8 (PRIVATE KEY) or EC PRIVATE KEY");
        };
    for (String alg : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("private key is not EC, RSA or Ed25519");
  }

  // id-ecPublicKey 1.2.840.10045.2.1
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  /**
   * Wraps a SEC1 ECPrivateKey (RFC 5915) in a PKCS#8 PrivateKeyInfo, taking the curve from its
   * {@code [0] parameters}.
   */
  static byte[] sec1ToPkcs8(byte[] sec1) {
    Der seq = Der.read(sec1, 0);
    if (seq.tag != 0x30 || seq.end != sec1.length) {
      throw new IllegalArgumentException("EC PRIVATE KEY: not a DER SEQUENCE");
    }
    byte[] curveOid = null;
    int p = seq.start;
    while (p < seq.end) {
      Der e = Der.read(sec1, p);
      if (e.tag == 0xa0) {
        Der oid = Der.read(sec1, e.start);
        if (oid.tag != 0x06) {
          throw new IllegalArgumentException("EC PRIVATE KEY: parameters are not a named curve");
        }
        curveOid = java.util.Arrays.copyOfRange(sec1, e.start, oid.end);
      }
      p = e.end;
    }
    if (curveOid == null) {
      throw new IllegalArgumentException("EC PRIVATE KEY: no curve parameters");
    }
    ByteArrayOutputStream alg = new ByteArrayOutputStream();
    alg.writeBytes(EC_PUBLIC_KEY_OID);
    alg.writeBytes(curveOid);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(Der.encode(0x30, alg.toByteArray()));
    body.writeBytes(Der.encode(0x04, sec1));
    return Der.encode(0x30, body.toByteArray());
  }

  /** One DER TLV: tag, start of contents, end of element. Definite lengths only. */
  private record Der(int tag, int start, int end) {
    static Der read(byte[] b, int p) {
      if (p + 2 > b.length) {
        throw new IllegalArgumentException("DER: truncated");
      }
      int tag = b[p] & 0xff;
      int len = b[p + 1] & 0xff;
      int q = p + 2;
      if (len > 0x80) {
        int n = len - 0x80;
        if (n > 3 || q + n > b.length) {
          throw new IllegalArgumentException("DER: bad length");
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (b[q++] & 0xff);
        }
      } else if (len == 0x80) {
        throw new IllegalArgumentException("DER: indefinite length");
      }
      if (q + len > b.length) {
        throw new IllegalArgumentException("DER: truncated");
      }
      return new Der(tag, q, q + len);
    }

    static byte[] encode(int tag, byte[] contents) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(tag);
      int n = contents.length;
      if (n < 0x80) {
        out.write(n);
      } else if (n < 0x100) {
        out.write(0x81);
        out.write(n);
      } else if (n < 0x10000) {
        out.write(0x82);
        out.write(n >> 8);
        out.write(n);
      } else {
        out.write(0x83);
        out.write(n >> 16);
        out.write(n >> 8);
        out.write(n);
      }
      out.writeBytes(contents);
      return out.toByteArray();
    }
  }
}
