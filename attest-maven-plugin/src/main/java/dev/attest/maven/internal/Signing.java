package dev.attest.maven.internal;

import dev.attest.core.AttestException;
import dev.attest.core.BoundedReads;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.Predicate;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.core.TooLargeException;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.registry.Signatures;
import dev.attest.verify.KeylessSigner;
import dev.attest.verify.TokenSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Who signs: a private key from a file or an environment variable, or keyless through the GitHub
 * Actions OIDC token (Fulcio certificate, Rekor entry) when the job may request one.
 *
 * @see <a href="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect">GitHub Actions OIDC</a>
 */
public final class Signing {
  /** The variable GitHub Actions sets only when the job has {@code permissions: id-token: write}. */
  public static final String ID_TOKEN_REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL";
  static final int MAX_KEY_BYTES = 64 * 1024;

  private final @Nullable Signer key;
  private final @Nullable KeylessSigner keyless;
  private final @Nullable String token;
  private final String description;

  private Signing(@Nullable Signer key, @Nullable KeylessSigner keyless, @Nullable String token, String description) {
    this.key = key;
    this.keyless = keyless;
    this.token = token;
    this.description = description;
  }

  /** How a build asked to sign. */
  public record Options(
      @Nullable Path keyFile,
      @Nullable String keyEnvironmentVariable,
      @Nullable Boolean keyless,
      @Nullable Path signingConfig,
      @Nullable String fulcioUrl,
      @Nullable String rekorUrl) {}

  /**
   * What {@link #configure} would choose, without reading a key or fetching a token: for {@code
   * attest:plan}.
   */
  public static String describe(Options o, Map<String, String> env) {
    if (o.keyFile() != null) {
      return "private key file " + o.keyFile();
    }
    if (o.keyEnvironmentVariable() != null && present(env.get(o.keyEnvironmentVariable()))) {
      return "private key from environment variable " + o.keyEnvironmentVariable();
    }
    if (Boolean.TRUE.equals(o.keyless()) || (o.keyless() == null && present(env.get(ID_TOKEN_REQUEST_URL)))) {
      return "keyless (GitHub Actions OIDC token, " + (o.signingConfig() != null ? "signing config " + o.signingConfig()
          : o.fulcioUrl() != null ? o.fulcioUrl() + " and " + o.rekorUrl() : "Sigstore public good") + ")";
    }
    return "nobody: no key file, no " + o.keyEnvironmentVariable() + ", and no OIDC token (the job lacks"
        + " 'permissions: id-token: write')";
  }

  /**
   * A key file first, then the key in the environment variable, then keyless: asked for, or by
   * default when the GitHub Actions job may request an OIDC token. Fetches that token once, so
   * that provenance and certificate name the same run.
   */
  public static Signing configure(Options o, Map<String, String> env) throws MojoExecutionException {
    if (o.keyFile() != null) {
      return new Signing(readKey(read(o.keyFile()), "private key " + o.keyFile()), null, null,
          "private key " + o.keyFile());
    }
    String var = o.keyEnvironmentVariable();
    if (var != null && present(env.get(var))) {
      return new Signing(readKey(env.get(var).strip().getBytes(StandardCharsets.UTF_8),
          "private key in environment variable " + var), null, null, "private key from $" + var);
    }
    boolean auto = o.keyless() == null && present(env.get(ID_TOKEN_REQUEST_URL));
    if (!Boolean.TRUE.equals(o.keyless()) && !auto) {
      throw new MojoExecutionException("nothing to sign with: set <key> (a PEM file), the environment variable "
          + var + " (a PEM), or sign keyless in GitHub Actions with 'permissions: id-token: write'");
    }
    try {
      String t = TokenSource.githubActions(env).token();
      KeylessSigner.Builder b = KeylessSigner.builder().tokenSource(TokenSource.of(t));
      if (o.signingConfig() != null) {
        b.signingConfig(o.signingConfig());
      } else if (o.fulcioUrl() != null || o.rekorUrl() != null) {
        if (o.fulcioUrl() == null || o.rekorUrl() == null) {
          throw new MojoExecutionException("keyless: set both fulcioUrl and rekorUrl, or neither");
        }
        b.fulcio(o.fulcioUrl()).rekor(o.rekorUrl());
      } else {
        b.sigstorePublicGood();
      }
      return new Signing(null, b.build(), t, "keyless (GitHub Actions OIDC)");
    } catch (AttestException e) {
      throw new MojoExecutionException("keyless signing: " + e.getMessage()
          + (auto ? "" : " (keyless needs a GitHub Actions job with 'permissions: id-token: write')"), e);
    }
  }

  /** The signer of the private key PEM in {@code file}. */
  public static Signer keyFile(Path file) throws MojoExecutionException {
    return readKey(read(file), "private key " + file);
  }

  /** Who signs, for the log. */
  public String description() {
    return description;
  }

  /** Whether this signs keyless. */
  public boolean isKeyless() {
    return keyless != null;
  }

  /**
   * The provenance of the GitHub Actions run: from the OIDC token's claims when keyless (so the
   * certificate and the provenance name the same run), else from the runner's environment.
   */
  public SlsaProvenance gitHubActionsProvenance(Map<String, String> env) throws AttestException {
    if (token != null) {
      return KeylessSigner.gitHubActionsProvenance(env, token);
    }
    return SlsaProvenance.fromGitHubActions(env);
  }

  /** Signs the image as cosign 3 does and attaches the signature. */
  public AttachResult signImage(Registry registry, String repository, Digest digest, boolean recursive)
      throws AttestException, MojoExecutionException {
    if (key != null) {
      Signatures s = Signatures.on(registry, repository, digest).signWith(key);
      if (recursive) {
        s.recursive();
      }
      return s.attach();
    }
    if (recursive) {
      throw new MojoExecutionException("recursive keyless signing is not supported: sign each platform digest");
    }
    Statement st = Statement.of(List.of(Subject.of(repository, digest)), Attestations.COSIGN_SIGN_PREDICATE_TYPE,
        "{}".getBytes(StandardCharsets.UTF_8));
    return Attestations.on(registry, repository, digest).bundle(keylessSigner().signDsse(st).bytes()).attach();
  }

  /**
   * Signs and attaches {@code predicates}. Keyless, a provenance is checked against the
   * certificate that signed it before anything is pushed.
   */
  public AttachResult attest(Registry registry, String repository, Digest digest, List<Predicate> predicates,
      boolean recursive) throws AttestException, MojoExecutionException {
    Attestations a = Attestations.on(registry, repository, digest);
    if (key != null) {
      a.signWith(key);
      predicates.forEach(a::predicate);
      if (recursive) {
        a.recursive();
      }
      return a.attach();
    }
    if (recursive) {
      throw new MojoExecutionException("recursive keyless attestation is not supported: attest each platform digest");
    }
    List<byte[]> bundles = new ArrayList<>();
    for (Predicate p : predicates) {
      SigstoreBundle b = keylessSigner().signDsse(Statement.of(List.of(Subject.of(repository, digest)), p));
      if (p instanceof SlsaProvenance slsa) {
        KeylessSigner.checkProvenance(b, slsa);
      }
      bundles.add(b.bytes());
    }
    bundles.forEach(a::bundle);
    return a.attach();
  }

  private KeylessSigner keylessSigner() {
    if (keyless == null) {
      throw new IllegalStateException("not keyless");
    }
    return keyless;
  }

  private static Signer readKey(byte[] pem, String what) throws MojoExecutionException {
    try {
      return Keys.signer(Keys.readPrivateKeyPem(pem));
    } catch (AttestException e) {
      throw new MojoExecutionException(what + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) throws MojoExecutionException {
    try {
      return BoundedReads.readFile(file, MAX_KEY_BYTES, "private key " + file);
    } catch (TooLargeException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot read private key " + file + ": " + e, e);
    }
  }

  private static boolean present(@Nullable String s) {
    return s != null && !s.isBlank();
  }
}
