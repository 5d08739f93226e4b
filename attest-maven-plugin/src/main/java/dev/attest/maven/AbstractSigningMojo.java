package dev.attest.maven;

import dev.attest.maven.internal.Signing;
import java.io.File;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * The signing parameters of {@code attest:sign} and {@code attest:attest}: a private key file, else
 * a PEM in an environment variable, else keyless (Fulcio and Rekor) with the GitHub Actions OIDC
 * token, chosen by default when the job has {@code permissions: id-token: write}.
 *
 * @see <a href="https://docs.sigstore.dev/cosign/signing/overview/">Sigstore keyless signing</a>
 */
public abstract class AbstractSigningMojo extends AbstractAttestMojo {

  /** A PKCS#8 or EC private key, PEM (as {@code attest keys generate} writes {@code attest.key}). */
  @Parameter(property = "attest.key")
  protected @Nullable File key;

  /** The environment variable holding a private key PEM, read when no key file is given. */
  @Parameter(property = "attest.keyEnvironmentVariable", defaultValue = "ATTEST_PRIVATE_KEY")
  protected String keyEnvironmentVariable;

  /**
   * Keyless signing through the GitHub Actions OIDC token: {@code true} demands it, {@code false}
   * forbids it; unset, it is used when no key is given and the job may request a token.
   */
  @Parameter(property = "attest.keyless")
  protected @Nullable Boolean keyless;

  /** A Sigstore {@code signing_config.json} naming Fulcio and Rekor, for keyless signing. */
  @Parameter(property = "attest.signingConfig")
  protected @Nullable File signingConfig;

  /** Fulcio's URL for keyless signing (with {@code rekorUrl}); Sigstore's public good by default. */
  @Parameter(property = "attest.fulcioUrl")
  protected @Nullable String fulcioUrl;

  /** Rekor's URL for keyless signing (with {@code fulcioUrl}). */
  @Parameter(property = "attest.rekorUrl")
  protected @Nullable String rekorUrl;

  /** For an image index, also sign or attest every platform manifest it lists. */
  @Parameter(property = "attest.recursive", defaultValue = "false")
  protected boolean recursive;

  Signing.Options signingOptions() {
    return new Signing.Options(key == null ? null : key.toPath(), keyEnvironmentVariable, keyless,
        signingConfig == null ? null : signingConfig.toPath(), fulcioUrl, rekorUrl);
  }

  Signing signing() throws MojoExecutionException {
    Signing s = Signing.configure(signingOptions(), System.getenv());
    getLog().info("Signing with " + s.description());
    return s;
  }
}
