package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.Signer;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Registry;
import dev.attest.registry.Signatures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest sign REF --key KEY [--recursive]}. */
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
      "A tag is resolved to its digest first; the signature is about the digest."
    })
final class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image: registry/repository[:tag][@digest].")
  String reference;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The private key: PKCS#8 or EC PEM (attest.key).")
  Path key;

  @Option(names = "--recursive", description = "For an index, also sign each platform manifest it lists.")
  boolean recursive;

  @Override
  public Integer call() throws IOException, AttestException {
    Target ref = Target.parse(reference);
    Signer signer = Inputs.signer(key);
    try (Registry registry = ref.open(registryOptions, false)) {
      String repo = ref.repositoryIn(registry, "image");
      Digest digest = ref.digestIn(registry, repo);
      Signatures s = Signatures.on(registry, repo, digest).signWith(signer);
      if (recursive) {
        s.recursive();
      }
      AttachResult result = s.attach();
      Attached.print(spec.commandLine().getOut(), output.json(), ref.name(repo), digest, result);
    }
    return 0;
  }
}
