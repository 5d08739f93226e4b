package dev.attest.core.internal;

import dev.attest.core.JsonReads;
import dev.attest.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.InvalidContentException;
import dev.attest.core.UnsupportedContentException;
import java.io.IOException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The go-securesystemslib {@code encrypted} format that cosign uses for {@code cosign.key}: JSON
 * {@code {"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},"cipher":{"name":"nacl/secretbox","nonce"},"ciphertext"}},
 * bytes in standard base64; key = scrypt(password, salt, N, r, p, 32); ciphertext = secretbox.
 *
 * @see <a href="https://github.com/secure-systems-lab/go-securesystemslib/blob/main/encrypted/encrypted.go">go-securesystemslib
 *     encrypted</a>
 */
public final class EncryptedKey {
  private EncryptedKey() {}

  /** go-securesystemslib's "standard" scrypt parameters, which cosign uses. */
  public static final int DEFAULT_N = 1 << 15;
  public static final int DEFAULT_R = 8;
  public static final int DEFAULT_P = 1;

  // Bounds on what a file may demand: scrypt memory is 128 * N * r bytes.
  private static final long MAX_SCRYPT_MEMORY = 256L * 1024 * 1024;
  private static final int MAX_P = 16;

  public static byte[] encrypt(byte[] plaintext, byte[] password, int n, int r, int p) {
    SecureRandom rnd = new SecureRandom();
    byte[] salt = new byte[32];
    byte[] nonce = new byte[SecretBox.NONCE_BYTES];
    rnd.nextBytes(salt);
    rnd.nextBytes(nonce);
    byte[] key = SCrypt.generate(password, salt, n, r, p, SecretBox.KEY_BYTES);
    byte[] box = SecretBox.seal(key, nonce, plaintext);
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    ObjectNode params = kdf.putObject("params");
    params.put("N", n);
    params.put("r", r);
    params.put("p", p);
    kdf.put("salt", Base64s.encode(salt));
    ObjectNode cipher = root.putObject("cipher");
    cipher.put("name", "nacl/secretbox");
    cipher.put("nonce", Base64s.encode(nonce));
    root.put("ciphertext", Base64s.encode(box));
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] decrypt(byte[] json, byte[] password, String what)
      throws InvalidContentException, UnsupportedContentException {
    JsonNode root = JsonReads.object(json, what);
    JsonNode kdf = JsonReads.object(root, "kdf", what);
    String kdfName = JsonReads.text(kdf, "name", what + " kdf");
    if (!"scrypt".equals(kdfName)) {
      throw new UnsupportedContentException(what + ": unsupported kdf '" + kdfName + "', expected scrypt");
    }
    JsonNode params = JsonReads.object(kdf, "params", what + " kdf");
    long n = JsonReads.int64(params, "N", what + " kdf.params");
    long r = JsonReads.int64(params, "r", what + " kdf.params");
    long p = JsonReads.int64(params, "p", what + " kdf.params");
    if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || p > MAX_P || 128 * n * r > MAX_SCRYPT_MEMORY) {
      throw new InvalidContentException(
          what + ": scrypt parameters out of bounds (N=" + n + ", r=" + r + ", p=" + p
              + "); N must be a power of two and 128*N*r at most " + MAX_SCRYPT_MEMORY + " bytes");
    }
    byte[] salt = JsonReads.bytes(kdf, "salt", what + " kdf");
    JsonNode cipher = JsonReads.object(root, "cipher", what);
    String cipherName = JsonReads.text(cipher, "name", what + " cipher");
    if (!"nacl/secretbox".equals(cipherName)) {
      throw new UnsupportedContentException(
          what + ": unsupported cipher '" + cipherName + "', expected nacl/secretbox");
    }
    byte[] nonce = JsonReads.bytes(cipher, "nonce", what + " cipher");
    if (nonce.length != SecretBox.NONCE_BYTES) {
      throw new InvalidContentException(what + ": secretbox nonce must be 24 bytes, got " + nonce.length);
    }
    byte[] box = JsonReads.bytes(root, "ciphertext", what);
    byte[] key = SCrypt.generate(password, salt, (int) n, (int) r, (int) p, SecretBox.KEY_BYTES);
    byte[] plain = SecretBox.open(key, nonce, box);
    if (plain == null) {
      throw new InvalidContentException(
          what + ": decryption failed: wrong password, or the key file is corrupted");
    }
    return plain;
  }
}
