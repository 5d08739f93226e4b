package dev.attest.cli.internal;

import dev.attest.cli.Main;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code attest demo}. */
@Command(
    name = "demo",
    header = "Run attested delivery end to end on embedded registries.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Run attested delivery end to end, in-process, with nothing to set up.",
      "Steps:",
      "  1. start two embedded registries, dev and prod, on 127.0.0.1;",
      "  2. build a 2-platform image from generated layers and push it to dev with the registry client;",
      "  3. create SLSA v1 provenance (from an EXAMPLE GitHub Actions run), a CycloneDX SBOM of attest's",
      "     own runtime dependencies and a vulnerability scan (from a bundled EXAMPLE Trivy report);",
      "  4. generate a key and sign each into a DSSE envelope in a Sigstore bundle, and check them;",
      "  5. load the demo policy, which trusts that key;",
      "  6. attach the attestations and image signatures as referrers (recursive: index and platforms);",
      "  7. verify the release at dev with the policy and print the report;",
      "  8. promote it to prod, gated by the policy and verified after, printing plan, progress, report;",
      "  9. show the referrer tree at prod;",
      " 10. admission: a Pod with the promoted digest is allowed; Pods with an image whose SBOM",
      "     referrer was removed, or whose provenance has one byte changed, are denied with the reason.",
      "Prints one line per step (about a screen); --verbose prints everything each step did: the",
      "manifests, signed bundles, verification report, promotion plan, progress and report, the",
      "referrer tree and the full admission reasons, then a timing summary.",
      "Exits 0 only if every step's expected outcome happened."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = {"-v", "--verbose"}, description = "Print everything each step did, not one line per step.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter story = output.json() ? new PrintWriter(Writer.nullWriter()) : out;
    List<Demo.Outcome> outcomes;
    int planned;
    try (Demo demo = new Demo()) {
      planned = demo.steps().size();
      story.println("attest demo: attested delivery on two embedded registries"
          + (verbose ? "" : " (--verbose for every detail)"));
      outcomes = demo.run(story, verbose);
    }
    boolean ok = outcomes.size() == planned && outcomes.stream().allMatch(Demo.Outcome::ok);
    long total = outcomes.stream().mapToLong(Demo.Outcome::millis).sum();
    if (output.json()) {
      List<Object> steps = new ArrayList<>();
      for (Demo.Outcome o : outcomes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", o.name());
        m.put("ok", o.ok());
        m.put("millis", o.millis());
        m.put("detail", o.detail());
        steps.add(m);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", ok);
      m.put("millis", total);
      m.put("steps", steps);
      OutputOptions.printJson(out, m);
    } else if (!verbose) {
      out.printf("%-93s %6d ms%n", "    total", total);
      out.println(ok ? "Demo OK: every step did what it should." : "Demo FAILED.");
    } else {
      out.println();
      out.println("== Summary");
      for (Demo.Outcome o : outcomes) {
        out.printf("   %-4s %-22s %6d ms  %s%n", o.ok() ? "ok" : "FAIL", o.name(), o.millis(), o.detail());
      }
      out.printf("   %-27s %6d ms%n", "total", total);
      out.println(ok ? "Demo OK: every step did what it should." : "Demo FAILED.");
    }
    out.flush();
    return ok ? Main.OK : Main.INVALID;
  }
}
