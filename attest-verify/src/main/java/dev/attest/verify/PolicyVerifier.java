package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageRef;
import dev.attest.core.Keys;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.VulnerabilityScan;
import dev.attest.core.DaemonThreads;
import dev.attest.core.Json;
import dev.attest.registry.Attestations;
import dev.attest.registry.DiscoveredAttestation;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.VerifiedStatement;
import dev.attest.verify.internal.ContentRules;
import dev.attest.verify.internal.PrefetchingRegistry;
import dev.attest.verify.internal.keyless.ArtifactDigests;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.internal.keyless.SigstoreOptions;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import dev.attest.verify.internal.keyless.KeylessResult;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Verifies images against one {@link Policy}, fail-closed:
 *
 * <pre>{@code
 * try (PolicyVerifier verifier = PolicyVerifier.builder(Policy.load(Path.of("policy.yaml"))).build()) {
 *   verifier.verify("ghcr.io/acme/api@sha256:...").orThrow();
 * }
 * }</pre>
 *
 * <p>A tag is resolved to a digest first and the report names the digest; a policy with {@code
 * allowTagOnly = false} denies tag-only input, and a policy with {@code images} globs denies an
 * image whose {@code registry/repository} matches none of them. Attestations are discovered with {@link
 * Attestations#read} (referrers API, the {@code sha256-<hex>} fallback tag and cosign's legacy
 * {@code .sig}/{@code .att} tags), for an index and its platform manifests in parallel. A
 * signature or attestation counts only if it verifies under the trust set its rule names: public
 * keys with attest's DSSE PAE over the exact payload bytes, Fulcio certificates offline against
 * the trust set's {@code trusted_root.json}. Its statement must be an in-toto statement of the
 * expected predicate type whose subject is the image digest.
 *
 * <p>Every failure becomes a failed check with a reason: an unreadable or unparseable referrer (named
 * by its digest), a missing attestation, an exception, a timeout, an unreachable registry. Nothing
 * is skipped. Reports are cached by digest and policy hash when a {@link VerificationCache} is set.
 *
 * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign bundle spec</a>
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto Statement v1</a>
 */
public final class PolicyVerifier implements ImageVerifier, AutoCloseable {
  /** At most this many platform manifests of an index are verified; more denies. */
  static final int MAX_PLATFORMS = 64;

  private final Policy policy;
  private final Digest policyHash;
  private final Function<String, Registry> registries;
  private final boolean ownsRegistries;
  private final Map<String, Registry> opened = new ConcurrentHashMap<>();
  private final Clock clock;
  private final @Nullable VerificationCache cache;
  private final Duration timeout;
  private final ExecutorService fetchPool;
  private final ExecutorService callPool;
  private final Map<Path, KeylessRoot> keyless = new ConcurrentHashMap<>();

  private PolicyVerifier(Builder b) {
    this.policy = b.policy;
    this.policyHash = b.policy.hash();
    this.clock = b.clock;
    this.cache = b.cache;
    this.timeout = b.timeout;
    this.ownsRegistries = b.registries == null;
    this.registries = b.registries != null ? b.registries : host -> opened.computeIfAbsent(host, Registry::remote);
    this.fetchPool = Executors.newFixedThreadPool(b.parallelism, DaemonThreads.named("attest-verify-fetch"));
    this.callPool = Executors.newCachedThreadPool(DaemonThreads.named("attest-verify"));
  }

  /** A builder for a verifier of {@code policy}. */
  public static Builder builder(Policy policy) {
    return new Builder(policy);
  }

  /** The policy applied. */
  public Policy policy() {
    return policy;
  }

  /** The hash of the policy, computed once when the verifier was built. */
  public Digest policyHash() {
    return policyHash;
  }

  /**
   * Verifies {@code imageReference} ({@code host/repo@sha256:...}, {@code host/repo:tag} or {@code
   * host/repo:tag@sha256:...}) on the registry its host names. Never throws for a policy failure,
   * an unreachable registry or malformed input: the report denies with the reason.
   */
  @Override
  public VerificationReport verify(String imageReference) {
    ImageRef ref;
    try {
      ref = ImageRef.parse(imageReference);
    } catch (IllegalArgumentException e) {
      return VerificationReport.denied(imageReference, null, policyHash, "input", e.getMessage(), clock.instant());
    }
    String name = ref.registry() + "/" + ref.repository();
    VerificationReport outside = outOfScope(imageReference, name, ref.digest());
    if (outside != null) {
      return outside;
    }
    Optional<VerificationReport> hit = cached(imageReference, name, ref.digest());
    if (hit.isPresent()) {
      return hit.get();
    }
    Registry registry;
    try {
      registry = Objects.requireNonNull(registries.apply(ref.registry()), "no registry for " + ref.registry());
    } catch (RuntimeException e) {
      return VerificationReport.denied(imageReference, ref.digest(), policyHash, "registry",
          "cannot open registry " + ref.registry() + ": " + e.getMessage(), clock.instant());
    }
    return run(imageReference, ref.registry() + "/" + ref.repository(), registry, ref.repository(), ref.reference(),
        ref.digest());
  }

  /**
   * Verifies {@code digest} in {@code repository} on {@code registry}, whatever registry or
   * resolver this verifier was built with: the promotion gate and verify-after pass each side's
   * {@code Registry}, so a verifier built for the source still checks the destination. Never throws
   * for a policy failure or an unreachable registry: the report denies with the reason.
   */
  @Override
  public VerificationReport verify(Registry registry, String repository, Digest digest) {
    return verify(registry, repository, digest.toString());
  }

  /** Always: this verifier reads whatever {@code Registry} it is given. */
  @Override
  public boolean serves(Registry registry) {
    return true;
  }

  /**
   * Verifies {@code repository} at {@code reference} (a tag or a digest) on {@code registry}.
   * Never throws for a policy failure or an unreachable registry: the report denies with the reason.
   */
  public VerificationReport verify(Registry registry, String repository, String reference) {
    String input = registry.name() + "/" + repository + (reference.contains(":") ? "@" : ":") + reference;
    Digest pinned = null;
    if (reference.contains(":")) {
      try {
        pinned = Digest.parse(reference);
      } catch (IllegalArgumentException e) {
        return VerificationReport.denied(input, null, policyHash, "input", e.getMessage(), clock.instant());
      }
    }
    String name = registry.name() + "/" + repository;
    VerificationReport outside = outOfScope(input, name, pinned);
    if (outside != null) {
      return outside;
    }
    Optional<VerificationReport> hit = cached(input, name, pinned);
    if (hit.isPresent()) {
      return hit.get();
    }
    return run(input, name, registry, repository, reference, pinned);
  }

  /**
   * The decision for an image outside the policy's globs, made before the cache and before any
   * registry is contacted; null when the image is in scope. The cache is keyed by digest, so a
   * digest once verified under an in-scope name must not answer for an out-of-scope one.
   */
  private @Nullable VerificationReport outOfScope(String input, String name, @Nullable Digest pinned) {
    if (policy.covers(name)) {
      return null;
    }
    if (policy.outOfScope() == Policy.OutOfScope.ALLOW) {
      return VerificationReport.outOfScope(input, policyHash, name + " is outside the images of policy "
          + policy.name() + " " + policy.images() + "; outOfScope: allow leaves it to other policies", clock.instant());
    }
    return VerificationReport.denied(input, pinned, policyHash, "scope", name + " is outside the images of policy "
        + policy.name() + " " + policy.images() + ": no policy applies to it (outOfScope: deny)", clock.instant());
  }

  /** A cached report for {@code digest}, its scope check restated for {@code name}. */
  private Optional<VerificationReport> cached(String input, String name, @Nullable Digest digest) {
    if (cache == null || digest == null) {
      return Optional.empty();
    }
    return cache.get(digest, policyHash).map(r -> {
      VerificationReport named = r.input().equals(input) ? r : r.withInput(input);
      List<Check> checks = new ArrayList<>();
      for (Check c : named.checks()) {
        checks.add(c.name().equals("scope") ? scopePass(name) : c);
      }
      return new VerificationReport(named.input(), named.subject(), named.decision(), checks, named.statements(),
          named.policyHash(), named.verifiedAt());
    });
  }

  private Check scopePass(String name) {
    return Check.pass("scope", name + " is within the images of policy " + policy.name());
  }

  /** Runs one verification under the deadline; {@code pinned} is the input's digest, null for a tag. */
  private VerificationReport run(String input, String name, Registry registry, String repository, String reference,
      @Nullable Digest pinned) {
    Instant started = clock.instant();
    Future<VerificationReport> f =
        callPool.submit(() -> new Run(input, registry, repository).verify(name, reference, pinned));
    try {
      VerificationReport report = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (cache != null) {
        cache.put(report);
      }
      return report;
    } catch (TimeoutException e) {
      f.cancel(true);
      // Transient failures are not cached: the next request tries again.
      return VerificationReport.denied(input, pinned, policyHash, "timeout",
          "verification did not finish within " + timeout + " (registry " + registry.name() + " too slow?)", started);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return VerificationReport.denied(input, pinned, policyHash, "interrupted", "verification was interrupted", started);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return VerificationReport.denied(input, pinned, policyHash, "error",
          "verification failed: " + c.getClass().getSimpleName() + ": " + c.getMessage(), started);
    }
  }

  /** Shuts down the thread pools and closes the registries this verifier opened itself. */
  @Override
  public void close() {
    fetchPool.shutdownNow();
    callPool.shutdownNow();
    if (ownsRegistries) {
      opened.values().forEach(Registry::close);
      opened.clear();
    }
  }

  // ------------------------------------------------------------------ one verification

  /** The outcome of one requirement on one subject. */
  private record Outcome(boolean ok, String reason, @Nullable VerifiedStatement statement) {
    static Outcome pass(String reason, @Nullable VerifiedStatement s) {
      return new Outcome(true, reason, s);
    }

    static Outcome fail(String reason) {
      return new Outcome(false, reason, null);
    }
  }

  /** What one subject (the image, the index or a platform manifest) carries. */
  private record Found(Digest digest, byte[] manifestBytes, List<DiscoveredAttestation> items, @Nullable String error) {}

  private final class Run {
    private final String input;
    private final Registry registry;
    private final String repository;
    private final Instant now = clock.instant();
    /** Bundle manifests and layers are fetched in parallel (bounded by the fetch pool) through this. */
    private final PrefetchingRegistry prefetching;

    Run(String input, Registry registry, String repository) {
      this.input = input;
      this.registry = registry;
      this.repository = repository;
      this.prefetching = new PrefetchingRegistry(registry, fetchPool);
    }

    /** {@code pinned} is {@code reference} as a digest, null when it is a tag. */
    VerificationReport verify(String name, String reference, @Nullable Digest pinned) {
      boolean tagOnly = pinned == null;
      if (pinned != null) {
        // Pinned: the referrers listing needs only the digest, so it runs while the manifest is
        // fetched (one round trip less on the critical path). If the manifest turns out not to be
        // the one asked for, the listing is simply never used.
        prefetching.startReferrers(repository, pinned);
      }
      Manifest top;
      try {
        top = registry.fetchManifest(repository, reference);
      } catch (AttestException | RuntimeException e) {
        return VerificationReport.denied(input, null, policyHash, "resolve",
            "cannot resolve " + repository + " " + reference + " on " + registry.name() + ": " + e.getMessage(), now);
      }
      Digest subject = top.digest();
      if (!tagOnly && !subject.toString().equals(reference)) {
        return VerificationReport.denied(input, subject, policyHash, "resolve",
            "asked for " + reference + " but the registry returned " + subject, now);
      }
      List<Check> checks = new ArrayList<>();
      if (!policy.images().isEmpty()) {
        // Out-of-scope input never gets here (outOfScope decides it before any network call).
        checks.add(scopePass(name));
      }
      if (tagOnly) {
        checks.add(policy.allowTagOnly()
            ? Check.pass("input", "tag " + reference + " resolved to " + subject)
            : Check.fail("input", "tag-only reference " + input + " (resolved to " + subject
                + ") is not allowed by policy " + policy.name() + ": pin it as " + name + "@" + subject));
      }
      List<VerifiedStatement> statements = new ArrayList<>();
      try {
        evaluate(top, checks, statements);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        checks.add(Check.fail("interrupted", "verification was interrupted"));
      } catch (RuntimeException | ExecutionException e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        checks.add(Check.fail("error", "verification of " + subject + " failed: " + c.getClass().getSimpleName()
            + ": " + c.getMessage()));
      }
      return VerificationReport.of(input, subject, policy.mode(), policyHash, checks, statements, now);
    }

    private void evaluate(Manifest top, List<Check> checks, List<VerifiedStatement> statements)
        throws InterruptedException, ExecutionException {
      List<Descriptor> platforms = new ArrayList<>();
      if (top instanceof ImageIndex index) {
        for (Descriptor d : index.manifests()) {
          if (MediaTypes.isManifest(d.mediaType()) && !isAttestationManifest(d)) {
            platforms.add(d);
          }
        }
        if (platforms.size() > MAX_PLATFORMS) {
          checks.add(Check.fail("index", "index " + top.digest() + " lists " + platforms.size()
              + " platform manifests, more than the limit of " + MAX_PLATFORMS));
          return;
        }
        if (platforms.isEmpty()) {
          checks.add(Check.fail("index", "index " + top.digest() + " lists no platform manifest"));
          return;
        }
      }
      boolean needIndex = platforms.isEmpty() || policy.indexSemantics() != Policy.IndexSemantics.EACH_PLATFORM;
      boolean needPlatforms = !platforms.isEmpty() && policy.indexSemantics() != Policy.IndexSemantics.INDEX_COVERS_PLATFORMS;

      // Discovery of every subject at once, one referrers listing each. Subjects wait on the bounded
      // fetch pool, so they run on the unbounded one: a bounded pool waiting on itself can deadlock.
      Future<Found> topFound = needIndex ? callPool.submit(() -> discover(top.digest(), top.bytes())) : null;
      Map<Descriptor, Future<Found>> platformFound = new LinkedHashMap<>();
      if (needPlatforms) {
        for (Descriptor d : platforms) {
          platformFound.put(d, callPool.submit(() -> discover(d.digest(), null)));
        }
      }
      Found index = topFound == null ? null : topFound.get();
      if (index != null) {
        unreadable(index, "", checks);
      }
      Map<Descriptor, Found> own = new LinkedHashMap<>();
      for (Map.Entry<Descriptor, Future<Found>> e : platformFound.entrySet()) {
        Found f = e.getValue().get();
        own.put(e.getKey(), f);
        unreadable(f, " [" + label(e.getKey()) + "]", checks);
      }

      List<Requirement> reqs = new ArrayList<>();
      reqs.add(new Requirement("signature", null));
      for (AttestationRule r : policy.attestations()) {
        reqs.add(new Requirement("attestation:" + r.predicateType(), r));
      }
      for (Requirement req : reqs) {
        if (!needPlatforms) {
          Found f = Objects.requireNonNull(index);
          Outcome o = check(req, f);
          String scope = platforms.isEmpty() ? "" : " (on the index, covering " + platforms.size() + " platforms)";
          add(checks, statements, req.name, o, scope);
        } else {
          for (Map.Entry<Descriptor, Found> e : own.entrySet()) {
            Outcome mine = check(req, e.getValue());
            String name = req.name + " [" + label(e.getKey()) + "]";
            if (mine.ok() || index == null) {
              add(checks, statements, name, mine, mine.ok() ? " (on the platform manifest)" : "");
            } else {
              Outcome onIndex = check(req, index);
              if (onIndex.ok()) {
                add(checks, statements, name, onIndex, " (on the index " + index.digest() + ")");
              } else {
                add(checks, statements, name, Outcome.fail("neither the platform manifest nor the index satisfies it:"
                    + " platform: " + mine.reason() + "; index: " + onIndex.reason()), "");
              }
            }
          }
        }
      }
    }

    private void add(List<Check> checks, List<VerifiedStatement> statements, String name, Outcome o, String scope) {
      checks.add(o.ok() ? Check.pass(name, o.reason() + scope) : Check.fail(name, o.reason() + scope));
      if (o.ok() && o.statement() != null && !statements.contains(o.statement())) {
        statements.add(o.statement());
      }
    }

    private void unreadable(Found f, String scope, List<Check> checks) {
      if (f.error() != null) {
        checks.add(Check.fail("discovery" + scope, f.error()));
      }
      for (DiscoveredAttestation a : f.items()) {
        if (a.error() != null) {
          checks.add(Check.fail("referrer:" + a.manifest().digest() + scope,
              where(a) + " on " + f.digest() + " cannot be read: " + a.error()
                  + "; delete or re-push it (a verifier cannot tell a broken attestation from a tampered one)"));
        }
      }
    }

    private Found discover(Digest digest, byte @Nullable [] manifestBytes) {
      byte[] bytes = manifestBytes;
      try {
        if (bytes == null) {
          Manifest m = registry.fetchManifest(repository, digest.toString());
          bytes = m.bytes();
        }
        return new Found(digest, bytes, Attestations.read(prefetching, repository, digest), null);
      } catch (AttestException | RuntimeException e) {
        return new Found(digest, bytes == null ? new byte[0] : bytes, List.of(),
            "cannot discover attestations of " + digest + " on " + registry.name() + "/" + repository + ": "
                + e.getMessage());
      }
    }

    // -------------------------------------------------------------- requirements

    private record Requirement(String name, @Nullable AttestationRule rule) {}

    private Outcome check(Requirement req, Found f) {
      if (f.error() != null) {
        return Outcome.fail(f.error());
      }
      return req.rule() == null ? signature(f) : attestation(req.rule(), f);
    }

    private Outcome signature(Found f) {
      Trust trust = policy.signature();
      List<String> rejected = new ArrayList<>();
      for (DiscoveredAttestation a : f.items()) {
        if (a.error() != null) {
          continue;
        }
        Outcome o = null;
        if (a.source() == DiscoveredAttestation.Source.LEGACY_SIG) {
          o = legacySignature(a, trust, f);
        } else if (a.bundle() != null && a.bundle().messageSignature().isPresent()) {
          o = messageSignature(a, trust, f);
        } else if (Attestations.COSIGN_SIGN_PREDICATE_TYPE.equals(a.predicateType())) {
          o = dsse(a, policy.signatureTrust(), trust, f.digest(), Attestations.COSIGN_SIGN_PREDICATE_TYPE);
        }
        if (o == null) {
          continue;
        }
        if (o.ok()) {
          return Outcome.pass(o.reason(), null);
        }
        rejected.add(where(a) + ": " + o.reason());
      }
      if (rejected.isEmpty()) {
        return Outcome.fail("no image signature on " + f.digest() + " (searched the referrers API, the fallback tag"
            + " and the legacy .sig tag): sign it with a key or identity of trust '" + policy.signatureTrust() + "'");
      }
      return Outcome.fail("no image signature on " + f.digest() + " verifies under trust '"
          + policy.signatureTrust() + "': " + String.join("; ", rejected));
    }

    private Outcome attestation(AttestationRule rule, Found f) {
      Trust trust = Objects.requireNonNull(policy.trust().get(rule.trust()));
      List<String> rejected = new ArrayList<>();
      for (DiscoveredAttestation a : f.items()) {
        if (a.error() != null || a.source() == DiscoveredAttestation.Source.LEGACY_SIG
            || a.predicateType() == null || !matchesType(rule.predicateType(), a.predicateType())) {
          continue;
        }
        Outcome o = dsse(a, rule.trust(), trust, f.digest(), a.predicateType());
        if (o.ok()) {
          String problem = content(rule, a.predicateType(), Objects.requireNonNull(o.statement()));
          if (problem == null) {
            return Outcome.pass(o.reason(), o.statement());
          }
          o = Outcome.fail(problem);
        }
        rejected.add(where(a) + ": " + o.reason());
      }
      if (rejected.isEmpty()) {
        return Outcome.fail("no " + rule.predicateType() + " attestation on " + f.digest()
            + " (searched the referrers API, the fallback tag and the legacy .att tag)");
      }
      return Outcome.fail("no " + rule.predicateType() + " attestation on " + f.digest() + " passes: "
          + String.join("; ", rejected));
    }

    private @Nullable String content(AttestationRule rule, String predicateType, VerifiedStatement s) {
      byte[] predicate;
      try {
        predicate = Statement.parse(s.payload()).predicate();
      } catch (AttestException e) {
        return "statement: " + e.getMessage();
      }
      if (rule.slsa() != null) {
        return ContentRules.slsa(rule.slsa(), predicate);
      }
      if (CycloneDxSbom.isCycloneDxType(predicateType)) {
        return ContentRules.sbom(rule.sbom(), predicateType, predicate);
      }
      if (rule.vulnerabilities() != null) {
        return ContentRules.vulnerabilities(rule.vulnerabilities(), predicateType, predicate, now);
      }
      return null;
    }

    // -------------------------------------------------------------- signatures

    /** A DSSE statement of {@code predicateType} about {@code subject}, signed by a member of {@code trust}. */
    private Outcome dsse(DiscoveredAttestation a, String trustName, Trust trust, Digest subject, String predicateType) {
      DsseEnvelope env = a.envelope();
      if (env == null) {
        return Outcome.fail("holds no DSSE envelope");
      }
      SigstoreBundle bundle = a.bundle();
      boolean certificate = bundle != null
          && bundle.verificationMaterial().kind() != SigstoreBundle.VerificationMaterial.Kind.PUBLIC_KEY;
      List<String> tried = new ArrayList<>();
      if (certificate) {
        for (Policy.KeylessIdentity id : trust.keyless()) {
          KeylessRoot v = keylessVerifier(Objects.requireNonNull(trust.trustedRoot()));
          if (v.verifier() == null) {
            return Outcome.fail(Objects.requireNonNull(v.problem()));
          }
          KeylessResult r = v.verifier().verifyDsse(
              a.raw(), subject, predicateType, id, keylessOptions(trust));
          if (r.ok()) {
            return Outcome.pass(r.reason() + " (" + where(a) + ", trust '" + trustName + "')",
                new VerifiedStatement(predicateType, env.payload()));
          }
          tried.add("identity " + id.issuer() + " " + (id.subject() != null ? id.subject() : "/" + id.subjectRegExp() + "/")
              + ": " + r.reason());
        }
        if (trust.keyless().isEmpty()) {
          tried.add("signed with a Fulcio certificate, but trust '" + trustName + "' has no keyless identity");
        }
      } else {
        for (TrustedKey k : trust.publicKeys()) {
          String problem = verifyEnvelope(env, bundle, k, trust);
          if (problem == null) {
            String statementProblem = statementProblem(env, subject, predicateType);
            if (statementProblem != null) {
              return Outcome.fail(statementProblem);
            }
            return Outcome.pass("signed by key " + k + " of trust '" + trustName + "' (" + where(a) + ")",
                new VerifiedStatement(predicateType, env.payload()));
          }
          tried.add(problem);
        }
        if (trust.publicKeys().isEmpty()) {
          tried.add("signed with a public key, but trust '" + trustName + "' has no public key");
        }
      }
      return Outcome.fail("does not verify under trust '" + trustName + "': " + String.join("; ", tried));
    }

    /** The envelope's signature by {@code k} and, for a bundle, its log entries and timestamps. */
    private @Nullable String verifyEnvelope(DsseEnvelope env, @Nullable SigstoreBundle bundle, TrustedKey k,
        Trust trust) {
      if (bundle != null) {
        String problem = KeylessBundleVerifier.keyed(bundle, k.publicKey(), null, keyRoot(trust), keyOptions(trust),
            keyDetails(k));
        return problem == null ? null : "key " + k + ": " + problem;
      }
      if (trust.keyTransparencyLog() == LogRequirement.REQUIRED || trust.signedTimestamps() > 0) {
        return "key " + k + ": a bare DSSE envelope carries no transparency log entry or timestamp, and trust requires"
            + " them";
      }
      return signatureProblem(k, env.pae(), env.signatures().isEmpty() ? new byte[0] : env.signatures().get(0).sig(),
          env.signatures().size() == 1 ? null : "DSSE envelope has " + env.signatures().size()
              + " signatures, expected exactly one");
    }

    /** The algorithm trust names for {@code k} (ADR 0030), validated when the key was made. */
    private static @Nullable SignatureAlgorithm keyDetails(TrustedKey k) {
      try {
        return k.keyDetails() == null ? null : SignatureAlgorithm.parse(k.keyDetails());
      } catch (VerificationFailure e) {
        throw new IllegalStateException(e);
      }
    }

    /** {@code signature} by {@code k} over {@code message}, with Sigstore's algorithm for the key. */
    private @Nullable String signatureProblem(TrustedKey k, byte[] message, byte[] signature,
        @Nullable String structural) {
      if (structural != null) {
        return "key " + k + ": " + structural;
      }
      try {
        java.security.PublicKey key = k.publicKey();
        SignatureAlgorithm named = keyDetails(k);
        List<SignatureAlgorithm> algs = named != null ? List.of(named) : SignatureAlgorithm.candidates(key, true);
        for (SignatureAlgorithm alg : algs) {
          if (alg.verify(key, message, signature)) {
            return null;
          }
        }
        return "key " + k + ": signature does not verify" + (named != null ? " as " + named
            + " (the only algorithm the key's keyDetails allow)" : "");
      } catch (VerificationFailure e) {
        return "key " + k + " is not supported: " + e.getMessage();
      }
    }

    private @Nullable String statementProblem(DsseEnvelope env, Digest subject, String predicateType) {
      Statement st;
      try {
        st = env.statement();
      } catch (AttestException e) {
        return "the signed payload is not an in-toto statement: " + e.getMessage();
      }
      if (!Statement.TYPE_V1.equals(st.type()) && !Statement.TYPE_V0_1.equals(st.type())) {
        return "statement _type is '" + st.type() + "'";
      }
      if (!predicateType.equals(st.predicateType())) {
        return "statement predicateType is '" + st.predicateType() + "', expected '" + predicateType + "'";
      }
      if (!st.covers(subject)) {
        return "statement is not about " + subject + ": its subjects are " + st.subjects();
      }
      return null;
    }

    /** A Sigstore message-signature bundle over the manifest bytes. */
    private Outcome messageSignature(DiscoveredAttestation a, Trust trust, Found f) {
      SigstoreBundle bundle = Objects.requireNonNull(a.bundle());
      SigstoreBundle.MessageSignature ms = bundle.messageSignature().orElseThrow();
      String trustName = policy.signatureTrust();
      if (bundle.verificationMaterial().kind() != SigstoreBundle.VerificationMaterial.Kind.PUBLIC_KEY) {
        List<String> tried = new ArrayList<>();
        for (Policy.KeylessIdentity id : trust.keyless()) {
          KeylessRoot v = keylessVerifier(Objects.requireNonNull(trust.trustedRoot()));
          if (v.verifier() == null) {
            return Outcome.fail(Objects.requireNonNull(v.problem()));
          }
          KeylessResult r = v.verifier().verifyMessageSignature(
              a.raw(), ArtifactDigests.of(f.manifestBytes()), id, keylessOptions(trust));
          if (r.ok()) {
            return Outcome.pass(r.reason() + " (" + where(a) + ")", null);
          }
          tried.add(r.reason());
        }
        return Outcome.fail(tried.isEmpty()
            ? "signed with a Fulcio certificate, but trust '" + trustName + "' has no keyless identity"
            : "does not verify under trust '" + trustName + "': " + String.join("; ", tried));
      }
      Optional<Digest> signed = ms.digest();
      if (signed.isPresent() && !signed.get().equals(f.digest())) {
        return Outcome.fail("message signature is over " + signed.get() + ", not the image " + f.digest());
      }
      List<String> tried = new ArrayList<>();
      for (TrustedKey k : trust.publicKeys()) {
        String problem = KeylessBundleVerifier.keyed(bundle, k.publicKey(), ArtifactDigests.of(f.manifestBytes()),
            keyRoot(trust), keyOptions(trust), keyDetails(k));
        if (problem == null) {
          return Outcome.pass("message signature over " + f.digest() + " by key " + k + " (" + where(a) + ")", null);
        }
        tried.add("key " + k + ": " + problem);
      }
      return Outcome.fail("does not verify under trust '" + trustName + "': "
          + (tried.isEmpty() ? "it has no public key" : String.join("; ", tried)));
    }

    /** cosign's legacy simple-signing payload on the {@code .sig} tag, key-based only. */
    private Outcome legacySignature(DiscoveredAttestation a, Trust trust, Found f) {
      String sig = a.annotations().get(DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION);
      if (sig == null) {
        return Outcome.fail("legacy signature layer has no " + DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION);
      }
      byte[] payload = a.raw();
      try {
        JsonNode root = Json.MAPPER.readTree(payload);
        String d = root.path("critical").path("image").path("docker-manifest-digest").asText("");
        if (!f.digest().toString().equals(d)) {
          return Outcome.fail("legacy signature payload names digest '" + d + "', not " + f.digest());
        }
      } catch (java.io.IOException | RuntimeException e) {
        return Outcome.fail("legacy signature payload is not valid JSON: " + e.getMessage());
      }
      byte[] signature;
      try {
        signature = Base64.getDecoder().decode(sig);
      } catch (IllegalArgumentException e) {
        return Outcome.fail("legacy signature annotation is not base64");
      }
      List<String> tried = new ArrayList<>();
      for (TrustedKey k : trust.publicKeys()) {
        if (trust.keyTransparencyLog() == LogRequirement.REQUIRED || trust.signedTimestamps() > 0) {
          tried.add("key " + k + ": a legacy signature's log entry and timestamps are not verified here, and trust"
              + " requires them; sign with a Sigstore bundle");
          continue;
        }
        String problem = signatureProblem(k, payload, signature, null);
        if (problem == null) {
          return Outcome.pass("legacy cosign signature by key " + k + " (" + where(a) + ")", null);
        }
        tried.add(problem);
      }
      return Outcome.fail("does not verify under trust '" + policy.signatureTrust() + "': "
          + (tried.isEmpty() ? "legacy keyless signatures are not supported; use a key or a bundle" : String.join("; ", tried)));
    }
  }

  // ------------------------------------------------------------------ helpers

  private static SigstoreOptions keylessOptions(Trust t) {
    return new SigstoreOptions(t.keylessTransparencyLog(),
        t.certificateTransparency() != null ? t.certificateTransparency() : LogRequirement.REQUIRED,
        t.signedTimestamps());
  }

  private static SigstoreOptions keyOptions(Trust t) {
    return new SigstoreOptions(t.keyTransparencyLog(), LogRequirement.IGNORED, t.signedTimestamps());
  }

  /** The trusted root a trust's keys are checked against, or null (no root, or one that cannot load). */
  private @Nullable TrustedRoot keyRoot(Trust t) {
    if (t.trustedRoot() == null || t.keyTransparencyLog() == LogRequirement.IGNORED && t.signedTimestamps() == 0) {
      return null;
    }
    KeylessBundleVerifier k = keylessVerifier(t.trustedRoot()).verifier();
    return k != null ? k.trustedRoot() : BROKEN_ROOT;
  }

  /** A root with no logs or authorities: what an unloadable root verifies like, so that entries fail closed. */
  private static final TrustedRoot BROKEN_ROOT = new TrustedRoot(List.of(), List.of(), List.of(), List.of());

  /** A trusted root loaded once: its keyless verifier, or the reason it cannot be loaded. */
  private record KeylessRoot(@Nullable KeylessBundleVerifier verifier, @Nullable String problem) {}

  private KeylessRoot keylessVerifier(Path root) {
    return keyless.computeIfAbsent(root, r -> {
      try {
        return new KeylessRoot(KeylessBundleVerifier.of(r), null);
      } catch (AttestException | RuntimeException e) {
        return new KeylessRoot(null, "trusted root " + r + " cannot be loaded: " + e.getMessage());
      }
    });
  }

  private static boolean matchesType(String required, String actual) {
    if (required.equals(actual)) {
      return true;
    }
    if (required.equals(CycloneDxSbom.PREDICATE_TYPE)) {
      return CycloneDxSbom.isCycloneDxType(actual);
    }
    return required.equals(VulnerabilityScan.COSIGN_VULN_V1) && actual.equals(VulnerabilityScan.COSIGN_VULN_V1_NO_SCHEME);
  }

  private static boolean isAttestationManifest(Descriptor d) {
    return "attestation-manifest".equals(d.annotations().get("vnd.docker.reference.type"));
  }

  private static String label(Descriptor d) {
    return d.platform() != null ? d.platform().toString() : d.digest().toString();
  }

  private static String where(DiscoveredAttestation a) {
    return switch (a.source()) {
      case REFERRER -> "referrer " + a.manifest().digest();
      case LEGACY_SIG -> "legacy .sig layer " + a.layer().digest();
      case LEGACY_ATT -> "legacy .att layer " + a.layer().digest();
    };
  }

  /** Builds a {@link PolicyVerifier}. */
  public static final class Builder {
    private final Policy policy;
    private @Nullable Function<String, Registry> registries;
    private Clock clock = Clock.systemUTC();
    private @Nullable VerificationCache cache;
    private int parallelism = 4;
    private Duration timeout = Duration.ofSeconds(8);

    private Builder(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Uses {@code registry} for every image reference, whatever its host. */
    public Builder registry(Registry registry) {
      Objects.requireNonNull(registry, "registry");
      this.registries = host -> registry;
      return this;
    }

    /**
     * Opens the registry of a reference's host with {@code resolver}; the caller closes them. By
     * default, {@link Registry#remote(String)} per host, closed with the verifier.
     */
    public Builder registries(Function<String, Registry> resolver) {
      this.registries = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /** The clock for scan ages and report times; the system UTC clock by default. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Caches reports by digest and policy hash; none by default. */
    public Builder cache(VerificationCache c) {
      this.cache = Objects.requireNonNull(c, "cache");
      return this;
    }

    /** How many referrer manifests and bundles are fetched at once; 4 by default. */
    public Builder parallelism(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("parallelism must be 1..64: " + n);
      }
      this.parallelism = n;
      return this;
    }

    /** The deadline of one verification, after which it denies; 8 seconds by default. */
    public Builder timeout(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + d);
      }
      this.timeout = d;
      return this;
    }

    /** The verifier; close it to release its threads. */
    public PolicyVerifier build() {
      return new PolicyVerifier(this);
    }
  }
}
