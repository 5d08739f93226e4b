package dev.attest.verify;

import dev.attest.core.BoundedReads;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Digest;
import dev.attest.core.Severity;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.TooLargeException;
import dev.attest.core.VulnerabilityScan;
import dev.attest.verify.internal.PolicyCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * What an image must carry to be admitted: who may sign it, which attestations it needs and what
 * they must say. Built fluently with {@link #builder(String)} or loaded from YAML or JSON with
 * {@link #parse(byte[], Path)} and {@link #load(Path)}; both give the same immutable value with the
 * same {@link #hash()}. The file format is documented in {@code docs/specs/policy-format.md}.
 *
 * @param name a name for people and for exported resources (a DNS-1123 subdomain)
 * @param mode whether a failing policy denies or only warns
 * @param images image reference globs the policy applies to; empty means every image
 * @param trust named sets of trusted signers, referenced by {@code signatureTrust} and by each
 *     attestation rule
 * @param signatureTrust the trust set that must have signed the image itself
 * @param attestations the required attestations, one per predicate type
 * @param indexSemantics where attestations of a multi-platform image must be found
 * @param allowTagOnly whether a reference with a tag and no digest is accepted as input
 * @param outOfScope what happens to an image that matches none of {@code images}: denied (the
 *     default, fail closed) or left alone for other policies; the webhook and both exports apply
 *     the same choice
 */
public record Policy(
    String name,
    Mode mode,
    List<String> images,
    Map<String, Trust> trust,
    String signatureTrust,
    List<AttestationRule> attestations,
    IndexSemantics indexSemantics,
    boolean allowTagOnly,
    OutOfScope outOfScope) {

  private static final Pattern DNS_1123 =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** What a failing policy does. */
  public enum Mode {
    /** A failing policy denies. */
    ENFORCE,
    /** A failing policy yields a warning, never a silent allow. */
    WARN
  }

  /** Where the attestations of a multi-platform image index must be found. */
  public enum IndexSemantics {
    /** Attestations on the index cover every platform it lists. */
    INDEX_COVERS_PLATFORMS,
    /** Every platform manifest must carry its own attestations. */
    EACH_PLATFORM,
    /** Either of the two above satisfies the policy. */
    EITHER
  }

  /**
   * What a policy with {@code images} globs does with an image outside them. The in-process
   * verifier, the admission webhook and the exports share it (docs/specs/policy-format.md).
   */
  public enum OutOfScope {
    /** The image is denied: no policy speaks for it (the default; fail closed). */
    DENY,
    /** The image is admitted without any check or registry call: another policy governs it. */
    ALLOW
  }

  /** Validates the policy: a DNS-1123 name, declared trust sets, one rule per predicate type. */
  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(signatureTrust, "signatureTrust");
    Objects.requireNonNull(indexSemantics, "indexSemantics");
    Objects.requireNonNull(outOfScope, "outOfScope");
    if (name.length() > 253 || !DNS_1123.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "policy name '" + name + "' must be a DNS-1123 subdomain (lowercase letters, digits, '-', '.')");
    }
    images = List.copyOf(images);
    for (String glob : images) {
      if (glob.isBlank()) {
        throw new IllegalArgumentException("image glob must not be blank");
      }
    }
    if (trust.isEmpty()) {
      throw new IllegalArgumentException("policy '" + name + "' declares no trust");
    }
    trust = Collections.unmodifiableMap(new LinkedHashMap<>(trust));
    for (Map.Entry<String, Trust> e : trust.entrySet()) {
      Objects.requireNonNull(e.getValue(), "trust " + e.getKey());
      if (e.getKey().isBlank()) {
        throw new IllegalArgumentException("trust names must not be blank");
      }
    }
    if (!trust.containsKey(signatureTrust)) {
      throw new IllegalArgumentException(
          "signature trust '" + signatureTrust + "' is not declared; declared: " + trust.keySet());
    }
    attestations = List.copyOf(attestations);
    var seen = new LinkedHashSet<String>();
    for (AttestationRule a : attestations) {
      if (!trust.containsKey(a.trust())) {
        throw new IllegalArgumentException(
            "attestation " + a.predicateType() + " uses trust '" + a.trust()
                + "', which is not declared; declared: " + trust.keySet());
      }
      if (!seen.add(a.predicateType())) {
        throw new IllegalArgumentException("predicate type " + a.predicateType() + " is required twice");
      }
    }
  }

  /** A builder for a policy named {@code name}, in enforce mode, requiring digest input. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Parses a policy from YAML or JSON bytes (JSON when the first non-blank byte is <code>{</code>).
   *
   * @param baseDir where relative paths ({@code cosign.pub}, {@code trusted_root.json}) resolve
   * @throws PolicyException naming the path of what is wrong
   */
  public static Policy parse(byte[] document, Path baseDir) throws PolicyException {
    return PolicyCodec.parse(document, baseDir);
  }

  /** Loads a policy file; relative paths in it resolve against its directory. */
  public static Policy load(Path file) throws PolicyException {
    byte[] bytes;
    try {
      bytes = BoundedReads.readFile(file, PolicyCodec.MAX_DOCUMENT_BYTES, file.toString());
    } catch (TooLargeException e) {
      throw new PolicyException(file + ": larger than " + PolicyCodec.MAX_DOCUMENT_BYTES + " bytes", e);
    } catch (IOException e) {
      throw new PolicyException(file + ": cannot read: " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(bytes, dir == null ? Path.of(".") : dir);
  }

  /**
   * The canonical JSON form: UTF-8, keys sorted, no whitespace, every default written out, keys
   * as PEM text. It parses back to an equal policy.
   */
  public byte[] toCanonicalJson() {
    return PolicyCodec.canonical(this);
  }

  /**
   * The SHA-256 of {@link #toCanonicalJson()} with each {@code trustedRoot} path replaced by the
   * SHA-256 of the file's bytes: equal policies with equal trusted roots have equal hashes,
   * wherever the files live, and editing a trusted root changes the hash. The root is read on
   * every call; callers that need the hash often keep it.
   */
  public Digest hash() {
    return Digest.sha256(PolicyCodec.hashInput(this));
  }

  /** The trust set that signed the image must belong to. */
  public Trust signature() {
    return Objects.requireNonNull(trust.get(signatureTrust));
  }

  /** The rule for {@code predicateType}, if the policy requires it. */
  public Optional<AttestationRule> attestation(String predicateType) {
    return attestations.stream().filter(a -> a.predicateType().equals(predicateType)).findFirst();
  }

  /** This policy in another mode. */
  public Policy withMode(Mode newMode) {
    return new Policy(name, newMode, images, trust, signatureTrust, attestations, indexSemantics, allowTagOnly,
        outOfScope);
  }

  /**
   * Whether the image named {@code name} ({@code registry/repository}, normalised as {@link
   * dev.attest.core.ImageRef} does: {@code docker.io/library/alpine}) is within {@link #images()};
   * a policy without globs covers every image.
   */
  public boolean covers(String name) {
    return images.isEmpty() || images.stream().anyMatch(g -> SbomRule.globMatches(g, name));
  }

  /**
   * A set of trusted signers: public keys and keyless identities. Either kind may sign.
   *
   * <p>What a signature needs beyond itself is part of the trust: a transparency log entry
   * ({@code transparencyLog}; by default required for keyless identities and verified where
   * present for keys, when a trusted root is given), the certificate's SCT ({@code
   * certificateTransparency}; by default required for keyless identities), and a number of
   * verified RFC 3161 timestamps ({@code signedTimestamps}, default 0). A keyless signature always
   * needs at least one verified time: a log's signed entry timestamp or a timestamp. GitHub's
   * Sigstore instance for private repositories logs nowhere and has no CT log: trust it with both
   * requirements {@link LogRequirement#IGNORED} and {@code signedTimestamps} 1.
   *
   * @param publicKeys trusted keys
   * @param keyless trusted Fulcio certificate identities
   * @param trustedRoot a Sigstore {@code trusted_root.json}, required when {@code keyless} is not
   *     empty or a log entry or timestamp is required; verification reads it offline, with no TUF
   *     fetch
   * @param transparencyLog whether a Rekor entry is required, verified where present, or ignored;
   *     null for the default of each signer kind
   * @param certificateTransparency whether the certificate's SCT is required, verified where
   *     present, or ignored; null for the default ({@code required})
   * @param signedTimestamps how many verified RFC 3161 timestamps each signature needs (0 to 32)
   * @see <a href="https://docs.sigstore.dev/about/security/">Sigstore verification</a>
   */
  public record Trust(
      List<TrustedKey> publicKeys,
      List<KeylessIdentity> keyless,
      @Nullable Path trustedRoot,
      @Nullable LogRequirement transparencyLog,
      @Nullable LogRequirement certificateTransparency,
      int signedTimestamps) {
    /** Validates the set: at least one signer, a trusted root where one is needed, 0 to 32 timestamps. */
    public Trust {
      publicKeys = List.copyOf(publicKeys);
      keyless = List.copyOf(keyless);
      if (publicKeys.isEmpty() && keyless.isEmpty()) {
        throw new IllegalArgumentException("a trust set needs at least one public key or keyless identity");
      }
      for (KeylessIdentity id : keyless) {
        if (id.issuerRegExp() != null) {
          throw new IllegalArgumentException("keyless identity /" + id.issuerRegExp()
              + "/: a policy names its OIDC issuer exactly (issuer, not issuerRegExp)");
        }
      }
      if (!keyless.isEmpty() && trustedRoot == null) {
        throw new IllegalArgumentException("keyless identities need a trustedRoot (trusted_root.json)");
      }
      if (signedTimestamps < 0 || signedTimestamps > 32) {
        throw new IllegalArgumentException("signedTimestamps must be 0 to 32, got " + signedTimestamps);
      }
      if (trustedRoot == null && (transparencyLog == LogRequirement.REQUIRED || signedTimestamps > 0)) {
        throw new IllegalArgumentException("a required transparency log entry or signed timestamp needs a trustedRoot"
            + " (trusted_root.json) to verify it against");
      }
    }

    /** Trust in these signers, with the default log, SCT and timestamp requirements. */
    public Trust(List<TrustedKey> publicKeys, List<KeylessIdentity> keyless, @Nullable Path trustedRoot) {
      this(publicKeys, keyless, trustedRoot, null, null, 0);
    }

    /** Trust in these keys. */
    public static Trust ofKeys(TrustedKey... keys) {
      return new Trust(List.of(keys), List.of(), null);
    }

    /** Trust in these keyless identities, under the certificate authorities and logs of {@code trustedRoot}. */
    public static Trust ofKeyless(Path trustedRoot, KeylessIdentity... identities) {
      return new Trust(List.of(), List.of(identities), trustedRoot);
    }

    /** This trust with its keys' log entries checked against {@code root} (and keyless signers under it). */
    public Trust withTrustedRoot(Path root) {
      return new Trust(publicKeys, keyless, root, transparencyLog, certificateTransparency, signedTimestamps);
    }

    /** This trust with a transparency log entry {@code required}, {@code optional} or {@code ignored}. */
    public Trust withTransparencyLog(LogRequirement requirement) {
      return new Trust(publicKeys, keyless, trustedRoot, requirement, certificateTransparency, signedTimestamps);
    }

    /** This trust with the keyless certificate's SCT {@code required}, {@code optional} or {@code ignored}. */
    public Trust withCertificateTransparency(LogRequirement requirement) {
      return new Trust(publicKeys, keyless, trustedRoot, transparencyLog, requirement, signedTimestamps);
    }

    /** This trust requiring {@code count} verified RFC 3161 timestamps per signature. */
    public Trust withSignedTimestamps(int count) {
      return new Trust(publicKeys, keyless, trustedRoot, transparencyLog, certificateTransparency, count);
    }

    /** The log requirement for keyless signers: as set, else {@code required}. */
    public LogRequirement keylessTransparencyLog() {
      return transparencyLog != null ? transparencyLog : LogRequirement.REQUIRED;
    }

    /** The log requirement for keys: as set, else {@code optional} (verified where present, with a root). */
    public LogRequirement keyTransparencyLog() {
      return transparencyLog != null ? transparencyLog : LogRequirement.OPTIONAL;
    }
  }

  /**
   * A keyless signer: a Fulcio certificate identity, attest's one type for it (policies, {@link
   * BlobVerifier} and the bundle verifier underneath). The issuer matches exactly, or, outside a
   * policy, by a regular expression; the subject (the certificate SAN) matches exactly or by a
   * regular expression; a regular expression must match the whole value, as if written {@code
   * ^(?:...)$}, like cosign's {@code --certificate-identity-regexp}. Each GitHub Actions extension
   * that is set must equal the certificate's. There is no "any identity".
   *
   * @param issuer the exact OIDC issuer URL, or null when {@code issuerRegExp} is given
   * @param subject the exact SAN (email or URI), or null when {@code subjectRegExp} is given
   * @param subjectRegExp a regular expression the whole SAN must match, or null
   * @param sourceRepositoryUri Fulcio extension {@value #OID_SOURCE_REPOSITORY_URI}, or null for any
   * @param sourceRepositoryRef Fulcio extension {@value #OID_SOURCE_REPOSITORY_REF}, or null for any
   * @param buildSignerUri Fulcio extension {@value #OID_BUILD_SIGNER_URI}, or null for any
   * @param runnerEnvironment Fulcio extension {@value #OID_RUNNER_ENVIRONMENT}, or null for any
   * @param issuerRegExp a regular expression the whole issuer must match, or null when {@code
   *     issuer} is given; a {@link Trust} of a policy refuses it (ADR 0004: policies name their
   *     issuer exactly)
   * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio: Sigstore
   *     OID information</a>
   * @see <a href="https://docs.sigstore.dev/cosign/verifying/verify/">cosign verify: identity flags</a>
   */
  public record KeylessIdentity(
      @Nullable String issuer,
      @Nullable String subject,
      @Nullable String subjectRegExp,
      @Nullable String sourceRepositoryUri,
      @Nullable String sourceRepositoryRef,
      @Nullable String buildSignerUri,
      @Nullable String runnerEnvironment,
      @Nullable String issuerRegExp) {

    /** Fulcio extension: OIDC issuer (V2, DER UTF8String). */
    public static final String OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

    /** Fulcio extension: Build Signer URI (for GitHub, the workflow at its ref). */
    public static final String OID_BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9";

    /** Fulcio extension: Runner Environment ({@code github-hosted} or {@code self-hosted}). */
    public static final String OID_RUNNER_ENVIRONMENT = "1.3.6.1.4.1.57264.1.11";

    /** Fulcio extension: Source Repository URI. */
    public static final String OID_SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12";

    /** Fulcio extension: Source Repository Ref. */
    public static final String OID_SOURCE_REPOSITORY_REF = "1.3.6.1.4.1.57264.1.14";

    /**
     * Validates the identity: exactly one of issuer and issuerRegExp, exactly one of subject and
     * subjectRegExp, nothing blank, and regular expressions that compile.
     */
    public KeylessIdentity {
      if ((issuer == null) == (issuerRegExp == null)) {
        throw new IllegalArgumentException("keyless identity: set exactly one of issuer and issuerRegExp");
      }
      String who = issuer != null ? issuer : "/" + issuerRegExp + "/";
      if (issuer != null && issuer.isBlank()) {
        throw new IllegalArgumentException("keyless identity: issuer must not be blank");
      }
      if ((subject == null) == (subjectRegExp == null)) {
        throw new IllegalArgumentException(
            "keyless identity for issuer " + who + ": set exactly one of subject and subjectRegExp");
      }
      if (subject != null && subject.isBlank()) {
        throw new IllegalArgumentException("keyless identity for issuer " + who + ": subject must not be blank");
      }
      if (subjectRegExp != null) {
        anchored(subjectRegExp, "subjectRegExp");
      }
      if (issuerRegExp != null) {
        anchored(issuerRegExp, "issuerRegExp");
      }
      for (String v : new String[] {sourceRepositoryUri, sourceRepositoryRef, buildSignerUri, runnerEnvironment}) {
        if (v != null && v.isBlank()) {
          throw new IllegalArgumentException("keyless identity for issuer " + who + ": blank extension value");
        }
      }
    }

    /** An identity with an exact issuer, as a policy has. */
    public KeylessIdentity(String issuer, @Nullable String subject, @Nullable String subjectRegExp,
        @Nullable String sourceRepositoryUri, @Nullable String sourceRepositoryRef, @Nullable String buildSignerUri,
        @Nullable String runnerEnvironment) {
      this(issuer, subject, subjectRegExp, sourceRepositoryUri, sourceRepositoryRef, buildSignerUri,
          runnerEnvironment, null);
    }

    /** An identity whose SAN equals {@code subject}. */
    public static KeylessIdentity exact(String issuer, String subject) {
      return new KeylessIdentity(issuer, subject, null, null, null, null, null);
    }

    /** An identity whose whole SAN matches {@code regex}. */
    public static KeylessIdentity matching(String issuer, String regex) {
      return new KeylessIdentity(issuer, null, regex, null, null, null, null);
    }

    /**
     * An identity from cosign's four flags: exactly one of {@code issuer} and {@code issuerRegExp},
     * and exactly one of {@code subject} and {@code subjectRegExp}.
     *
     * @throws IllegalArgumentException if not exactly one of each pair is given, or an expression
     *     does not compile
     */
    public static KeylessIdentity of(@Nullable String issuer, @Nullable String issuerRegExp, @Nullable String subject,
        @Nullable String subjectRegExp) {
      return new KeylessIdentity(issuer, subject, subjectRegExp, null, null, null, null, issuerRegExp);
    }

    /** A copy that also requires the GitHub source repository extension, e.g. {@code https://github.com/o/r}. */
    public KeylessIdentity withSourceRepositoryUri(String v) {
      return new KeylessIdentity(issuer, subject, subjectRegExp, v, sourceRepositoryRef, buildSignerUri,
          runnerEnvironment, issuerRegExp);
    }

    /** A copy that also requires the source repository ref extension, e.g. {@code refs/heads/main}. */
    public KeylessIdentity withSourceRepositoryRef(String v) {
      return new KeylessIdentity(issuer, subject, subjectRegExp, sourceRepositoryUri, v, buildSignerUri,
          runnerEnvironment, issuerRegExp);
    }

    /** A copy that also requires the build signer URI extension (the workflow). */
    public KeylessIdentity withBuildSignerUri(String v) {
      return new KeylessIdentity(issuer, subject, subjectRegExp, sourceRepositoryUri, sourceRepositoryRef, v,
          runnerEnvironment, issuerRegExp);
    }

    /** A copy that also requires the runner environment extension. */
    public KeylessIdentity withRunnerEnvironment(String v) {
      return new KeylessIdentity(issuer, subject, subjectRegExp, sourceRepositoryUri, sourceRepositoryRef,
          buildSignerUri, v, issuerRegExp);
    }

    /** Whether {@code san} is this identity's subject: equal, or a whole match of the regex. */
    public boolean subjectMatches(String san) {
      return subject != null ? subject.equals(san) : anchored(Objects.requireNonNull(subjectRegExp), "").matcher(san).matches();
    }

    /** Whether {@code actual} is this identity's issuer: equal, or a whole match of the regex. */
    public boolean issuerMatches(String actual) {
      return issuer != null ? issuer.equals(actual) : anchored(Objects.requireNonNull(issuerRegExp), "").matcher(actual).matches();
    }

    /**
     * The Fulcio extensions this identity requires, OID to expected value, in OID order: the
     * issuer (when exact) and each GitHub Actions extension that is set.
     */
    public Map<String, String> requiredExtensions() {
      Map<String, String> m = new LinkedHashMap<>();
      if (issuer != null) {
        m.put(OID_ISSUER_V2, issuer);
      }
      if (buildSignerUri != null) {
        m.put(OID_BUILD_SIGNER_URI, buildSignerUri);
      }
      if (runnerEnvironment != null) {
        m.put(OID_RUNNER_ENVIRONMENT, runnerEnvironment);
      }
      if (sourceRepositoryUri != null) {
        m.put(OID_SOURCE_REPOSITORY_URI, sourceRepositoryUri);
      }
      if (sourceRepositoryRef != null) {
        m.put(OID_SOURCE_REPOSITORY_REF, sourceRepositoryRef);
      }
      return Collections.unmodifiableMap(m);
    }

    private static Pattern anchored(String regex, String field) {
      if (regex.isEmpty()) {
        throw new IllegalArgumentException(field + " must not be empty");
      }
      try {
        return Pattern.compile("^(?:" + regex + ")$");
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid " + field + " '" + regex + "': " + e.getDescription() + " near index " + e.getIndex());
      }
    }
  }

  /**
   * A required attestation: an in-toto statement of {@code predicateType} about the image, signed
   * by a member of the trust set named {@code trust}, with optional content rules.
   */
  public record AttestationRule(
      String predicateType,
      String trust,
      @Nullable SlsaRule slsa,
      @Nullable SbomRule sbom,
      @Nullable VulnerabilityRule vulnerabilities) {
    /** Validates the rule: content rules only for the predicate types they read. */
    public AttestationRule {
      Objects.requireNonNull(predicateType, "predicateType");
      Objects.requireNonNull(trust, "trust");
      if (predicateType.isBlank()) {
        throw new IllegalArgumentException("predicateType must not be blank");
      }
      if (slsa != null && !predicateType.equals(SlsaProvenance.PREDICATE_TYPE)) {
        throw new IllegalArgumentException("slsa rules apply to " + SlsaProvenance.PREDICATE_TYPE + ", not " + predicateType);
      }
      if (sbom != null && !predicateType.startsWith(CycloneDxSbom.PREDICATE_TYPE)) {
        throw new IllegalArgumentException("sbom rules apply to " + CycloneDxSbom.PREDICATE_TYPE + ", not " + predicateType);
      }
      if (vulnerabilities != null
          && !predicateType.equals(VulnerabilityScan.COSIGN_VULN_V1) && !predicateType.equals(VulnerabilityScan.IN_TOTO_VULNS_V02)) {
        throw new IllegalArgumentException(
            "vulnerability rules apply to " + VulnerabilityScan.COSIGN_VULN_V1 + " or " + VulnerabilityScan.IN_TOTO_VULNS_V02 + ", not " + predicateType);
      }
    }

    /** A signed attestation of {@code predicateType}, with no content rules. */
    public static AttestationRule of(String predicateType, String trust) {
      return new AttestationRule(predicateType, trust, null, null, null);
    }

    /** SLSA v1 provenance checked by {@code rule}. */
    public static AttestationRule slsa(String trust, SlsaRule rule) {
      return new AttestationRule(SlsaProvenance.PREDICATE_TYPE, trust, rule, null, null);
    }

    /** A CycloneDX SBOM checked by {@code rule}. */
    public static AttestationRule sbom(String trust, SbomRule rule) {
      return new AttestationRule(CycloneDxSbom.PREDICATE_TYPE, trust, null, rule, null);
    }

    /** A cosign vulnerability scan checked by {@code rule}. */
    public static AttestationRule vulnerabilities(String trust, VulnerabilityRule rule) {
      return new AttestationRule(VulnerabilityScan.COSIGN_VULN_V1, trust, null, null, rule);
    }

    /**
     * A vulnerability scan of {@code predicateType} ({@link VulnerabilityScan#COSIGN_VULN_V1} or
     * {@link VulnerabilityScan#IN_TOTO_VULNS_V02}) checked by {@code rule}.
     */
    public static AttestationRule vulnerabilities(String predicateType, String trust, VulnerabilityRule rule) {
      return new AttestationRule(predicateType, trust, null, null, rule);
    }
  }

  /**
   * Rules for SLSA v1 provenance.
   *
   * @param builderIds allowed {@code runDetails.builder.id} values; never empty
   * @param buildTypes allowed {@code buildDefinition.buildType} values; defaults to {@link
   *     #GITHUB_BUILD_TYPES}
   * @param sourceRepository the expected source repository URI, or null for any
   * @param sourceRef the expected source ref, e.g. {@code refs/heads/main}, or null for any
   * @param externalParameters expected {@code externalParameters} values by dot-separated path,
   *     e.g. {@code workflow.path}
   * @param strict whether external parameters not named in {@code externalParameters} fail
   */
  public record SlsaRule(
      List<String> builderIds,
      List<String> buildTypes,
      @Nullable String sourceRepository,
      @Nullable String sourceRef,
      Map<String, String> externalParameters,
      boolean strict) {

    /**
     * The GitHub Actions workflow buildType, under both URIs in use: the one the SLSA site
     * documents and the one GitHub's attestations carry.
     */
    public static final List<String> GITHUB_BUILD_TYPES =
        List.of(
            "https://actions.github.io/buildtypes/workflow/v1",
            "https://github.com/actions/buildtypes/workflow/v1");

    /** Validates the rule: at least one builder id, well-formed parameter paths. */
    public SlsaRule {
      builderIds = List.copyOf(builderIds);
      buildTypes = buildTypes.isEmpty() ? GITHUB_BUILD_TYPES : List.copyOf(buildTypes);
      if (builderIds.isEmpty()) {
        throw new IllegalArgumentException("slsa: builderIds must name at least one trusted builder");
      }
      externalParameters = Collections.unmodifiableMap(new LinkedHashMap<>(externalParameters));
      for (var e : externalParameters.entrySet()) {
        Objects.requireNonNull(e.getValue(), "externalParameters." + e.getKey());
        if (e.getKey().isEmpty() || e.getKey().startsWith(".") || e.getKey().endsWith(".") || e.getKey().contains("..")) {
          throw new IllegalArgumentException("slsa: bad externalParameters path '" + e.getKey() + "'");
        }
      }
    }

    /** Provenance from one of {@code builderIds}, with the GitHub buildTypes and no other rules. */
    public static SlsaRule builders(String... builderIds) {
      return new SlsaRule(List.of(builderIds), List.of(), null, null, Map.of(), false);
    }

    /** A copy expecting this source repository and ref. */
    public SlsaRule withSource(String repository, @Nullable String ref) {
      return new SlsaRule(builderIds, buildTypes, repository, ref, externalParameters, strict);
    }

    /** A copy expecting these external parameters, failing on unknown ones when {@code strictly}. */
    public SlsaRule withExternalParameters(Map<String, String> expected, boolean strictly) {
      return new SlsaRule(builderIds, buildTypes, sourceRepository, sourceRef, expected, strictly);
    }
  }

  /**
   * Rules for a CycloneDX SBOM. The SBOM must always validate against its schema.
   *
   * @param denyPurls purl globs ({@code *} any run of characters, {@code ?} one) that must not
   *     appear, e.g. {@code pkg:maven/log4j/log4j-core@2.14*}
   * @param denyLicenses SPDX license ids that must not appear, compared exactly
   */
  public record SbomRule(List<String> denyPurls, List<String> denyLicenses) {
    /** Validates the rule: no blank purl pattern. */
    public SbomRule {
      denyPurls = List.copyOf(denyPurls);
      denyLicenses = List.copyOf(denyLicenses);
      for (String p : denyPurls) {
        if (p.isBlank()) {
          throw new IllegalArgumentException("sbom: blank purl pattern");
        }
      }
    }

    /** Only the schema check: no purl or license is denied. */
    public static SbomRule schemaOnly() {
      return new SbomRule(List.of(), List.of());
    }

    /** Denies components whose purl matches one of {@code globs}, e.g. {@code pkg:maven/log4j/log4j-core@2.14*}. */
    public static SbomRule denyingPurls(String... globs) {
      return new SbomRule(List.of(globs), List.of());
    }

    /** Denies components under one of these SPDX license ids, e.g. {@code AGPL-3.0-only}. */
    public static SbomRule denyingLicenses(String... spdxIds) {
      return new SbomRule(List.of(), List.of(spdxIds));
    }

    /** A copy that also denies purls matching {@code globs}. */
    public SbomRule withDeniedPurls(String... globs) {
      List<String> all = new ArrayList<>(denyPurls);
      all.addAll(List.of(globs));
      return new SbomRule(all, denyLicenses);
    }

    /** A copy that also denies these SPDX license ids. */
    public SbomRule withDeniedLicenses(String... spdxIds) {
      List<String> all = new ArrayList<>(denyLicenses);
      all.addAll(List.of(spdxIds));
      return new SbomRule(denyPurls, all);
    }

    /** Whether {@code purl} matches a deny pattern. */
    public boolean deniesPurl(String purl) {
      return denyPurls.stream().anyMatch(g -> globMatches(g, purl));
    }

    /** Whether {@code licenseId} is denied. */
    public boolean deniesLicense(String licenseId) {
      return denyLicenses.contains(licenseId);
    }

    /** Glob match: {@code *} any run of characters (including none), {@code ?} exactly one. */
    static boolean globMatches(String glob, String s) {
      int g = 0;
      int i = 0;
      int starG = -1;
      int starI = 0;
      while (i < s.length()) {
        if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
          g++;
          i++;
        } else if (g < glob.length() && glob.charAt(g) == '*') {
          starG = g++;
          starI = i;
        } else if (starG >= 0) {
          g = starG + 1;
          i = ++starI;
        } else {
          return false;
        }
      }
      while (g < glob.length() && glob.charAt(g) == '*') {
        g++;
      }
      return g == glob.length();
    }
  }

  /**
   * Rules for a vulnerability scan.
   *
   * @param maxCounts the most findings allowed per severity, one of {@link #LIMITED}; a severity
   *     not listed is unlimited
   * @param maxAgeHours how old {@code metadata.scanFinishedOn} may be, or null for any age
   * @param scannerUris allowed {@code scanner.uri} values; empty allows any scanner
   * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/COSIGN_VULN_ATTESTATION_SPEC.md">cosign
   *     vulnerability attestation</a>
   */
  public record VulnerabilityRule(
      Map<Severity, Integer> maxCounts, @Nullable Integer maxAgeHours, List<String> scannerUris) {
    /**
     * The severities a rule may limit, most severe first: {@link Severity#NEGLIGIBLE} and {@link
     * Severity#UNKNOWN} are not rated consistently across scanners, so the policy format (and the
     * Kyverno and policy-controller exports) do not count them.
     */
    public static final Set<Severity> LIMITED =
        Collections.unmodifiableSet(EnumSet.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW));

    /** Validates the rule: only {@link #LIMITED} severities, counts and the age not negative. */
    public VulnerabilityRule {
      EnumMap<Severity, Integer> m = new EnumMap<>(Severity.class);
      m.putAll(maxCounts);
      for (var e : m.entrySet()) {
        if (!LIMITED.contains(e.getKey())) {
          throw new IllegalArgumentException(
              "vulnerabilities: severity " + e.getKey() + " cannot be limited; expected CRITICAL, HIGH, MEDIUM or LOW");
        }
        if (e.getValue() == null || e.getValue() < 0) {
          throw new IllegalArgumentException("vulnerabilities: max " + e.getKey() + " must be >= 0");
        }
      }
      maxCounts = Collections.unmodifiableMap(m);
      if (maxAgeHours != null && maxAgeHours <= 0) {
        throw new IllegalArgumentException("vulnerabilities: maxAgeHours must be > 0");
      }
      scannerUris = List.copyOf(scannerUris);
    }

    /** At most these counts, for example {@code Map.of(CRITICAL, 0, HIGH, 5)}. */
    public static VulnerabilityRule maxCounts(Map<Severity, Integer> counts) {
      return new VulnerabilityRule(counts, null, List.of());
    }

    /** A copy requiring a scan finished at most {@code hours} ago. */
    public VulnerabilityRule withMaxAgeHours(int hours) {
      return new VulnerabilityRule(maxCounts, hours, scannerUris);
    }

    /** A copy allowing only these scanners. */
    public VulnerabilityRule withScannerUris(String... uris) {
      return new VulnerabilityRule(maxCounts, maxAgeHours, List.of(uris));
    }
  }

  /** Builds a {@link Policy}; every setting but the name, a trust set and the signature trust has a default. */
  public static final class Builder {
    private final String name;
    private Mode mode = Mode.ENFORCE;
    private final List<String> images = new ArrayList<>();
    private final Map<String, Trust> trust = new LinkedHashMap<>();
    private @Nullable String signatureTrust;
    private final List<AttestationRule> attestations = new ArrayList<>();
    private IndexSemantics indexSemantics = IndexSemantics.EITHER;
    private boolean allowTagOnly;
    private OutOfScope outOfScope = OutOfScope.DENY;

    private Builder(String name) {
      this.name = name;
    }

    /** Enforce (the default) or warn. */
    public Builder mode(Mode m) {
      this.mode = Objects.requireNonNull(m);
      return this;
    }

    /** Limits the policy to images matching {@code glob}; may be called more than once. */
    public Builder image(String glob) {
      images.add(glob);
      return this;
    }

    /** Declares the trust set {@code trustName}. */
    public Builder trust(String trustName, Trust t) {
      trust.put(trustName, t);
      return this;
    }

    /** Requires an image signature from the trust set {@code trustName}. */
    public Builder signedBy(String trustName) {
      this.signatureTrust = trustName;
      return this;
    }

    /** Requires an attestation. */
    public Builder attestation(AttestationRule rule) {
      attestations.add(rule);
      return this;
    }

    /** Index semantics; defaults to {@link IndexSemantics#EITHER}. */
    public Builder indexSemantics(IndexSemantics s) {
      this.indexSemantics = Objects.requireNonNull(s);
      return this;
    }

    /** Whether tag-only references are accepted; defaults to false. */
    public Builder allowTagOnly(boolean allow) {
      this.allowTagOnly = allow;
      return this;
    }

    /** What happens to images outside the {@link #image globs}; defaults to {@link OutOfScope#DENY}. */
    public Builder outOfScope(OutOfScope o) {
      this.outOfScope = Objects.requireNonNull(o);
      return this;
    }

    /** The policy; throws {@link IllegalArgumentException} naming what is inconsistent. */
    public Policy build() {
      if (signatureTrust == null) {
        throw new IllegalArgumentException("policy '" + name + "': call signedBy(trust) to require an image signature");
      }
      return new Policy(name, mode, images, trust, signatureTrust, attestations, indexSemantics, allowTagOnly,
          outOfScope);
    }
  }
}
