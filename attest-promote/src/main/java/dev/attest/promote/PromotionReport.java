package dev.attest.promote;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * @param indexEntriesDropped entries dropped from destination referrers indexes because their
 *     manifests exist at neither end
 * @param recheck the full re-check made after the verification at the destination denied, or
 *     null: every blob and manifest asked about, what it found missing copied again, then verified
 *     once more ({@link #after} is that second verification)
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
    @Nullable Descriptor attestation,
    int indexEntriesDropped,
    @Nullable PromotionPlan recheck) {

  /** A report of a promotion that dropped no index entry and made no re-check. */
  public PromotionReport(PromotionPlan plan, @Nullable VerificationReport gate, @Nullable VerificationReport after,
      int blobsCopied, int blobsMounted, long bytesCopied, int manifestsWritten, int referrerIndexUpdates,
      int tagsWritten, int attestationWrites, @Nullable Descriptor attestation) {
    this(plan, gate, after, blobsCopied, blobsMounted, bytesCopied, manifestsWritten, referrerIndexUpdates,
        tagsWritten, attestationWrites, attestation, 0, null);
  }

  /** Validates the counts. */
  public PromotionReport {
    Objects.requireNonNull(plan, "plan");
    if (blobsCopied < 0 || blobsMounted < 0 || bytesCopied < 0 || manifestsWritten < 0 || referrerIndexUpdates < 0
        || tagsWritten < 0 || attestationWrites < 0 || indexEntriesDropped < 0) {
      throw new IllegalArgumentException("counts must be >= 0");
    }
  }

  /** Every write made to the destination. */
  public int writes() {
    return blobsCopied + blobsMounted + manifestsWritten + referrerIndexUpdates + tagsWritten + attestationWrites
        + indexEntriesDropped;
  }

  /**
   * The items copied again although the destination claimed them: the plan's repairs and, after
   * a re-check, everything the re-check found missing; in plan order, each once.
   */
  public List<PromotionPlan.Item> repaired() {
    Map<Digest, PromotionPlan.Item> out = new LinkedHashMap<>();
    plan.toRepair().forEach(i -> out.put(i.digest(), i));
    if (recheck != null) {
      recheck.toWrite().forEach(i -> out.putIfAbsent(i.digest(), i));
    }
    return List.copyOf(out.values());
  }

  /** The index entries dropped: the plan's, and the re-check's. */
  public List<PromotionPlan.Dropped> dropped() {
    Set<PromotionPlan.Dropped> out = new LinkedHashSet<>(plan.dropped());
    if (recheck != null) {
      out.addAll(recheck.dropped());
    }
    return List.copyOf(out);
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
        + attestationWrites + " for the attestation; " + repaired().size() + " repaired, " + dropped().size()
        + " index entries dropped" + (recheck == null ? "" : ", after a full re-check") + ")]";
  }
}
