package dev.attest.promote;

import dev.attest.core.Descriptor;
import dev.attest.verify.VerificationReport;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a promotion did. Every write to the destination is counted, so that a second run of a
 * completed promotion can be seen to write nothing ({@link #writes()} is 0).
 *
 * @param plan the plan that was executed
 * @param gate the verification at the source, or null without a gate
 * @param after the verification at the destination ({@code verifyAfter}), or null
 * @param blobsCopied blobs streamed from the source
 * @param blobsMounted blobs mounted from the source repository of the same registry
 * @param bytesCopied bytes of the blobs streamed
 * @param manifestsWritten manifests pushed by digest
 * @param referrerIndexUpdates referrers added to a subject's referrers index (tag schema)
 * @param tagsWritten tags written, including legacy cosign tags
 * @param attestationWrites writes made to attach the promotion attestation (blobs, manifest,
 *     index)
 * @param attestation the promotion attestation's manifest at the destination, or null when no
 *     signer was given (when an equivalent one was already there, that one)
 */
public record PromotionReport(
    PromotionPlan plan,
    @Nullable VerificationReport gate,
    @Nullable VerificationReport after,
    int blobsCopied,
    int blobsMounted,
    long bytesCopied,
    int manifestsWritten,
    int referrerIndexUpdates,
    int tagsWritten,
    int attestationWrites,
    @Nullable Descriptor attestation) {

  /** Validates the counts. */
  public PromotionReport {
    Objects.requireNonNull(plan, "plan");
    if (blobsCopied < 0 || blobsMounted < 0 || bytesCopied < 0 || manifestsWritten < 0 || referrerIndexUpdates < 0
        || tagsWritten < 0 || attestationWrites < 0) {
      throw new IllegalArgumentException("counts must be >= 0");
    }
  }

  /** Every write made to the destination. */
  public int writes() {
    return blobsCopied + blobsMounted + manifestsWritten + referrerIndexUpdates + tagsWritten + attestationWrites;
  }

  /** False if a gate denied; such a report comes with a {@link PromotionDeniedException}. */
  public boolean admitted() {
    return (gate == null || gate.admitted()) && (after == null || after.admitted());
  }

  @Override
  public String toString() {
    return "PromotionReport[" + plan.digest() + " " + plan.source() + " -> " + plan.destination() + ": " + writes()
        + " writes (" + blobsCopied + " blobs copied, " + blobsMounted + " mounted, " + bytesCopied + " bytes, "
        + manifestsWritten + " manifests, " + referrerIndexUpdates + " index updates, " + tagsWritten + " tags, "
        + attestationWrites + " for the attestation)]";
  }
}
