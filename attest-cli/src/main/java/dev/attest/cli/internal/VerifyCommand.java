package dev.attest.cli.internal;

import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest verify REF --policy FILE}. */
@Command(
    name = "verify",
    header = "Verify an image against a policy.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Verify an image against a policy (docs/specs/policy-format.md) and print the report: the"
          + " decision and every check with its reason.",
      "The image signature and attestations are found through the referrers API, the sha256-<hex>"
          + " fallback tag and cosign's legacy .sig/.att tags. Verification fails closed: a missing,"
          + " unreadable or tampered referrer, or an unreachable registry, is a deny with its reason.",
      "Exits 0 on ALLOW (and WARN, for a policy in warn mode), 1 on DENY."
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image: registry/repository@sha256:... (a tag only if the policy allows it), or an OCI layout, verified offline: oci:DIR[:TAG|@DIGEST|:REPO:TAG|:REPO@DIGEST].")
  String reference;

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy YAML file.")
  Path policyFile;

  @Override
  public Integer call() throws IOException, AttestException {
    Target target = Target.parse(reference);
    Policy policy = Inputs.policy(policyFile);
    if (target.isLayout()) {
      // Offline: the layout is the only registry the verifier reads.
      try (Registry layout = target.open(registryOptions, false);
          PolicyVerifier verifier = PolicyVerifier.builder(policy).timeout(PromoteCommand.VERIFY_TIMEOUT)
              .registry(layout).build()) {
        String repo = target.repositoryIn(layout, "image");
        return print(verifier.verify(layout, repo, target.digestIn(layout, repo).toString()));
      }
    }
    List<Registry> opened = new ArrayList<>();
    VerificationReport report;
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).timeout(PromoteCommand.VERIFY_TIMEOUT).registries(host -> {
          Registry r = registryOptions.open(host);
          synchronized (opened) {
            opened.add(r);
          }
          return r;
        }).build()) {
      report = verifier.verify(reference);
    } finally {
      synchronized (opened) {
        opened.forEach(Registry::close);
      }
    }
    return print(report);
  }

  private int print(VerificationReport report) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(new String(report.toJson(), StandardCharsets.UTF_8));
    } else {
      out.print(report.toTable());
    }
    out.flush();
    return report.admitted() ? Main.OK : Main.INVALID;
  }
}
