package dev.attest.promote;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.core.Manifest;
import dev.attest.core.Signer;
import dev.attest.promote.internal.AttestationWriter;
import dev.attest.promote.internal.Executor;
import dev.attest.promote.internal.Planner;
import dev.attest.promote.internal.SharedTransfers;
import dev.attest.registry.Registry;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.Policy;
import dev.attest.verify.VerificationReport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Promotes one digest from a repository to another, with everything that refers to it:
 *
 * <pre>{@code
 * PromotionReport report = Promotion.of("registry.dev/acme/api@sha256:...")
 *     .from(devRegistry)
 *     .to(prodRegistry, "acme/api")
 *     .tags("v1.4.2")
 *     .gate(policy, verifier)
 *     .verifyAfter()
 *     .attestWith(signer)
 *     .execute();
 * }</pre>
 *
 * <p>Nothing happens before the terminal verb. {@link #plan()} reads the source and asks the
 * destination what it has; {@link #execute()} plans, gates at the source, copies what the
 * destination lacks (blobs, then child manifests, then parents, referrers after their subject,
 * referrers indexes last), checks the destination against the plan, verifies again at the
 * destination, attaches a signed promotion attestation and finally writes the tags. Re-running a
 * promotion completes it; re-running a completed one writes nothing.
 *
 * <p>Either side may be a {@code RemoteRegistry}, an {@code OciLayout} (export and import for
 * air-gapped transport) or any other {@link Registry}.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-referrers">OCI
 *     distribution spec: referrers</a>
 */
public final class Promotion {
  /** The deepest graph planned: a referrer of a referrer of an index child is depth 3. */
  public static final int MAX_DEPTH = 16;

  /** The default bound on the nodes (manifests and blobs) of one plan. */
  public static final int DEFAULT_MAX_NODES = 10_000;

  /** Blobs transferred at once by default. */
  public static final int DEFAULT_PARALLELISM = 4;

  private static final String TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  private final Digest digest;
  private final @Nullable String impliedRepository;
  private @Nullable RepositoryRef source;
  private @Nullable RepositoryRef destination;
  private List<String> tags = List.of();
  private @Nullable ImageVerifier verifier;
  private @Nullable Policy policy;
  private boolean verifyAfter;
  private @Nullable Signer signer;
  private String actor = System.getProperty("user.name", "unknown");
  private Clock clock = Clock.systemUTC();
  private PromotionListener listener = PromotionListener.NONE;
  private int parallelism = DEFAULT_PARALLELISM;
  private int maxNodes = DEFAULT_MAX_NODES;
  private boolean checkEveryItem;

  private Promotion(Digest digest, @Nullable String impliedRepository) {
    this.digest = digest;
    this.impliedRepository = impliedRepository;
  }

  /**
   * Starts a promotion of a digest reference such as {@code ghcr.io/acme/api@sha256:...} (its
   * repository is the source repository unless {@link #from(Registry, String)} names another),
   * or of a bare digest {@code sha256:...}.
   *
   * @throws IllegalArgumentException if the reference has no digest: promotion moves digests,
   *     never tags
   */
  public static Promotion of(String digestRef) {
    Objects.requireNonNull(digestRef, "digestRef");
    if (digestRef.startsWith("sha256:") || digestRef.startsWith("sha512:")) {
      return new Promotion(Digest.parse(digestRef), null);
    }
    ImageRef ref = ImageRef.parse(digestRef);
    if (ref.digest() == null) {
      throw new IllegalArgumentException("'" + digestRef + "' has no digest; promotion takes name@sha256:...");
    }
    return new Promotion(ref.digest(), ref.repository());
  }

  /** Starts a promotion of {@code digest}; name the source repository with {@link #from(Registry, String)}. */
  public static Promotion of(Digest digest) {
    return new Promotion(Objects.requireNonNull(digest, "digest"), null);
  }

  /** Reads from {@code registry}, in the repository of the reference given to {@link #of(String)}. */
  public Promotion from(Registry registry) {
    if (impliedRepository == null) {
      throw new IllegalArgumentException("the promotion of " + digest + " names no repository; use from(registry, repository)");
    }
    return from(new RepositoryRef(registry, impliedRepository));
  }

  /** The source registry and repository, when the digest reference names neither. */
  public Promotion from(Registry registry, String repository) {
    return from(new RepositoryRef(registry, repository));
  }

  /** The source repository. */
  public Promotion from(RepositoryRef source) {
    this.source = Objects.requireNonNull(source, "source");
    return this;
  }

  /** The destination registry and repository (required). */
  public Promotion to(Registry registry, String repository) {
    return to(new RepositoryRef(registry, repository));
  }

  /** The destination repository (required). */
  public Promotion to(RepositoryRef destination) {
    this.destination = Objects.requireNonNull(destination, "destination");
    return this;
  }

  /** Tags to point at the digest at the destination, last. Tags are immutable: see {@link TagConflictException}. */
  public Promotion tags(String... tags) {
    List<String> list = new ArrayList<>();
    for (String t : tags) {
      Objects.requireNonNull(t, "tag");
      if (!t.matches(TAG)) {
        throw new IllegalArgumentException("invalid tag '" + t + "': must match " + TAG);
      }
      if (!list.contains(t)) {
        list.add(t);
      }
    }
    this.tags = List.copyOf(list);
    return this;
  }

  /**
   * Verifies the source with {@code verifier} before anything is written; a deny aborts with a
   * {@link PromotionDeniedException}. The attestation records the policy hash of its report.
   */
  public Promotion gate(ImageVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.policy = null;
    return this;
  }

  /**
   * As {@link #gate(ImageVerifier)}, and requires the verifier's reports to name {@code policy}'s
   * hash, so that a verifier configured with another policy fails the promotion.
   */
  public Promotion gate(Policy policy, ImageVerifier verifier) {
    gate(verifier);
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Verifies again at the destination once the content is there, before the attestation and the
   * tags are written; a deny aborts with a {@link PromotionDeniedException}. Needs a gate.
   */
  public Promotion verifyAfter() {
    this.verifyAfter = true;
    return this;
  }

  /** Signs a promotion attestation and attaches it to the digest at the destination. */
  public Promotion attestWith(Signer signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
    return this;
  }

  /** Who promotes, as recorded in the attestation; the {@code user.name} by default. */
  public Promotion actor(String actor) {
    this.actor = Objects.requireNonNull(actor, "actor");
    return this;
  }

  /** The clock of the attestation's time; the system UTC clock by default. */
  public Promotion clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Receives the plan, verifications, blob progress, writes and tags as they happen. */
  public Promotion listener(PromotionListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Blobs transferred at once, and reads made at once while planning, 1 to 64; {@value
   * #DEFAULT_PARALLELISM} by default.
   */
  public Promotion parallelism(int blobs) {
    if (blobs < 1 || blobs > 64) {
      throw new IllegalArgumentException("parallelism must be 1..64: " + blobs);
    }
    this.parallelism = blobs;
    return this;
  }

  /** The most nodes (manifests and blobs) a plan may have; {@value #DEFAULT_MAX_NODES} by default. */
  public Promotion maxNodes(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("maxNodes must be >= 1: " + nodes);
    }
    this.maxNodes = nodes;
    return this;
  }

  /**
   * Asks the destination about every blob and manifest of the plan, reading every manifest (a
   * GET, so that one it cannot serve counts as missing), and about every entry of its referrers
   * indexes that the source does not list: one that exists at neither end is dropped from the
   * index. By default every manifest is asked about with a HEAD, a referrer the destination lists
   * included (a listing is a hint, not proof), and a manifest the destination has is taken as proof
   * that it has that manifest's blobs. Use this for a destination from which blobs may have been
   * deleted piecemeal. A verification at the destination ({@link #verifyAfter()}) that denies
   * runs this check once by itself, repairs what it finds and verifies again.
   *
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests">OCI
   *     distribution spec: pushing manifests</a>
   */
  public Promotion checkEveryItem() {
    return checkEveryItem(true);
  }

  /** As {@link #checkEveryItem()} when {@code all} is true; the default check otherwise. */
  public Promotion checkEveryItem(boolean all) {
    this.checkEveryItem = all;
    return this;
  }

  /**
   * A dry run: the plan {@link #execute()} would carry out, computed the same way, with nothing
   * written.
   *
   * @throws TagConflictException if a destination tag points at another digest
   * @throws PromotionException if the graph has a cycle or exceeds a bound
   */
  public PromotionPlan plan() throws AttestException {
    checkConfigured();
    return planner().plan(digest, tags);
  }

  private Planner planner() {
    return new Planner(source(), destination(), MAX_DEPTH, maxNodes, parallelism, checkEveryItem);
  }

  /**
   * Promotes. Every check that can refuse (bounds, cycles, conflicting tags, the gate) runs before
   * the first write.
   *
   * @throws PromotionDeniedException if the gate denies, with the report
   * @throws TagConflictException if a destination tag points at another digest
   * @throws PromotionException if the graph has a cycle, exceeds a bound, or the destination does
   *     not hold the plan after the copy
   * @throws AttestException if a registry fails (the promotion can be run again to complete it)
   */
  public PromotionReport execute() throws AttestException {
    return execute(null);
  }

  /** As {@link #execute()}; with {@code shared}, as one promotion of a {@link PromotionFleet}. */
  PromotionReport execute(@Nullable SharedTransfers shared) throws AttestException {
    checkConfigured();
    RepositoryRef src = source();
    RepositoryRef dst = destination();
    Planner planner = planner();
    PromotionPlan plan = planner.plan(digest, tags);
    listener.onEvent(new PromotionEvent.Planned(plan));
    VerificationReport gateReport = null;
    if (verifier != null) {
      gateReport = verify("source", src);
      if (!gateReport.admitted()) {
        throw new PromotionDeniedException("the gate denied " + src + "@" + digest + "; nothing was written:\n"
            + gateReport.toTable(), report(plan, gateReport, null, null, null, 0, null));
      }
    }
    Executor executor = new Executor(src, dst, parallelism, listener, shared);
    executor.copy(plan, tags, planner.destinationListings());
    VerificationReport afterReport = null;
    PromotionPlan recheck = null;
    if (verifyAfter) {
      afterReport = verify("destination", dst);
      if (!afterReport.admitted()) {
        // A deny caused by an item the destination lacks or cannot serve although it claims it (a
        // referrer or blob deleted by garbage collection or a retention policy, left in its
        // index): one full re-check of every item and index entry, a repair, one more verification.
        Planner full = new Planner(src, dst, MAX_DEPTH, maxNodes, parallelism, true);
        PromotionPlan again = full.plan(digest, tags);
        Map<Digest, Set<Digest>> listings = full.destinationListings();
        if (needsRepair(again, listings)) {
          recheck = again;
          listener.onEvent(new PromotionEvent.Planned(again));
          executor.copy(again, tags, listings);
          afterReport = verify("destination", dst);
        }
      }
      if (!afterReport.admitted()) {
        throw new PromotionDeniedException("verification at the destination denied " + dst + "@" + digest
            + (recheck == null ? "" : " after a full re-check repaired " + recheck.toWrite().size() + " items and dropped "
                + recheck.dropped().size() + " index entries")
            + "; the content was copied but no tag or attestation was written:\n" + afterReport.toTable(),
            report(plan, gateReport, afterReport, executor, null, 0, recheck));
      }
    }
    dev.attest.core.Descriptor attestation = null;
    int attestationWrites = 0;
    if (signer != null) {
      Manifest subject = plan.manifest(digest).orElseThrow();
      PromotionPredicate predicate = new PromotionPredicate(digest, PromotionPredicate.Location.of(src),
          PromotionPredicate.Location.of(dst), tags, gateReport == null ? null : gateReport.policyHash(),
          gateReport == null ? null : gateReport.decision().name(),
          afterReport == null ? null : afterReport.decision().name(), Instant.now(clock), actor);
      AttestationWriter writer = new AttestationWriter(dst);
      attestation = writer.attach(subject, predicate, signer);
      attestationWrites = writer.writes();
    }
    executor.writeRequestedTags(plan, tags);
    return report(plan, gateReport, afterReport, executor, attestation, attestationWrites, recheck);
  }

  /**
   * Whether a full re-check found something to repair: an item to copy, an index entry to drop,
   * or a referrer its subject's listing at the destination lacks.
   */
  private static boolean needsRepair(PromotionPlan plan, Map<Digest, Set<Digest>> listings) {
    if (!plan.toWrite().isEmpty() || !plan.dropped().isEmpty()) {
      return true;
    }
    for (PromotionPlan.Item r : plan.referrers()) {
      Set<Digest> listed = r.legacyTag() == null && r.parent() != null ? listings.get(r.parent()) : null;
      if (listed != null && !listed.contains(r.digest())) {
        return true;
      }
    }
    return false;
  }

  private VerificationReport verify(String where, RepositoryRef at) throws AttestException {
    ImageVerifier v = Objects.requireNonNull(verifier);
    // The side's own Registry, never a host name a verifier maps back: a verifier built for the
    // source (PolicyVerifier.builder(p).registry(dev)) still reads the destination here.
    VerificationReport r = v.verify(at.registry(), at.repository(), digest);
    Objects.requireNonNull(r, "the verifier returned no report");
    if (r.subject() == null && r.admitted()) {
      // An outOfScope: allow report admits with no check made and no digest: nothing was verified,
      // so the gate must not read it as a pass.
      String why = r.checks().stream().map(VerificationReport.Check::reason).findFirst().orElse("no digest verified");
      throw new PromotionException("the verifier at the " + where + " verified nothing for " + at + "@" + digest
          + ": the image is outside the policy's scope (" + why + "); a promotion needs an image the policy"
          + " covers: add its repository to the policy's images");
    }
    if (r.subject() != null && !r.subject().equals(digest)) {
      throw new PromotionException("the verifier at the " + where + " verified " + r.subject() + ", not " + digest);
    }
    if (policy != null && !r.policyHash().equals(policy.hash())) {
      throw new PromotionException("the verifier at the " + where + " applied the policy " + r.policyHash()
          + ", not the gate's policy '" + policy.name() + "' " + policy.hash());
    }
    listener.onEvent(new PromotionEvent.Verified(where, r));
    return r;
  }

  private static PromotionReport report(PromotionPlan plan, @Nullable VerificationReport gate,
      @Nullable VerificationReport after, @Nullable Executor e, dev.attest.core.@Nullable Descriptor attestation,
      int attestationWrites, @Nullable PromotionPlan recheck) {
    if (e == null) {
      return new PromotionReport(plan, gate, after, 0, 0, 0, 0, 0, 0, attestationWrites, attestation, 0, recheck);
    }
    Executor.Counts c = e.counts();
    return new PromotionReport(plan, gate, after, c.blobsCopied(), c.blobsMounted(), c.bytesCopied(),
        c.manifestsWritten(), c.indexUpdates(), c.tagsWritten(), attestationWrites, attestation,
        c.entriesDropped(), recheck);
  }

  private void checkConfigured() {
    if (source == null) {
      throw new IllegalStateException("no source: call from(...)");
    }
    if (destination == null) {
      throw new IllegalStateException("no destination: call to(...)");
    }
    if (verifyAfter && verifier == null) {
      throw new IllegalStateException("verifyAfter() needs a gate(...)");
    }
    if (verifier != null) {
      refuseUnserved("source", source.registry());
      if (verifyAfter) {
        refuseUnserved("destination", destination.registry());
      }
    }
    if (source.equals(destination)) {
      throw new IllegalStateException("source and destination are the same repository: " + source);
    }
  }

  private void refuseUnserved(String where, Registry registry) {
    if (!Objects.requireNonNull(verifier).serves(registry)) {
      throw new IllegalStateException("the gate's verifier cannot verify at the " + where + " '" + registry.name()
          + "': it takes image references only; use a PolicyVerifier, which verifies on any Registry");
    }
  }

  private RepositoryRef source() {
    return Objects.requireNonNull(source);
  }

  private RepositoryRef destination() {
    return Objects.requireNonNull(destination);
  }
}
