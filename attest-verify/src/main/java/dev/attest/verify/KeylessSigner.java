package dev.attest.verify;

import dev.attest.core.BoundedReads;
import static dev.attest.verify.KeylessSigningException.Step.SIGNING;

import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.TooLargeException;
import dev.attest.verify.internal.keyless.FulcioOids;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.internal.keyless.KeylessSigning;
import dev.attest.verify.internal.keyless.SigningConfig;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Keyless (Sigstore) signing over HTTP: for each signing, an ephemeral P-256 key, a short-lived
 * Fulcio certificate for the OIDC identity of a {@link TokenSource}, an RFC 3161 timestamp from
 * each timestamp authority, and an entry in each Rekor log (v1, or v2 with a timestamp), whose
 * inclusion proofs are verified before the v0.3 bundle is returned (ADR 0013, ADR 0028). The bundle verifies offline with
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

  private final KeylessSigning flow;

  private KeylessSigner(KeylessSigning flow) {
    this.flow = flow;
  }

  /** A builder; endpoints and a token source are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Signs {@code statement} in a DSSE envelope and logs it: in a Rekor v1 log as a {@code dsse}
   * 0.0.1 entry, in a Rekor v2 log as a {@code hashedrekord} 0.0.2 entry over the envelope's PAE.
   *
   * @throws KeylessSigningException naming the step (token, Fulcio, timestamp, Rekor) and the
   *     server's answer
   */
  public SigstoreBundle signDsse(Statement statement) throws KeylessSigningException {
    return flow.signDsse(Objects.requireNonNull(statement, "statement"));
  }

  /**
   * Signs the sha256 digest of an artifact (a message signature) and logs it as a Rekor {@code
   * hashedrekord} entry (0.0.1 in a v1 log, 0.0.2 in a v2 log).
   *
   * @throws KeylessSigningException naming the step (token, Fulcio, timestamp, Rekor) and the
   *     server's answer
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
    private final List<LogUrl> logs = new ArrayList<>();
    private final List<String> tsas = new ArrayList<>();
    private @Nullable Path signingConfig;
    private @Nullable Path trustedRoot;
    private @Nullable TokenSource tokens;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Sigstore's public-good Fulcio and Rekor (v1). */
    public Builder sigstorePublicGood() {
      this.fulcio = PUBLIC_GOOD_FULCIO;
      logs.clear();
      tsas.clear();
      logs.add(new LogUrl(PUBLIC_GOOD_REKOR, 1));
      this.signingConfig = null;
      return this;
    }

    /**
     * The services of a Sigstore {@code signing_config} v0.2 JSON file (media type {@code
     * application/vnd.dev.sigstore.signingconfig.v0.2+json}), read at {@link #build()}: the newest
     * valid Fulcio (API v1); the Rekor logs of the highest API version attest speaks (2, else 1)
     * that the {@code rekorTlogConfig} selector picks ({@code ANY}: one; {@code EXACT}: that many
     * operators, or the build fails; {@code ALL}: one per operator), each entry in the bundle; and
     * the timestamp authorities (API v1) the {@code tsaConfig} selector picks, each timestamp in
     * the bundle. A Rekor v2 log gives no signed time, so a config that selects one must offer a
     * valid timestamp authority. Services outside their {@code validFor} window are skipped.
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

    /** The Rekor (v1 API) base URL; replaces any log set before. */
    public Builder rekor(String url) {
      Objects.requireNonNull(url, "url");
      logs.clear();
      logs.add(new LogUrl(url, 1));
      this.signingConfig = null;
      return this;
    }

    /**
     * A Rekor v2 log's base URL (entries are posted to {@code /api/v2/log/entries}); replaces any
     * log set before. Needs a {@link #timestampAuthority(String)}: a v2 log gives no signed time.
     */
    public Builder rekorV2(String url) {
      Objects.requireNonNull(url, "url");
      logs.clear();
      logs.add(new LogUrl(url, 2));
      this.signingConfig = null;
      return this;
    }

    /**
     * Adds an RFC 3161 timestamp authority: its full URL, to which a DER {@code TimeStampReq} is
     * posted as {@code application/timestamp-query} (for Sigstore's TSA, {@code
     * https://timestamp.sigstore.dev/api/v1/timestamp}).
     */
    public Builder timestampAuthority(String url) {
      tsas.add(Objects.requireNonNull(url, "url"));
      this.signingConfig = null;
      return this;
    }

    /**
     * The instance's {@code trusted_root.json}: each timestamp is verified against its timestamp
     * authorities, and the finished bundle is verified against it (logs, checkpoints, SCT, chain)
     * before it is returned. Without it, each timestamp is checked against the chain it embeds
     * and each log answer for its inclusion proof only; the verifier checks the rest.
     */
    public Builder trustedRoot(Path file) {
      this.trustedRoot = Objects.requireNonNull(file, "file");
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
     * @throws KeylessSigningException if the signing config or trusted root cannot be read, an
     *     endpoint or the token source is missing, or a Rekor v2 log has no timestamp authority
     */
    public KeylessSigner build() throws KeylessSigningException {
      String f = fulcio;
      List<KeylessSigning.Log> r = new ArrayList<>();
      for (LogUrl l : logs) {
        r.add(new KeylessSigning.Log(url(l.url(), l.version() == 2 ? "Rekor v2" : "Rekor"), l.version()));
      }
      List<HttpUrl> t = new ArrayList<>();
      if (signingConfig != null) {
        Endpoints e = readSigningConfig(signingConfig, Instant.now());
        f = e.fulcio();
        r = e.logs();
        t.addAll(e.tsas());
      } else {
        for (String u : tsas) {
          t.add(url(u, "timestamp authority"));
        }
      }
      if (f == null || r.isEmpty()) {
        throw new KeylessSigningException(SIGNING, "no Fulcio and Rekor endpoints: set signingConfig(...),"
            + " sigstorePublicGood() or fulcio(...) and rekor(...)");
      }
      if (tokens == null) {
        throw new KeylessSigningException(SIGNING, "no token source: set tokenSource(...)");
      }
      TrustedRoot root = null;
      if (trustedRoot != null) {
        try {
          root = KeylessBundleVerifier.of(trustedRoot).trustedRoot();
        } catch (InvalidContentException e) {
          throw new KeylessSigningException(SIGNING, e.getMessage(), e);
        }
      }
      OkHttpClient http = new OkHttpClient.Builder()
          .callTimeout(timeout)
          .connectTimeout(timeout)
          .readTimeout(timeout)
          .retryOnConnectionFailure(false)
          .followRedirects(false)
          .build();
      try {
        return new KeylessSigner(new KeylessSigning(http, url(f, "Fulcio"), r, t, root, tokens));
      } catch (IllegalArgumentException e) {
        throw new KeylessSigningException(SIGNING, e.getMessage(), e);
      }
    }

    private record LogUrl(String url, int version) {}

    private static HttpUrl url(String s, String what) throws KeylessSigningException {
      HttpUrl u = HttpUrl.parse(s);
      if (u == null) {
        throw new KeylessSigningException(SIGNING, what + " URL '" + s + "' is not an http(s) URL");
      }
      return u;
    }
  }

  /** The Fulcio URL, the Rekor logs and the timestamp authorities a signing config selects. */
  record Endpoints(String fulcio, List<KeylessSigning.Log> logs, List<HttpUrl> tsas) {}

  /**
   * What the signing config in {@code file} selects at {@code now} (see {@link
   * Builder#signingConfig(Path)}).
   */
  static Endpoints readSigningConfig(Path file, Instant now) throws KeylessSigningException {
    byte[] json;
    try {
      json = BoundedReads.readFile(file, SigningConfig.MAX_BYTES, "signing config " + file);
    } catch (TooLargeException e) {
      throw new KeylessSigningException(SIGNING, "signing config " + file + " is larger than "
          + SigningConfig.MAX_BYTES + " bytes");
    } catch (IOException e) {
      throw new KeylessSigningException(SIGNING, "cannot read signing config " + file + ": " + e.getMessage(), e);
    }
    try {
      SigningConfig c = SigningConfig.parse(json);
      String ca = SigningConfig.selectOne(c.ca(), Set.of(1), now, "caUrls (Fulcio)").url();
      List<KeylessSigning.Log> logs = new ArrayList<>();
      for (SigningConfig.Service s : SigningConfig.select(c.rekor(), c.rekorSelector(), Set.of(1, 2), now,
          "rekorTlogUrls (Rekor)")) {
        logs.add(new KeylessSigning.Log(Builder.url(s.url(), "Rekor"), s.majorApiVersion()));
      }
      boolean v2 = logs.stream().anyMatch(l -> l.majorApiVersion() == 2);
      List<HttpUrl> tsas = new ArrayList<>();
      boolean offered = c.tsa().stream().anyMatch(s -> s.majorApiVersion() == 1 && s.validAt(now));
      if (v2 || offered) {
        if (!offered) {
          throw new IllegalArgumentException("the selected Rekor v2 log(s) give no signed time, and tsaUrls offers no"
              + " timestamp authority of API version 1 valid now");
        }
        for (SigningConfig.Service s : SigningConfig.select(c.tsa(), c.tsaSelector(), Set.of(1), now,
            "tsaUrls (timestamp authority)")) {
          tsas.add(Builder.url(s.url(), "timestamp authority"));
        }
      }
      return new Endpoints(ca, logs, tsas);
    } catch (IllegalArgumentException e) {
      throw new KeylessSigningException(SIGNING, "signing config " + file + ": " + e.getMessage(), e);
    }
  }
}
