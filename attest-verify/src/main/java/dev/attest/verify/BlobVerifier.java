package dev.attest.verify;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Keys;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.internal.keyless.KeylessIdentity;
import dev.attest.verify.internal.keyless.KeylessResult;
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

  private final @Nullable PublicKey key;
  private final @Nullable KeylessBundleVerifier keyless;
  private final @Nullable KeylessIdentity identity;

  private BlobVerifier(@Nullable PublicKey key, @Nullable KeylessBundleVerifier keyless,
      @Nullable KeylessIdentity identity) {
    this.key = key;
    this.keyless = keyless;
    this.identity = identity;
  }

  /** Verifies key-signed bundles with {@code publicKey}. */
  public static BlobVerifier withKey(PublicKey publicKey) {
    return new BlobVerifier(Objects.requireNonNull(publicKey, "publicKey"), null, null);
  }

  /**
   * Verifies keyless bundles whose Fulcio certificate names exactly {@code certificateIdentity}
   * (the SAN: an email address or a URI) and {@code oidcIssuer}, chaining to {@code trustedRoot}.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   * @throws IllegalArgumentException if the identity or issuer is blank
   */
  public static BlobVerifier keyless(Path trustedRoot, String certificateIdentity, String oidcIssuer)
      throws InvalidContentException {
    KeylessIdentity id = KeylessIdentity.exact(oidcIssuer, certificateIdentity);
    return new BlobVerifier(null, KeylessBundleVerifier.of(trustedRoot), id);
  }

  /** Verifies {@code bundleJson} (its exact bytes) over the artifact whose digest is {@code artifact}. */
  public Result verify(byte[] bundleJson, Digest artifact) {
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(bundleJson);
    } catch (AttestException e) {
      return new Result(false, e.getMessage(), null, null);
    }
    String content = bundle.contentKind();
    if (keyless != null) {
      KeylessResult r;
      Optional<DsseEnvelope> env = bundle.dsseEnvelope();
      if (env.isPresent()) {
        // The expected predicate type is the one signed: a blob has no policy naming one.
        String predicateType;
        try {
          predicateType = env.get().statement().predicateType();
        } catch (AttestException e) {
          return new Result(false, "the DSSE payload is not an in-toto statement: " + e.getMessage(), content, null);
        }
        r = keyless.verifyDsse(bundleJson, artifact, predicateType, identity);
      } else {
        r = keyless.verifyMessageSignature(bundleJson, artifact, identity);
      }
      return new Result(r.ok(), r.reason(), content, r.ok() && r.identity() != null ? r.identity().san() : null);
    }
    PublicKey k = Objects.requireNonNull(key);
    try {
      String problem = keyProblem(bundle, artifact, k);
      return problem == null
          ? new Result(true, "verified " + content + " bundle over " + artifact + " with key " + Keys.hint(k), content,
              Keys.hint(k))
          : new Result(false, problem, content, null);
    } catch (AttestException e) {
      return new Result(false, e.getMessage(), content, null);
    }
  }

  private static @Nullable String keyProblem(SigstoreBundle b, Digest digest, PublicKey key) throws AttestException {
    if (b.verificationMaterial().kind() != SigstoreBundle.VerificationMaterial.Kind.PUBLIC_KEY) {
      return "the bundle is signed with a certificate (" + b.verificationMaterial().kind()
          + "); verify it keyless, with a certificate identity and OIDC issuer";
    }
    Optional<SigstoreBundle.MessageSignature> ms = b.messageSignature();
    if (ms.isPresent()) {
      Optional<Digest> signed = ms.get().digest();
      if (signed.isPresent() && !signed.get().equals(digest)) {
        return "the bundle signs " + signed.get() + ", not " + digest;
      }
      return Keys.verifyPrehashed(key, digest, ms.get().signature())
          ? null
          : "the message signature does not verify with the key (hint " + Keys.hint(key) + ") over " + digest;
    }
    DsseEnvelope envelope = b.dsseEnvelope().orElseThrow();
    envelope.verify(Keys.verifier(key));
    Statement statement = envelope.statement();
    if (!statement.covers(digest)) {
      return "the signed statement's subjects do not include " + digest;
    }
    return null;
  }
}
