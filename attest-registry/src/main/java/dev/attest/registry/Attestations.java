package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.ImageRef;
import dev.attest.core.Manifest;
import dev.attest.core.Predicate;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.internal.attest.Attacher;
import dev.attest.registry.internal.attest.Discovery;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Attaches signed attestations to an image, and reads them back. Nothing touches the registry
 * before {@link #attach()}:
 *
 * <pre>{@code
 * AttachResult r = Attestations.on(registry, "app", imageDigest)
 *     .provenance(provenance).sbom(bom).vulnerabilities(scan)
 *     .imageSignature()               // cosign 3's image signature, as cosign sign --new-bundle-format
 *     .signWith(Keys.signer(keyPair))
 *     .recursive()                    // for an index: also every platform manifest
 *     .attach();
 * List<DiscoveredAttestation> found = Attestations.read(registry, "app", imageDigest);
 * }</pre>
 *
 * <p>Each attestation is an in-toto Statement v1 whose subject is the image (name = repository,
 * digest = the image digest), signed in a DSSE envelope and wrapped in a Sigstore bundle v0.3. It
 * is pushed as the layout cosign 3 and actions/attest write: an OCI image manifest with {@code
 * artifactType} {@value dev.attest.core.MediaTypes#SIGSTORE_BUNDLE_V03}, the empty config, one
 * layer (the bundle), {@code subject} = the image, and the annotations {@value #CONTENT}, {@value
 * #PREDICATE_TYPE} and {@value #CREATED}. Registries without a referrers API get the {@code
 * sha256-<hex>} fallback index, whose entries carry the same annotations.
 *
 * <p>{@link #attach()} validates and signs everything before it pushes anything: the image must
 * exist with the digest asked for, every SBOM must be schema-valid, every pre-signed bundle must
 * carry a single-signature in-toto DSSE envelope about the image, and every bundle must fit in
 * {@value #MAX_BUNDLE_BYTES} bytes. A failure there leaves the registry untouched. Then blobs are
 * pushed, then manifests.
 *
 * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign bundle
 *     spec</a>
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto
 *     Statement v1</a>
 */
public final class Attestations {

  /** The manifest annotation naming the bundle content: {@code dsse-envelope} or {@code message-signature}. */
  public static final String CONTENT = "dev.sigstore.bundle.content";
  /** The manifest annotation with the statement's predicate type. */
  public static final String PREDICATE_TYPE = "dev.sigstore.bundle.predicateType";
  /** The manifest annotation with the creation time, RFC 3339 in UTC, whole seconds. */
  public static final String CREATED = "org.opencontainers.image.created";
  /** The predicate type of cosign 3's image signature statement. */
  public static final String COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";
  /** Bundles bigger than this are neither written nor read (16 MiB). */
  public static final int MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
  /**
   * Predicates (SBOMs included) bigger than this are refused before signing (11 MiB): base64 in
   * the envelope makes them a third bigger, and the bundle must stay under {@link #MAX_BUNDLE_BYTES}.
   */
  public static final int MAX_PREDICATE_BYTES = 11 * 1024 * 1024;
  /** The largest bundle {@link #embedBundles(int)} may embed (1 MiB; 1.33 MiB as base64). */
  public static final int MAX_EMBEDDED_BUNDLE_BYTES = 1024 * 1024;

  private final Registry registry;
  private final String repository;
  private final Digest digest;
  private final @Nullable Manifest known;
  private final List<Attacher.Item> items = new ArrayList<>();
  private @Nullable Signer signer;
  private boolean recursive;
  private Clock clock = Clock.systemUTC();
  private int embedLimit;

  private Attestations(Registry registry, String repository, Digest digest, @Nullable Manifest known) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.repository = Objects.requireNonNull(repository, "repository");
    this.digest = Objects.requireNonNull(digest, "digest");
    this.known = known;
    if (repository.isEmpty()) {
      throw new IllegalArgumentException("repository must not be empty");
    }
  }

  /** Starts configuring attestations for the image {@code digest} in {@code repository}. */
  public static Attestations on(Registry registry, String repository, Digest digest) {
    return new Attestations(registry, repository, digest, null);
  }

  /**
   * Starts configuring attestations for {@code subject}, a manifest the caller has just read from
   * or pushed to {@code repository} (a promotion's copy, for example): {@link #attach()} takes
   * it as it is instead of fetching it again. Its digest is computed from its bytes, so the
   * referrers cannot name another manifest; that the repository holds it is the caller's word.
   */
  public static Attestations on(Registry registry, String repository, Manifest subject) {
    Objects.requireNonNull(subject, "subject");
    return new Attestations(registry, repository, subject.digest(), subject);
  }

  /**
   * Starts configuring attestations for the image {@code ref}, which must name a digest. The
   * registry host of {@code ref} is not used: {@code registry} is.
   */
  public static Attestations on(Registry registry, ImageRef ref) {
    Digest d = ref.digest();
    if (d == null) {
      throw new IllegalArgumentException("attestations attach to a digest; " + ref + " has none");
    }
    return new Attestations(registry, ref.repository(), d, null);
  }

  /**
   * Every attestation and signature found on {@code digest}, still unverified: referrers whose
   * artifact type is a Sigstore bundle, in-toto or DSSE type, from the referrers API and the
   * fallback tag index (each referrer's {@code subject} must be {@code digest}, or the item is
   * reported with an error), and the layers of cosign's legacy {@code
   * sha256-<hex>.sig} and {@code .att} tags. Items that cannot be fetched or parsed are listed
   * with an {@link DiscoveredAttestation#error() error}; bundles over {@value #MAX_BUNDLE_BYTES}
   * bytes are not downloaded.
   */
  public static List<DiscoveredAttestation> read(Registry registry, String repository, Digest digest)
      throws AttestException {
    return Discovery.read(registry, repository, digest);
  }

  // ---- what read() reads, for a Registry view that fetches ahead (ADR 0027) ----

  /**
   * cosign's legacy tags of {@code subject} that {@link #read} looks up, in order: {@code
   * sha256-<hex>.sig}, then {@code sha256-<hex>.att}. A view that fetches ahead, or a promotion that
   * copies what verification would read, asks this instead of copying the rule.
   *
   * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign
   *     signature tags</a>
   */
  public static List<String> legacyTags(Digest subject) {
    return Discovery.legacyTags(subject);
  }

  /**
   * The entries of a referrers listing that {@link #read} opens, in listing order: those whose
   * artifact type is a Sigstore bundle, in-toto or DSSE type, at most 256.
   */
  public static List<Descriptor> referrersToRead(List<Descriptor> listing) {
    return Discovery.referrersToRead(listing);
  }

  /**
   * The layers of a referrer's manifest that {@link #read} downloads, in order: Sigstore bundles
   * and DSSE envelopes (at most 64 per manifest), except content embedded in the descriptor
   * ({@code data}) and layers over {@value #MAX_BUNDLE_BYTES} bytes, which it never fetches.
   */
  public static List<Descriptor> layersToDownload(ImageManifest referrer) {
    return Discovery.layersToDownload(referrer);
  }

  /** Adds a SLSA provenance predicate. */
  public Attestations provenance(SlsaProvenance provenance) {
    return predicate(provenance);
  }

  /** Adds a CycloneDX SBOM predicate. */
  public Attestations sbom(CycloneDxSbom sbom) {
    return predicate(sbom);
  }

  /**
   * Adds a CycloneDX SBOM given as JSON; at {@link #attach()} it is refused if it is over {@value
   * #MAX_PREDICATE_BYTES} bytes or not valid under the schema of its declared spec version.
   */
  public Attestations sbom(byte[] bomJson) {
    items.add(new Attacher.RawPredicate(CycloneDxSbom.PREDICATE_TYPE, bomJson.clone()));
    return this;
  }

  /** Adds a vulnerability scan predicate. */
  public Attestations vulnerabilities(VulnerabilityScan scan) {
    return predicate(scan);
  }

  /**
   * Adds a scanner's JSON report, Trivy ({@code trivy image --format json}) or Grype ({@code grype
   * -o json}), as a cosign {@value VulnerabilityScan#COSIGN_VULN_V1} predicate, the way {@code
   * cosign attest --type vuln} does. The scanner and the scan time come from the report (see
   * {@link VulnerabilityScan#cosignBuilder(byte[])}); use that builder to set them when the report
   * lacks them. At {@link #attach()} a report that is neither format, is over {@value
   * #MAX_PREDICATE_BYTES} bytes or names no scan time is refused.
   */
  public Attestations vulnerabilities(byte[] scannerReportJson) {
    items.add(new Attacher.ScannerReport(scannerReportJson.clone()));
    return this;
  }

  /** Adds any typed predicate. */
  public Attestations predicate(Predicate predicate) {
    items.add(new Attacher.TypedPredicate(Objects.requireNonNull(predicate, "predicate")));
    return this;
  }

  /**
   * Adds a predicate as raw JSON; at {@link #attach()} it must be one JSON object no bigger than
   * {@value #MAX_PREDICATE_BYTES} bytes (and valid for its type, for the types attest knows).
   */
  public Attestations predicate(String predicateType, byte[] json) {
    Objects.requireNonNull(predicateType, "predicateType");
    items.add(new Attacher.RawPredicate(predicateType, json.clone()));
    return this;
  }

  /**
   * Adds a statement made by the caller, to be signed as it is. Its subjects must include every
   * digest it is attached to.
   */
  public Attestations statement(Statement statement) {
    items.add(new Attacher.GivenStatement(Objects.requireNonNull(statement, "statement")));
    return this;
  }

  /**
   * Adds a bundle signed elsewhere (for example by a CI step), pushed with its exact bytes. At
   * {@link #attach()} it must be a v0.3 bundle ({@value SigstoreBundle#MEDIA_TYPE_V0_3}) of a DSSE
   * envelope with exactly one signature, payload type {@value Statement#PAYLOAD_TYPE} and a
   * statement whose subjects include every digest it is attached to. Its signature is not
   * checked here.
   */
  public Attestations bundle(byte[] bundleJson) {
    items.add(new Attacher.GivenBundle(bundleJson.clone()));
    return this;
  }

  /**
   * Adds the image signature as cosign 3 writes it ({@code cosign sign --new-bundle-format}): a
   * DSSE-signed in-toto statement about the digest with predicate type {@value
   * #COSIGN_SIGN_PREDICATE_TYPE} and an empty predicate. See {@link Signatures}.
   */
  public Attestations imageSignature() {
    items.add(new Attacher.ImageSignature());
    return this;
  }

  /**
   * The statement cosign 3 signs as an image signature ({@code cosign sign --new-bundle-format}):
   * the digest as the one subject, without a name, predicate type {@value
   * #COSIGN_SIGN_PREDICATE_TYPE} and an empty predicate. Sign it elsewhere (keyless, for example)
   * and attach the bundle with {@link #bundle(byte[])}.
   *
   * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign bundles</a>
   */
  public static Statement imageSignatureStatement(Digest digest) throws AttestException {
    return Attacher.cosignSignStatement(Objects.requireNonNull(digest, "digest"));
  }

  /** The signer of every statement this flow makes. Required unless only pre-signed bundles are attached. */
  public Attestations signWith(Signer signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
    return this;
  }

  /**
   * For an index, also attach everything to every manifest it lists (and to theirs, for nested
   * indexes), as cosign's {@code --recursive} does. For an image manifest it changes nothing.
   */
  public Attestations recursive() {
    this.recursive = true;
    return this;
  }

  /**
   * Also embeds each bundle of at most {@code maxBytes} in its layer descriptor's {@code data}
   * field (<a href="https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#embedded-content">OCI
   * image-spec 1.1, embedded content</a>), so that a verifier reads it together with the
   * referrer manifest instead of with one more blob request; {@link #read} uses it after the
   * manifest parser has checked it against the layer's digest and size. The blob is still pushed,
   * for tools that ignore {@code data}.
   *
   * <p>Off by default: the spec warns that some registries refuse manifests with {@code data}, and
   * cosign does not write it, so the manifests are no longer byte-for-byte what cosign 3 writes.
   * Worth it where verification latency counts and the registry is known to accept it (registry
   * 2.8.2 does; every bundle GET there costs about 3.5 ms of the registry's CPU).
   *
   * @param maxBytes bundles up to this size are embedded; 1 to {@value #MAX_EMBEDDED_BUNDLE_BYTES}
   */
  public Attestations embedBundles(int maxBytes) {
    if (maxBytes < 1 || maxBytes > MAX_EMBEDDED_BUNDLE_BYTES) {
      throw new IllegalArgumentException(
          "embedBundles(maxBytes) takes 1 to " + MAX_EMBEDDED_BUNDLE_BYTES + " bytes, not " + maxBytes);
    }
    this.embedLimit = maxBytes;
    return this;
  }

  /** The clock for the {@value #CREATED} annotation; the system UTC clock by default. */
  public Attestations clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Validates, signs and pushes. Nothing is pushed unless everything validates and signs.
   *
   * @throws NotFoundException if the image is not in the repository
   * @throws dev.attest.core.InvalidContentException naming the attestation that is invalid
   * @throws dev.attest.core.SigningException if the signer fails
   * @throws IllegalStateException if nothing was configured, or statements must be signed and
   *     there is no signer
   */
  public AttachResult attach() throws AttestException {
    return Attacher.attach(registry, repository, digest, known, items, signer, recursive, clock, embedLimit);
  }
}
