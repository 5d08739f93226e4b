package dev.attest.verify.internal.keyless;

import dev.attest.verify.LogRequirement;
import java.util.Objects;

/**
 * What a Sigstore verification requires beyond the signature: a transparency log entry, an SCT,
 * and a number of RFC 3161 timestamps. Every verification also needs at least one verified time
 * (a SET-backed integrated time or a timestamp) when the signer is a certificate.
 *
 * @param tlog whether a transparency log entry is required, verified where present, or ignored
 * @param sct whether the certificate's embedded SCT is required, verified where present, or ignored
 * @param minTimestamps how many verified RFC 3161 timestamps are required (0: none)
 */
public record SigstoreOptions(LogRequirement tlog, LogRequirement sct, int minTimestamps) {
  /** Keyless default: a log entry and an SCT are required, as public-good Sigstore issues them. */
  public static final SigstoreOptions KEYLESS = new SigstoreOptions(LogRequirement.REQUIRED, LogRequirement.REQUIRED, 0);
  /** Key default: log entries are verified where present (and where a trusted root is given). */
  public static final SigstoreOptions KEYED = new SigstoreOptions(LogRequirement.OPTIONAL, LogRequirement.IGNORED, 0);

  public SigstoreOptions {
    Objects.requireNonNull(tlog, "tlog");
    Objects.requireNonNull(sct, "sct");
    if (minTimestamps < 0 || minTimestamps > 32) {
      throw new IllegalArgumentException("the number of required timestamps must be 0 to 32, got " + minTimestamps);
    }
  }
}
