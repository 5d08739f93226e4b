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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", description = "How long the whole"
      + " verification may take, as cosign's --timeout: e.g. 30s, 2m, 500ms (default: ${DEFAULT-VALUE}). When it"
      + " runs out the decision is DENY.")
  String timeout = "60s";

  @Override
  public Integer call() throws IOException, AttestException {
    Target target = Target.parse(reference);
    Duration limit = duration(timeout);
    Policy policy = Inputs.policy(policyFile);
    if (target.isLayout()) {
      // Offline: the layout is the only registry the verifier reads.
      try (Registry layout = target.open(registryOptions, false);
          PolicyVerifier verifier = PolicyVerifier.builder(policy).timeout(limit).registry(layout).build()) {
        String repo = target.repositoryIn("image");
        return print(verifier.verify(layout, repo, target.digestIn(layout, repo).toString()));
      }
    }
    List<Registry> opened = new ArrayList<>();
    VerificationReport report;
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).timeout(limit).registries(host -> {
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

  /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1m30s}: a positive duration of at most an hour. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches() || text.isEmpty()) {
      throw new UsageException("--timeout '" + text + "' is not a duration such as 30s, 2m or 500ms");
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(1)));
    }
    if (m.group(2) != null) {
      d = d.plusSeconds(Long.parseLong(m.group(2)));
    }
    if (m.group(3) != null) {
      d = d.plusMillis(Long.parseLong(m.group(3)));
    }
    if (d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new UsageException("--timeout must be more than 0 and at most 1h, got " + text);
    }
    return d;
  }

  private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,3})m)?(?:(\\d{1,4})s)?(?:(\\d{1,7})ms)?");
}
