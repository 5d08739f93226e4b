package dev.attest.verify;

import static dev.attest.verify.KeylessSigningException.Step.SIGNING;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.Json;
import dev.attest.verify.internal.keyless.FulcioOids;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.internal.keyless.KeylessSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Keyless (Sigstore) signing over HTTP: for each signing, an ephemeral P-256 key, a short-lived
 * Fulcio certificate for the OIDC identity of a {@link TokenSource}, and a Rekor entry whose
 * inclusion proof is verified before the v0.3 bundle is returned. The bundle verifies offline with
 * the instance's {@code trusted_root.json} (in attest's {@link PolicyVerifier}, sigstore-java,
 * sigstore-js).
 *
 * <p>Sign first, then attach: a failed signing throws, so nothing is attached.
 *
 * <pre>{@code
 * KeylessSigner signer = KeylessSigner.builder()
 *     .sigstorePublicGood()
 *     .tokenSource(TokenSource.githubActions())
 *     .build();
 * Attestations.on(registry, "acme/app", digest)
 *     .bundle(signer.signDsse(statement).bytes())
 *     .attach();
 * }</pre>
 *
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/how-certificate-issuing-works.md">Fulcio</a>
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">Sigstore bundle</a>
 */
public final class KeylessSigner {
  /** Sigstore public-good Fulcio. */
  public static final String PUBLIC_GOOD_FULCIO = "https://fulcio.sigstore.dev";
  /** Sigstore public-good Rekor (v1). */
  public static final String PUBLIC_GOOD_REKOR = "https://rekor.sigstore.dev";
  /** A signing config larger than this is refused. */
  static final long MAX_SIGNING_CONFIG_BYTES = 1024 * 1024;

  private final KeylessSigning flow;

  private KeylessSigner(KeylessSigning flow) {
    this.flow = flow;
  }

  /** A builder; endpoints and a token source are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Signs {@code statement} in a DSSE envelope and logs it as a Rekor {@code dsse} 0.0.1 entry.
   *
   * @throws KeylessSigningException naming the step (token, Fulcio, Rekor) and the server's answer
   */
  public SigstoreBundle signDsse(Statement statement) throws KeylessSigningException {
    return flow.signDsse(Objects.requireNonNull(statement, "statement"));
  }

  /**
   * Signs the sha256 digest of an artifact (a message signature) and logs it as a Rekor {@code
   * hashedrekord} 0.0.1 entry.
   *
   * @throws KeylessSigningException naming the step (token, Fulcio, Rekor) and the server's answer
   */
  public SigstoreBundle signMessage(Digest artifact) throws KeylessSigningException {
    return flow.signMessage(Objects.requireNonNull(artifact, "artifact"));
  }

  /**
   * SLSA provenance of the current GitHub Actions run from {@code env} and the claims of the
   * {@code token} that signs it, as {@link SlsaProvenance#fromGitHubActionsToken(Map, Map)}: the
   * token's {@code repository}, {@code workflow_ref}, {@code ref} etc. take precedence over the
   * environment and {@code job_workflow_ref} gives {@code runDetails.builder.id}, so the provenance
   * names the identity Fulcio certifies. Fetch the token once and sign with the same token ({@link
   * TokenSource#of(String)}).
   *
   * @throws KeylessSigningException at step {@code TOKEN} if the token is not a JWT, or {@code
   *     SIGNING} if {@code env} and the claims are not a GitHub Actions run
   * @see <a href="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#understanding-the-oidc-token">OIDC token claims</a>
   */
  public static SlsaProvenance gitHubActionsProvenance(Map<String, String> env, String token)
      throws KeylessSigningException {
    Objects.requireNonNull(env, "env");
    Map<String, Object> claims = TokenSource.claims(token);
    try {
      return SlsaProvenance.fromGitHubActionsToken(env, claims);
    } catch (IllegalArgumentException e) {
      throw new KeylessSigningException(SIGNING, "cannot describe the GitHub Actions run: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code bundle}'s Fulcio certificate and {@code provenance} name the same run: the
   * certificate's source repository URI ({@code 1.3.6.1.4.1.57264.1.12}) equals {@code
   * externalParameters.workflow.repository}, its source repository ref ({@code .1.14}) equals
   * {@code workflow.ref}, and its build signer URI ({@code .1.9}) equals {@code
   * runDetails.builder.id}. Call it after signing and before attaching.
   *
   * @throws KeylessSigningException at step {@code SIGNING} naming both values of the first
   *     disagreement, or if the bundle has no Fulcio certificate or the provenance no GitHub
   *     Actions workflow
   * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OIDs</a>
   */
  public static void checkProvenance(SigstoreBundle bundle, SlsaProvenance provenance)
      throws KeylessSigningException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(provenance, "provenance");
    byte[] leaf = bundle.verificationMaterial().leafCertificate().orElseThrow(() ->
        new KeylessSigningException(SIGNING, "the bundle has no certificate: not a keyless signature"));
    Map<String, String> ext;
    try {
      ext = KeylessBundleVerifier.identityOf(leaf).extensions();
    } catch (InvalidContentException e) {
      throw new KeylessSigningException(SIGNING, "the bundle's certificate: " + e.getMessage(), e);
    }
    SlsaProvenance.GitHubWorkflow w = provenance.gitHubWorkflow().orElseThrow(() ->
        new KeylessSigningException(SIGNING, "the provenance has no GitHub Actions workflow (buildType '"
            + provenance.buildType() + "')"));
    agree(ext, FulcioOids.SOURCE_REPOSITORY_URI, "source repository URI", w.repository(),
        "externalParameters.workflow.repository");
    agree(ext, FulcioOids.SOURCE_REPOSITORY_REF, "source repository ref", w.ref(), "externalParameters.workflow.ref");
    agree(ext, FulcioOids.BUILD_SIGNER_URI, "build signer URI", provenance.builderId(), "runDetails.builder.id");
  }

  private static void agree(Map<String, String> ext, String oid, String name, String provenanceValue, String field)
      throws KeylessSigningException {
    String cert = ext.get(oid);
    if (!provenanceValue.equals(cert)) {
      throw new KeylessSigningException(SIGNING, "the certificate and the provenance disagree: certificate " + name
          + " (" + oid + ") is " + (cert == null ? "absent" : "'" + cert + "'") + " but provenance " + field + " is '"
          + provenanceValue + "'");
    }
  }

  /** Settings of a {@link KeylessSigner}. */
  public static final class Builder {
    private @Nullable String fulcio;
    private @Nullable String rekor;
    private @Nullable Path signingConfig;
    private @Nullable TokenSource tokens;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Sigstore's public-good Fulcio and Rekor. */
    public Builder sigstorePublicGood() {
      this.fulcio = PUBLIC_GOOD_FULCIO;
      this.rekor = PUBLIC_GOOD_REKOR;
      this.signingConfig = null;
      return this;
    }

    /**
     * The Fulcio and Rekor (v1) URLs of a Sigstore {@code signing_config} JSON file (media type
     * {@code application/vnd.dev.sigstore.signingconfig.v0.2+json}), read at {@link #build()}.
     *
     * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">SigningConfig</a>
     */
    public Builder signingConfig(Path file) {
      this.signingConfig = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The Fulcio base URL, e.g. {@code https://fulcio.example.com}. */
    public Builder fulcio(String url) {
      this.fulcio = Objects.requireNonNull(url, "url");
      this.signingConfig = null;
      return this;
    }

    /** The Rekor (v1 API) base URL. */
    public Builder rekor(String url) {
      this.rekor = Objects.requireNonNull(url, "url");
      this.signingConfig = null;
      return this;
    }

    /** Where the OIDC identity token comes from. */
    public Builder tokenSource(TokenSource tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** The time limit of each HTTP call (connect to end of body); 30 seconds by default. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The signer.
     *
     * @throws KeylessSigningException if the signing config cannot be read or an endpoint or the
     *     token source is missing
     */
    public KeylessSigner build() throws KeylessSigningException {
      String f = fulcio;
      String r = rekor;
      if (signingConfig != null) {
        String[] urls = readSigningConfig(signingConfig, Instant.now());
        f = urls[0];
        r = urls[1];
      }
      if (f == null || r == null) {
        throw new KeylessSigningException(SIGNING, "no Fulcio and Rekor endpoints: set signingConfig(...),"
            + " sigstorePublicGood() or fulcio(...) and rekor(...)");
      }
      if (tokens == null) {
        throw new KeylessSigningException(SIGNING, "no token source: set tokenSource(...)");
      }
      OkHttpClient http = new OkHttpClient.Builder()
          .callTimeout(timeout)
          .connectTimeout(timeout)
          .readTimeout(timeout)
          .retryOnConnectionFailure(false)
          .followRedirects(false)
          .build();
      return new KeylessSigner(new KeylessSigning(http, url(f, "Fulcio"), url(r, "Rekor"), tokens));
    }

    private static HttpUrl url(String s, String what) throws KeylessSigningException {
      HttpUrl u = HttpUrl.parse(s);
      if (u == null) {
        throw new KeylessSigningException(SIGNING, what + " URL '" + s + "' is not an http(s) URL");
      }
      return u;
    }
  }

  /** The first valid Fulcio and Rekor v1 URLs of a signing config. */
  static String[] readSigningConfig(Path file, Instant now) throws KeylessSigningException {
    try {
      if (Files.size(file) > MAX_SIGNING_CONFIG_BYTES) {
        throw new KeylessSigningException(SIGNING, "signing config " + file + " is larger than "
            + MAX_SIGNING_CONFIG_BYTES + " bytes");
      }
      JsonNode n = Json.read(Files.readAllBytes(file));
      String mediaType = n.path("mediaType").asText();
      if (!mediaType.startsWith("application/vnd.dev.sigstore.signingconfig.")) {
        throw new KeylessSigningException(SIGNING, "signing config " + file + " has media type '" + mediaType
            + "', expected application/vnd.dev.sigstore.signingconfig.v0.2+json");
      }
      String ca = pick(n.path("caUrls"), now, file, "caUrls (Fulcio)");
      String tlog = pick(n.path("rekorTlogUrls"), now, file, "rekorTlogUrls (Rekor v1)");
      return new String[] {ca, tlog};
    } catch (IOException e) {
      throw new KeylessSigningException(SIGNING, "cannot read signing config " + file + ": " + e.getMessage(), e);
    }
  }

  private static String pick(JsonNode services, Instant now, Path file, String what) throws KeylessSigningException {
    if (services.isArray()) {
      for (JsonNode s : services) {
        if (s.path("majorApiVersion").asInt() != 1 || !s.path("url").isTextual()) {
          continue;
        }
        try {
          JsonNode valid = s.path("validFor");
          String start = valid.path("start").asText("");
          String end = valid.path("end").asText("");
          if ((!start.isEmpty() && now.isBefore(Instant.parse(start)))
              || (!end.isEmpty() && !now.isBefore(Instant.parse(end)))) {
            continue;
          }
        } catch (DateTimeParseException e) {
          throw new KeylessSigningException(SIGNING, "signing config " + file + " has a bad validFor time: "
              + e.getMessage(), e);
        }
        return s.path("url").asText();
      }
    }
    throw new KeylessSigningException(SIGNING, "signing config " + file + " has no currently valid " + what
        + " service with major API version 1");
  }
}
