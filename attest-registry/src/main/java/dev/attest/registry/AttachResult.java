package dev.attest.registry;

import dev.attest.core.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What an attach pushed.
 *
 * @param referrers every referrer, in push order (per subject, in the order the attestations
 *     were configured; the image before its platform manifests)
 * @param writes the writes the attach made: the empty config blob when the repository lacked it,
 *     each bundle blob, each referrer manifest, and each update of a {@code sha256-<hex>} fallback
 *     index (registries without the referrers API)
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests-with-subject">OCI
 *     distribution 1.1: pushing manifests with subject</a>
 */
public record AttachResult(List<AttachedReferrer> referrers, int writes) {
  /** Copies the list of referrers; checks that {@code writes} is not negative. */
  public AttachResult {
    referrers = List.copyOf(Objects.requireNonNull(referrers, "referrers"));
    if (writes < 0) {
      throw new IllegalArgumentException("writes must be >= 0, got " + writes);
    }
  }

  /** The referrers pushed for {@code subject}. */
  public List<AttachedReferrer> forSubject(Digest subject) {
    return referrers.stream().filter(r -> r.subject().digest().equals(subject)).toList();
  }
}
