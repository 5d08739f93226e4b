package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.registry.Registry;
import dev.attest.verify.internal.ImageRefs;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ImageVerifier} that answers from a {@link VerificationCache} when it can.
 *
 * <p>Digest-pinned input ({@code name@sha256:...}) is looked up directly. Tag input always goes to
 * the delegate, since only it can resolve the tag; its report is then cached under the digest. A
 * report for a different policy hash or, for pinned input, a different digest than asked is never
 * cached: that is a broken delegate, and the report is replaced by a denial. A cached digest
 * answers for another repository name only when the policy (given to {@link #of(ImageVerifier,
 * Policy, VerificationCache)}) covers that name, so out-of-scope names always reach the delegate.
 */
public final class CachingImageVerifier implements ImageVerifier {
  private final ImageVerifier delegate;
  private final Digest policyHash;
  private final VerificationCache cache;
  private final @Nullable Policy policy;

  private CachingImageVerifier(
      ImageVerifier delegate, Digest policyHash, VerificationCache cache, @Nullable Policy policy) {
    this.policy = policy;
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.policyHash = Objects.requireNonNull(policyHash, "policyHash");
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  /** Caches the reports {@code delegate} makes under {@code policy}. */
  public static CachingImageVerifier of(ImageVerifier delegate, Policy policy, VerificationCache cache) {
    return new CachingImageVerifier(delegate, policy.hash(), cache, policy);
  }

  /** Caches the reports {@code delegate} makes under the policy with hash {@code policyHash}. */
  public static CachingImageVerifier of(ImageVerifier delegate, Digest policyHash, VerificationCache cache) {
    return new CachingImageVerifier(delegate, policyHash, cache, null);
  }

  @Override
  public VerificationReport verify(String imageReference) {
    Optional<Digest> pinned = ImageRefs.digest(imageReference);
    if (pinned.isPresent()) {
      Optional<VerificationReport> hit = cache.get(pinned.get(), policyHash);
      // A digest verified under one name answers for another only when the policy is known to
      // cover that name too: the decision must not depend on which names the cache has seen.
      if (hit.isPresent() && (ImageRefs.name(hit.get().input()).equals(ImageRefs.name(imageReference))
          || (policy != null && coveredName(imageReference)))) {
        return hit.get().input().equals(imageReference) ? hit.get() : hit.get().withInput(imageReference);
      }
    }
    return checked(imageReference, pinned, delegate.verify(imageReference));
  }

  private VerificationReport checked(String imageReference, Optional<Digest> pinned, VerificationReport report) {
    if (report.subject() == null) {
      // Out of scope, or not resolved (a dead registry): the report's own reason is the real cause.
      return report;
    }
    if (!report.policyHash().equals(policyHash)) {
      return VerificationReport.denied(imageReference, report.subject(), policyHash, "policy",
          "the verifier applied policy " + report.policyHash() + ", expected " + policyHash, report.verifiedAt());
    }
    if (pinned.isPresent() && !pinned.get().equals(report.subject())) {
      return VerificationReport.denied(imageReference, pinned.get(), policyHash, "subject",
          "the verifier reported digest " + report.subject() + " for input pinned to " + pinned.get(),
          report.verifiedAt());
    }
    cache.put(report);
    return report;
  }

  private boolean coveredName(String imageReference) {
    try {
      dev.attest.core.ImageRef ref = dev.attest.core.ImageRef.parse(imageReference);
      return Objects.requireNonNull(policy).covers(ref.registry() + "/" + ref.repository());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** As {@link #verify(String)}, for the object form: the delegate verifies on {@code registry}. */
  @Override
  public VerificationReport verify(Registry registry, String repository, Digest digest) {
    String input = registry.name() + "/" + repository + "@" + digest;
    Optional<VerificationReport> hit = cache.get(digest, policyHash);
    // The same rule as for references: another name is answered from the cache only when covered.
    if (hit.isPresent() && (ImageRefs.name(hit.get().input()).equals(ImageRefs.name(input))
        || (policy != null && coveredName(input)))) {
      return hit.get().input().equals(input) ? hit.get() : hit.get().withInput(input);
    }
    return checked(input, Optional.of(digest), delegate.verify(registry, repository, digest));
  }

  @Override
  public boolean serves(Registry registry) {
    return delegate.serves(registry);
  }
}
