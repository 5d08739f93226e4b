package dev.attest.verify;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Keys;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.internal.keyless.ArtifactDigests;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.internal.keyless.KeylessResult;
import dev.attest.verify.internal.keyless.SigstoreOptions;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a Sigstore bundle (v0.1 to v0.3) over an artifact, offline, as {@code cosign
 * verify-blob} does: a message-signature bundle must sign the artifact's sha256; a DSSE bundle must
 * carry an in-toto statement whose subject includes it. With a {@linkplain #withKey key}, the
 * bundle must be key-signed and verify with it; {@linkplain #keyless keyless} bundles are checked
 * with the same checks and wrappers as {@link PolicyVerifier}: the Fulcio chain, SCT, signed entry
 * timestamp, inclusion proof and checkpoint against a {@code trusted_root.json}, the exact
 * certificate identity and OIDC issuer, one tlog entry of the right kind, and the log's integrated
 * time within the certificate's validity. Nothing is fetched.
 *
 * <pre>{@code
 * BlobVerifier v = BlobVerifier.keyless(Path.of("trusted_root.json"),
 *     "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1",
 *     "https://token.actions.githubusercontent.com");
 * BlobVerifier.Result r = v.verify(bundleBytes, Digest.sha256(artifactBytes));
 * }</pre>
 *
 * @see <a href="https://docs.sigstore.dev/cosign/verifying/verify/">cosign verify-blob</a>
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">Sigstore
 *     bundle</a>
 */
public final class BlobVerifier {

  /**
   * The outcome of one verification.
   *
   * @param valid whether every check passed
   * @param reason what was verified, or what failed
   * @param content {@code message-signature} or {@code dsse-envelope}, or null if the bundle could
   *     not be parsed
   * @param signer the certificate's SAN (keyless) or the key's hint, when valid
   */
  public record Result(boolean valid, String reason, @Nullable String content, @Nullable String signer) {
    /** Checks that every component is present. */
    public Result {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static final String IN_TOTO = "application/vnd.in-toto+json";

  private final @Nullable PublicKey key;
  private final @Nullable Path trustedRoot;
  private final @Nullable KeylessBundleVerifier roots;
  private final @Nullable KeylessIdentity identity;
  private final SigstoreOptions options;
  private final @Nullable SignatureAlgorithm keyDetails;

  private BlobVerifier(@Nullable PublicKey key, @Nullable Path trustedRoot, @Nullable KeylessBundleVerifier roots,
      @Nullable KeylessIdentity identity, SigstoreOptions options, @Nullable SignatureAlgorithm keyDetails) {
    this.keyDetails = keyDetails;
    this.key = key;
    this.trustedRoot = trustedRoot;
    this.roots = roots;
    this.identity = identity;
    this.options = options;
  }

  /**
   * Verifies key-signed bundles with {@code publicKey} (ECDSA P-256/P-384/P-521, RSA 2048-4096 or
   * Ed25519, with Sigstore's algorithm for the key). Their transparency log entries are checked
   * only with a {@linkplain #withTrustedRoot trusted root}.
   */
  public static BlobVerifier withKey(PublicKey publicKey) {
    return new BlobVerifier(Objects.requireNonNull(publicKey, "publicKey"), null, null, null, SigstoreOptions.KEYED,
        null);
  }

  /**
   * Verifies key-signed bundles with {@code key}; when it names its algorithm ({@link
   * TrustedKey#keyDetails()}), only signatures under that algorithm verify (ADR 0030).
   */
  public static BlobVerifier withKey(TrustedKey key) {
    Objects.requireNonNull(key, "key");
    SignatureAlgorithm details;
    try {
      details = key.keyDetails() == null ? null : SignatureAlgorithm.parse(key.keyDetails());
    } catch (VerificationFailure e) {
      throw new IllegalStateException("TrustedKey validated its keyDetails", e);
    }
    return new BlobVerifier(key.publicKey(), null, null, null, SigstoreOptions.KEYED, details);
  }

  /**
   * Verifies keyless bundles whose Fulcio certificate names exactly {@code certificateIdentity}
   * (the SAN: an email address or a URI) and {@code oidcIssuer}, chaining to {@code trustedRoot}.
   * A transparency log entry and an SCT are required unless {@link #transparencyLog} and {@link
   * #certificateTransparency} say otherwise.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   * @throws IllegalArgumentException if the identity or issuer is blank
   */
  public static BlobVerifier keyless(Path trustedRoot, String certificateIdentity, String oidcIssuer)
      throws InvalidContentException {
    KeylessIdentity id = KeylessIdentity.exact(oidcIssuer, certificateIdentity);
    return new BlobVerifier(null, trustedRoot, KeylessBundleVerifier.of(trustedRoot), id, SigstoreOptions.KEYLESS, null);
  }

  /**
   * Verifies keyless bundles whose Fulcio certificate matches cosign's identity flags: exactly one
   * of {@code certificateIdentity} (exact SAN) and {@code certificateIdentityRegexp}, and exactly
   * one of {@code oidcIssuer} (exact) and {@code oidcIssuerRegexp}. A regular expression (Java
   * syntax) must match the whole value, as if written {@code ^(?:...)$}, like cosign's {@code
   * --certificate-identity-regexp} and {@code --certificate-oidc-issuer-regexp}.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   * @throws IllegalArgumentException if not exactly one of each pair is given or an expression is
   *     not valid
   * @see <a href="https://docs.sigstore.dev/cosign/verifying/verify/">cosign verify</a>
   */
  public static BlobVerifier keylessMatching(Path trustedRoot, @Nullable String certificateIdentity,
      @Nullable String certificateIdentityRegexp, @Nullable String oidcIssuer, @Nullable String oidcIssuerRegexp)
      throws InvalidContentException {
    KeylessIdentity id = KeylessIdentity.of(oidcIssuer, oidcIssuerRegexp, certificateIdentity, certificateIdentityRegexp);
    return new BlobVerifier(null, trustedRoot, KeylessBundleVerifier.of(trustedRoot), id, SigstoreOptions.KEYLESS, null);
  }

  /**
   * This verifier, checking a key-signed bundle's log entries and timestamps against {@code
   * trustedRoot}'s transparency logs and timestamp authorities (as {@code cosign verify-blob --key}
   * does). For keyless verifiers, the root is the one given to {@link #keyless}.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   */
  public BlobVerifier withTrustedRoot(Path trustedRoot) throws InvalidContentException {
    return new BlobVerifier(key, trustedRoot, KeylessBundleVerifier.of(trustedRoot), identity, options, keyDetails);
  }

  /**
   * This verifier with a transparency log entry {@code required}, verified where present ({@code
   * optional}, the default for keys), or {@code ignored}. Keyless verification requires one by
   * default; ignoring it is only for private Sigstore instances without a log.
   */
  public BlobVerifier transparencyLog(LogRequirement requirement) {
    return new BlobVerifier(key, trustedRoot, roots, identity,
        new SigstoreOptions(requirement, options.sct(), options.minTimestamps()), keyDetails);
  }

  /** This verifier with the certificate's SCT {@code required} (keyless default), {@code optional} or {@code ignored}. */
  public BlobVerifier certificateTransparency(LogRequirement requirement) {
    return new BlobVerifier(key, trustedRoot, roots, identity,
        new SigstoreOptions(options.tlog(), requirement, options.minTimestamps()), keyDetails);
  }

  /** This verifier requiring at least {@code count} verified RFC 3161 timestamps (default 0). */
  public BlobVerifier minTimestamps(int count) {
    return new BlobVerifier(key, trustedRoot, roots, identity,
        new SigstoreOptions(options.tlog(), options.sct(), count), keyDetails);
  }

  /**
   * Verifies {@code bundleJson} (its exact bytes) over the artifact whose digest is {@code
   * artifact}. A message signature whose algorithm signs another digest (ECDSA P-384 with
   * SHA-384, for example) needs the artifact itself: {@link #verify(byte[], InputStream)}.
   */
  public Result verify(byte[] bundleJson, Digest artifact) {
    return verify(bundleJson, ArtifactDigests.of(artifact));
  }

  /** Verifies {@code bundleJson} over the artifact read from {@code artifact}, which is not closed. */
  public Result verify(byte[] bundleJson, InputStream artifact) throws IOException {
    return verify(bundleJson, ArtifactDigests.read(artifact));
  }

  private Result verify(byte[] bundleJson, ArtifactDigests artifact) {
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(bundleJson);
    } catch (AttestException e) {
      return new Result(false, e.getMessage(), null, null);
    }
    String content = bundle.contentKind();
    Digest sha256 = artifact.primary();
    Optional<DsseEnvelope> env = bundle.dsseEnvelope();
    // A DSSE payload that is not an in-toto statement is itself the artifact.
    boolean rawPayload = env.isPresent() && !IN_TOTO.equals(env.get().payloadType());
    if (key == null) {
      KeylessBundleVerifier keyless = Objects.requireNonNull(roots);
      KeylessResult r;
      if (rawPayload) {
        r = keyless.verifyParsed(bundle, null, null, identity, true, options);
        if (r.ok() && !payloadIs(env.get(), sha256)) {
          return new Result(false, "the DSSE payload (" + env.get().payloadType() + ") is not the artifact " + sha256,
              content, null);
        }
      } else if (env.isPresent()) {
        // The expected predicate type is the one signed: a blob has no policy naming one.
        String predicateType;
        try {
          predicateType = env.get().statement().predicateType();
        } catch (AttestException e) {
          return new Result(false, "the DSSE payload is not an in-toto statement: " + e.getMessage(), content, null);
        }
        if (predicateType == null || predicateType.isEmpty()) {
          return new Result(false, "refusing to verify a DSSE bundle without an expected predicate type", content, null);
        }
        r = keyless.verifyParsed(bundle, ArtifactDigests.of(sha256), predicateType, identity, true, options);
      } else {
        r = keyless.verifyParsed(bundle, artifact, null, identity, false, options);
      }
      return new Result(r.ok(), r.reason(), content, r.ok() && r.identity() != null ? r.identity().san() : null);
    }
    PublicKey k = key;
    String problem = KeylessBundleVerifier.keyed(bundle, k, artifact, roots == null ? null : roots.trustedRoot(),
        options, keyDetails);
    if (problem == null && rawPayload) {
      if (!payloadIs(env.get(), sha256)) {
        problem = "the DSSE payload (" + env.get().payloadType() + ") is not the artifact " + sha256;
      }
    } else if (problem == null && env.isPresent()) {
      try {
        if (!bundle.dsseEnvelope().get().statement().covers(sha256)) {
          problem = "the signed statement's subjects do not include " + sha256;
        }
      } catch (AttestException e) {
        problem = "the DSSE payload is not an in-toto statement: " + e.getMessage();
      }
    }
    return problem == null
        ? new Result(true, "verified " + content + " bundle over " + sha256 + " with key " + Keys.hint(k)
            + (roots != null && !bundle.verificationMaterial().tlogEntries().isEmpty()
                && options.tlog() != LogRequirement.IGNORED ? ", its transparency log entry verified" : ""),
            content, Keys.hint(k))
        : new Result(false, problem, content, null);
  }

  private static boolean payloadIs(DsseEnvelope env, Digest artifact) {
    java.security.MessageDigest md = artifact.algorithm().newMessageDigest();
    return java.security.MessageDigest.isEqual(md.digest(env.payload()), artifact.hash());
  }
}
