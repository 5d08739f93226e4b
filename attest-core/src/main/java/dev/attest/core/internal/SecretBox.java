package dev.attest.core.internal;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_secretbox} (XSalsa20-Poly1305), as Go's {@code golang.org/x/crypto/nacl/secretbox}
 * writes it: the output is the 16-byte Poly1305 tag followed by the ciphertext. The Poly1305 key
 * is the first 32 bytes of the XSalsa20 key stream; the message is encrypted with the stream from
 * byte 32 on.
 *
 * @see <a href="https://nacl.cr.yp.to/secretbox.html">NaCl secretbox</a>
 */
public final class SecretBox {
  private SecretBox() {}

  public static final int KEY_BYTES = 32;
  public static final int NONCE_BYTES = 24;
  public static final int TAG_BYTES = 16;

  public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
    XSalsa20Engine stream = stream(key, nonce);
    byte[] polyKey = polyKey(stream);
    byte[] out = new byte[TAG_BYTES + plaintext.length];
    stream.processBytes(plaintext, 0, plaintext.length, out, TAG_BYTES);
    byte[] tag = tag(polyKey, out, TAG_BYTES, plaintext.length);
    System.arraycopy(tag, 0, out, 0, TAG_BYTES);
    Arrays.fill(polyKey, (byte) 0);
    return out;
  }

  /** The plaintext, or {@code null} when the tag does not authenticate (wrong key or tampering). */
  public static byte @org.jspecify.annotations.Nullable [] open(byte[] key, byte[] nonce, byte[] box) {
    if (box.length < TAG_BYTES) {
      return null;
    }
    XSalsa20Engine stream = stream(key, nonce);
    byte[] polyKey = polyKey(stream);
    byte[] expected = tag(polyKey, box, TAG_BYTES, box.length - TAG_BYTES);
    Arrays.fill(polyKey, (byte) 0);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(box, 0, TAG_BYTES))) {
      return null;
    }
    byte[] out = new byte[box.length - TAG_BYTES];
    stream.processBytes(box, TAG_BYTES, out.length, out, 0);
    return out;
  }

  private static XSalsa20Engine stream(byte[] key, byte[] nonce) {
    if (key.length != KEY_BYTES || nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
    }
    XSalsa20Engine e = new XSalsa20Engine();
    e.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    return e;
  }

  private static byte[] polyKey(XSalsa20Engine stream) {
    byte[] k = new byte[32];
    stream.processBytes(new byte[32], 0, 32, k, 0);
    return k;
  }

  private static byte[] tag(byte[] polyKey, byte[] data, int off, int len) {
    Poly1305 mac = new Poly1305(); // no cipher: the 32-byte key is used as r||s directly
    mac.init(new KeyParameter(polyKey));
    mac.update(data, off, len);
    byte[] t = new byte[TAG_BYTES];
    mac.doFinal(t, 0);
    return t;
  }
}
