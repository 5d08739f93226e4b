package dev.attest.cli.internal;

import dev.attest.verify.KeylessSigner;
import dev.attest.verify.KeylessSigningException;
import dev.attest.verify.TokenSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Keyless signing on the command line: where the Sigstore services are ({@code --signing-config},
 * default Sigstore's public-good instance) and where the OIDC identity token comes from.
 */
final class KeylessOptions {
  @Option(names = "--signing-config", paramLabel = "JSON", description = "Keyless: a Sigstore signing_config v0.2"
      + " JSON (application/vnd.dev.sigstore.signingconfig.v0.2+json) naming the Fulcio, Rekor and timestamp"
      + " authority services; the newest valid Fulcio, the Rekor log(s) of the highest API version attest speaks"
      + " (v2, else v1) that its rekorTlogConfig selector (ANY, EXACT, ALL) picks, and the timestamp authorities"
      + " its tsaConfig selector picks are used (a Rekor v2 log needs one). Default: Sigstore's public-good Fulcio"
      + " and Rekor v1.")
  @Nullable Path signingConfig;

  @Option(names = "--trusted-root", paramLabel = "JSON", description = "Keyless: the instance's trusted_root.json;"
      + " each timestamp and the finished bundle are verified against it before anything is written or pushed.")
  @Nullable Path trustedRoot;

  @Option(names = "--identity-token-file", paramLabel = "FILE", description = "Keyless: read the OIDC identity token"
      + " (a JWT) from FILE. Default: GitHub Actions' token for audience sigstore (needs 'permissions: id-token:"
      + " write').")
  @Nullable Path tokenFile;

  @Option(names = "--identity-token-env", paramLabel = "VAR", description = "Keyless: read the OIDC identity token"
      + " from environment variable VAR.")
  @Nullable String tokenEnv;

  /** Whether any keyless option was given. */
  boolean given() {
    return signingConfig != null || tokenFile != null || tokenEnv != null || trustedRoot != null;
  }

  /** The signer these options describe; a missing input or a bad signing config is a usage error. */
  KeylessSigner signer(Map<String, String> env) {
    if (tokenFile != null && tokenEnv != null) {
      throw new UsageException("--identity-token-file and --identity-token-env are mutually exclusive");
    }
    TokenSource tokens;
    if (tokenFile != null) {
      if (!Files.isRegularFile(tokenFile)) {
        throw new UsageException("identity token file not found: " + tokenFile);
      }
      tokens = TokenSource.file(tokenFile);
    } else if (tokenEnv != null) {
      if (env.get(tokenEnv) == null) {
        throw new UsageException("environment variable " + tokenEnv + " (--identity-token-env) is not set");
      }
      tokens = TokenSource.environment(tokenEnv);
    } else if (env.containsKey("ACTIONS_ID_TOKEN_REQUEST_URL")) {
      tokens = TokenSource.githubActions(env);
    } else {
      throw new UsageException("keyless signing needs an OIDC identity token: run in GitHub Actions with"
          + " 'permissions: id-token: write', or give --identity-token-file or --identity-token-env"
          + " (or sign with --key)");
    }
    KeylessSigner.Builder b = KeylessSigner.builder().tokenSource(tokens);
    if (signingConfig != null) {
      if (!Files.isRegularFile(signingConfig)) {
        throw new UsageException("signing config not found: " + signingConfig);
      }
      b.signingConfig(signingConfig);
    } else {
      b.sigstorePublicGood();
    }
    if (trustedRoot != null) {
      if (!Files.isRegularFile(trustedRoot)) {
        throw new UsageException("trusted root not found: " + trustedRoot);
      }
      b.trustedRoot(trustedRoot);
    }
    try {
      return b.build();
    } catch (KeylessSigningException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }
}
