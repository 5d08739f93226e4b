package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.Signer;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.registry.Signatures;
import dev.attest.verify.KeylessSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest sign REF (--key KEY [--recursive] | keyless)}. */
@Command(
    name = "sign",
    header = "Sign an image with a key, as cosign sign does.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Sign an image with a key, as 'cosign sign --new-bundle-format' does: a Sigstore bundle v0.3"
          + " holding a DSSE envelope of the statement https://sigstore.dev/cosign/sign/v1 about the"
          + " image digest, pushed as an OCI 1.1 referrer of it (and the sha256-<hex> fallback index"
          + " on registries without the referrers API).",
      "Without --key the signature is keyless (Fulcio certificate, Rekor dsse entry), with the"
          + " services of --signing-config (default: Sigstore's public-good instance), as sign-blob.",
      "A tag is resolved to its digest first; the signature is about the digest."
    })
final class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image: registry/repository[:tag][@digest].")
  String reference;

  @Option(names = "--key", paramLabel = "KEY", description = "The private key: PKCS#8 or EC PEM (attest.key). Without it, the signature is keyless.")
  @Nullable Path key;

  @Mixin KeylessOptions keyless;

  @Option(names = "--recursive", description = "For an index, also sign each platform manifest it lists (with --key).")
  boolean recursive;

  @Override
  public Integer call() throws IOException, AttestException {
    Target ref = Target.parse(reference);
    if (key != null && keyless.given()) {
      throw new UsageException("--key and the keyless options (--signing-config, --identity-token-file,"
          + " --identity-token-env, --trusted-root) are mutually exclusive");
    }
    if (key == null && recursive) {
      throw new UsageException("--recursive needs --key: keyless signing signs one digest");
    }
    Signer signer = key == null ? null : Inputs.signer(key);
    KeylessSigner keylessSigner = key == null ? keyless.signer(System.getenv()) : null;
    try (Registry registry = ref.open(registryOptions, false)) {
      String repo = ref.repositoryIn("image");
      Digest digest = ref.digestIn(registry, repo);
      AttachResult result;
      if (signer != null) {
        Signatures s = Signatures.on(registry, repo, digest).signWith(signer);
        if (recursive) {
          s.recursive();
        }
        result = s.attach();
      } else {
        // Signed (certificate and log entry) before anything is pushed.
        byte[] bundle = keylessSigner.signDsse(Attestations.imageSignatureStatement(digest)).bytes();
        result = Attestations.on(registry, repo, digest).bundle(bundle).attach();
      }
      Attached.print(spec.commandLine().getOut(), output.json(), ref.name(repo), digest, result);
    }
    return 0;
  }
}
