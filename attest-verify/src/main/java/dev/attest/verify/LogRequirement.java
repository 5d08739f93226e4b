package dev.attest.verify;

import java.util.Locale;

/**
 * Whether a verification needs a transparency log entry (Rekor) or a certificate transparency
 * proof (an SCT), in a {@link Policy.Trust} or on the command line ({@code --tlog}, {@code
 * --sct}). The spellings are the lower-case names.
 *
 * @see <a href="https://docs.sigstore.dev/about/security/">Sigstore verification</a>
 * @see <a href="https://github.com/sigstore/cosign/blob/main/doc/cosign_verify-blob.md">cosign
 *     verify-blob --insecure-ignore-tlog, --insecure-ignore-sct</a>
 */
public enum LogRequirement {
  /** An entry (or SCT) must be present and verify; without one the signature is refused. */
  REQUIRED,
  /** Verified where present: a bad entry is refused, a missing one is accepted. */
  OPTIONAL,
  /** Not read. Only for private Sigstore instances without a log, such as GitHub's for private repositories. */
  IGNORED;

  /** The lower-case spelling used in policies and on the command line. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The requirement spelled {@code s} ({@code required}, {@code optional} or {@code ignored}).
   *
   * @throws IllegalArgumentException naming the accepted spellings
   */
  public static LogRequirement parse(String s) {
    for (LogRequirement r : values()) {
      if (r.spelling().equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not one of required, optional, ignored");
  }
}
