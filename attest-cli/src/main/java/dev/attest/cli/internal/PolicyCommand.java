package dev.attest.cli.internal;

import dev.attest.verify.Policy;
import dev.attest.verify.PolicyException;
import dev.attest.verify.PolicyExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest policy export}. */
@Command(
    name = "policy",
    header = "Work with attest policy files.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "Work with attest policy files (docs/specs/policy-format.md).",
    subcommands = PolicyCommand.Export.class)
final class PolicyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: export");
  }

  enum Target {
    kyverno,
    policy_controller;

    @Override
    public String toString() {
      return name().replace('_', '-');
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      versionProvider = AttestCommand.Version.class,
      description = {
        "Render a policy for a Kubernetes admission engine and print it as YAML:",
        "  kyverno            a Kyverno ImageValidatingPolicy (policies.kyverno.io/v1)",
        "  policy-controller  sigstore policy-controller ClusterImagePolicy resources",
        "Rules the engine does not enforce are listed on stderr (and in the annotation attest.dev/not-enforced);"
            + " with --strict any such rule makes the export fail (exit 1) and nothing is printed.",
        "Where the engine is stricter than attest, or needs something from the cluster, a note says so"
            + " (stderr and attest.dev/notes)."
      })
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy file (YAML or JSON).")
    Path policy;

    @Option(names = "--to", required = true, paramLabel = "ENGINE", converter = TargetConverter.class, description = "kyverno or policy-controller.")
    Target to;

    @Option(names = "--strict", description = "Fail (exit 1, no output) when the engine cannot enforce every rule.")
    boolean strict;

    @Override
    public Integer call() throws PolicyException {
      Policy p = Policy.load(policy);
      PolicyExport.Export e;
      try {
        e = to == Target.kyverno ? PolicyExport.toKyverno(p) : PolicyExport.toPolicyController(p);
      } catch (IllegalArgumentException ex) {
        throw new UsageException("cannot export " + policy + ": " + ex.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      for (String d : e.dropped()) {
        err.println("not enforced by " + to + ": " + d);
      }
      for (String n : e.notes()) {
        err.println("note: " + n);
      }
      err.flush();
      if (strict && !e.dropped().isEmpty()) {
        err.println("error: " + e.dropped().size() + " rule(s) of policy " + p.name() + " cannot be enforced by " + to
            + " (--strict)");
        err.flush();
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(e.yaml());
      out.flush();
      return 0;
    }
  }

  static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
    @Override
    public Target convert(String value) {
      return switch (value) {
        case "kyverno" -> Target.kyverno;
        case "policy-controller" -> Target.policy_controller;
        default -> throw new CommandLine.TypeConversionException(
            "expected kyverno or policy-controller, got '" + value + "'");
      };
    }
  }
}
