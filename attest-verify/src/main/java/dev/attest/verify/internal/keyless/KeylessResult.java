package dev.attest.verify.internal.keyless;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying one keyless bundle: allowed, or denied with the reason.
 *
 * @param ok whether every check passed
 * @param reason what failed, or what was verified
 * @param statement the verified in-toto statement's exact bytes, for a DSSE bundle that passed
 * @param identity the certificate's identity, when the bundle passed
 */
public record KeylessResult(
    boolean ok, String reason, byte @Nullable [] statement, @Nullable CertificateIdentity identity) {

  public KeylessResult {
    Objects.requireNonNull(reason, "reason");
    if (ok && identity == null) {
      throw new IllegalArgumentException("an allowed result names the certificate identity");
    }
    statement = statement == null ? null : statement.clone();
  }

  static KeylessResult allowed(String reason, byte @Nullable [] statement, CertificateIdentity identity) {
    return new KeylessResult(true, reason, statement, identity);
  }

  static KeylessResult denied(String reason) {
    return new KeylessResult(false, reason, null, null);
  }

  /** The verified statement bytes, if any. A fresh copy. */
  public Optional<byte[]> statementBytes() {
    return Optional.ofNullable(statement).map(byte[]::clone);
  }

  @Override
  public byte @Nullable [] statement() {
    return statement == null ? null : statement.clone();
  }

  /** Equal when outcome, reason, statement bytes and identity are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KeylessResult r
        && ok == r.ok
        && reason.equals(r.reason)
        && java.util.Arrays.equals(statement, r.statement)
        && Objects.equals(identity, r.identity);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ok, reason, java.util.Arrays.hashCode(statement), identity);
  }

  @Override
  public String toString() {
    return (ok ? "allowed: " : "denied: ") + reason;
  }
}
