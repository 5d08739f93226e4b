package dev.attest.verify.internal.sigstore;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A transparency log or certificate transparency log of a Sigstore trusted root (protobuf-specs
 * {@code TransparencyLogInstance},
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustedroot.proto).
 *
 * @param baseUrl the log's base URL
 * @param logId the trusted root's {@code logId.keyId} bytes (for RFC 6962 logs, the SHA-256 of
 *     the DER public key)
 * @param key the log's public key
 * @param algorithm the key's algorithm from {@code keyDetails}, checked against the key
 * @param validFrom start of the key's validity window
 * @param validTo end of the window, or {@code null} while the key is current
 */
public record LogKey(
    String baseUrl,
    byte[] logId,
    PublicKey key,
    SignatureAlgorithm algorithm,
    Instant validFrom,
    @Nullable Instant validTo) {
  public LogKey {
    logId = logId.clone();
    if (validTo != null && validTo.isBefore(validFrom)) {
      throw new IllegalArgumentException("log " + baseUrl + " key ends before it starts");
    }
  }

  @Override
  public byte[] logId() {
    return logId.clone();
  }

  /** Whether the log's id is {@code id}, compared in constant time. */
  public boolean hasLogId(byte[] id) {
    return java.security.MessageDigest.isEqual(logId, id);
  }

  /** Whether {@code t} lies in the key's validity window (both ends inclusive). */
  public boolean validAt(Instant t) {
    return !t.isBefore(validFrom) && (validTo == null || !t.isAfter(validTo));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof LogKey k
        && baseUrl.equals(k.baseUrl)
        && Arrays.equals(logId, k.logId)
        && key.equals(k.key)
        && algorithm == k.algorithm
        && validFrom.equals(k.validFrom)
        && java.util.Objects.equals(validTo, k.validTo);
  }

  @Override
  public int hashCode() {
    return baseUrl.hashCode() * 31 + Arrays.hashCode(logId);
  }

  @Override
  public String toString() {
    return "LogKey[" + baseUrl + ", logId=" + HexFormat.of().formatHex(logId) + ", " + algorithm
        + ", " + validFrom + ".." + (validTo == null ? "" : validTo) + "]";
  }
}
