package dev.attest.verify.internal.sigstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A bounded memo of signatures that verified: a signature check is a pure function of the scheme,
 * the key's exact encoding, the exact message and the exact signature, so a success seen once is a
 * success again. An admission webhook verifies the same bundles over and over, and each costs
 * three ECDSA P-256 verifications by the log and CT keys (SET, checkpoint, SCT), about a
 * millisecond each in the JDK's constant-time implementation (ADR 0029).
 *
 * <p>Only successes are remembered; a failure is recomputed every time. The memo key is the
 * SHA-256 of an unambiguous, length-prefixed encoding of all four inputs, so any changed byte of
 * any of them is a miss and is checked anew. The memo holds at most {@link #capacity()} entries
 * (least recently used goes first, 32 bytes each); system property {@value #SIZE_PROPERTY} sets
 * the capacity, 0 turns it off.
 */
public final class VerifiedSignatures {
  /** The system property giving the capacity (entries); 0 disables the memo. */
  public static final String SIZE_PROPERTY = "dev.attest.verify.signatureCacheSize";

  static final int DEFAULT_CAPACITY = 4096;
  private static final int CAPACITY = capacityFrom(System.getProperty(SIZE_PROPERTY));

  private static final Map<ByteBuffer, Boolean> VERIFIED = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  private VerifiedSignatures() {}

  /** A signature check that runs when the memo does not know the answer. */
  @FunctionalInterface
  public interface Check {
    /** Whether the signature verifies; a failure to run the check is an exception. */
    boolean verifies() throws VerificationFailure;
  }

  /**
   * Whether {@code signature} over {@code message} verifies with {@code key} under {@code scheme}
   * (which must name everything else the check depends on: algorithm, digest, parameters):
   * remembered if it verified before, else {@code check} decides and a success is remembered.
   */
  public static boolean verify(String scheme, PublicKey key, byte[] message, byte[] signature, Check check)
      throws VerificationFailure {
    if (CAPACITY == 0) {
      return check.verifies();
    }
    ByteBuffer id = id(scheme, key.getEncoded(), message, signature);
    synchronized (VERIFIED) {
      if (VERIFIED.get(id) != null) {
        return true;
      }
    }
    boolean ok = check.verifies();
    if (ok) {
      synchronized (VERIFIED) {
        VERIFIED.put(id, Boolean.TRUE);
      }
    }
    return ok;
  }

  /** The capacity in entries (0: off). */
  public static int capacity() {
    return CAPACITY;
  }

  /** How many successes are remembered now (for tests). */
  static int size() {
    synchronized (VERIFIED) {
      return VERIFIED.size();
    }
  }

  /** Forgets every success (for tests). */
  static void clear() {
    synchronized (VERIFIED) {
      VERIFIED.clear();
    }
  }

  static ByteBuffer id(String scheme, byte @Nullable [] key, byte[] message, byte[] signature) {
    MessageDigest md = SignatureAlgorithm.digest("SHA-256");
    part(md, scheme.getBytes(StandardCharsets.UTF_8));
    part(md, key == null ? new byte[0] : key);
    part(md, message);
    part(md, signature);
    return ByteBuffer.wrap(md.digest());
  }

  private static void part(MessageDigest md, byte[] bytes) {
    md.update(ByteBuffer.allocate(8).putLong(bytes.length).array());
    md.update(bytes);
  }

  static int capacityFrom(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_CAPACITY;
    }
    try {
      int n = Integer.parseInt(value.trim());
      return n < 0 ? DEFAULT_CAPACITY : Math.min(n, 1 << 20);
    } catch (NumberFormatException e) {
      return DEFAULT_CAPACITY;
    }
  }
}
