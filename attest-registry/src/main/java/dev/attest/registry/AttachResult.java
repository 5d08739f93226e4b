package dev.attest.registry;

import dev.attest.core.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What an attach pushed: every referrer, in push order (per subject, in the order the
 * attestations were configured; the image before its platform manifests).
 */
public record AttachResult(List<AttachedReferrer> referrers) {
  /** Copies the list of referrers. */
  public AttachResult {
    referrers = List.copyOf(Objects.requireNonNull(referrers, "referrers"));
  }

  /** The referrers pushed for {@code subject}. */
  public List<AttachedReferrer> forSubject(Digest subject) {
    return referrers.stream().filter(r -> r.subject().digest().equals(subject)).toList();
  }
}
