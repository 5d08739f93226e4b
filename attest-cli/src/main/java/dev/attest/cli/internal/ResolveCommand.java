package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageRef;
import dev.attest.registry.Registry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest resolve REF}. */
@Command(
    name = "resolve",
    header = "Resolve an image reference to its digest.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Resolve an image reference to its digest: the digest is the release, tags are labels.",
      "Anonymous access; localhost and 127.x registries are spoken to over plain HTTP."
    })
final class ResolveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "An image reference, registry/repository[:tag][@digest].")
  String reference;

  @Override
  public Integer call() throws AttestException {
    ImageRef ref = RegistryOptions.parseRef(reference);
    Descriptor d;
    try (Registry registry = registryOptions.open(ref)) {
      d = registry.resolve(ref.repository(), ref.reference());
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reference", ref.toString());
      m.put("digest", d.digest().toString());
      m.put("mediaType", d.mediaType());
      m.put("size", d.size());
      OutputOptions.printJson(out, m);
    } else {
      out.println(d.digest());
    }
    out.flush();
    return 0;
  }
}
