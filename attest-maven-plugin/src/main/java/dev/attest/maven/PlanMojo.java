package dev.attest.maven;

import dev.attest.maven.internal.ImageTarget;
import dev.attest.maven.internal.Signing;
import dev.attest.verify.Policy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest:plan}: says what {@code sign}, {@code attest}, {@code verify} and {@code promote}
 * would do with this build's configuration, offline: the image digest and where it came from, who
 * would sign, which attestations would be made from which files, the policy and its hash, the
 * destination. It reads local files only: no registry, no token, no key is touched. Written to
 * the log and to {@code target/attest/plan.txt}.
 */
@Mojo(name = "plan", threadSafe = true)
public class PlanMojo extends AbstractSigningMojo {

  /** The policy file, if any. */
  @Parameter(property = "attest.policy")
  protected @Nullable File policy;

  /** The provenance setting of {@code attest:attest}. */
  @Parameter(property = "attest.provenance", defaultValue = "auto")
  protected String provenance;

  /** The SBOM {@code attest:attest} would attest. */
  @Parameter(property = "attest.sbom", defaultValue = "${project.build.directory}/bom.json")
  protected File sbom;

  /** The vulnerability report {@code attest:attest} would attest. */
  @Parameter(property = "attest.vulnerabilityReport")
  protected @Nullable File vulnerabilityReport;

  /** The promotion destination, if any. */
  @Parameter(property = "attest.to")
  protected @Nullable String to;

  /** Promotion tags. */
  @Parameter(property = "attest.tags")
  protected List<String> tags = new ArrayList<>();

  @Override
  String goal() {
    return "plan";
  }

  @Override
  boolean skipGoal() {
    return false;
  }

  @Override
  void run() throws MojoExecutionException, IOException {
    List<String> lines = new ArrayList<>();
    ImageTarget t = target();
    lines.add("image:        " + t.ref().name() + (t.digest() == null
        ? " (tag " + t.ref().reference() + ": would be resolved at the registry; give a digest)"
        : "@" + t.digest()) + "  [from " + t.source() + "]");
    lines.add("signer:       " + Signing.describe(signingOptions(), System.getenv()));
    boolean inActions = "true".equals(System.getenv("GITHUB_ACTIONS"));
    String prov = switch (provenance) {
      case "none" -> "none";
      case "auto" -> inActions ? "SLSA v1 of this GitHub Actions run" : "none (not in GitHub Actions)";
      case "github" -> "SLSA v1 of this GitHub Actions run" + (inActions ? "" : " (NOT in GitHub Actions: would fail)");
      default -> "SLSA v1 from " + provenance;
    };
    lines.add("provenance:   " + prov);
    lines.add("sbom:         " + sbom + (sbom.isFile() ? "" : " (MISSING)"));
    lines.add("vulnerabilities: " + (vulnerabilityReport == null ? "none"
        : vulnerabilityReport + (vulnerabilityReport.isFile() ? "" : " (MISSING)")));
    if (policy != null) {
      Policy p = loadPolicy(policy);
      lines.add("policy:       " + p.name() + " (" + p.mode() + ", hash " + p.hash() + ") from " + policy);
    } else {
      lines.add("policy:       none (attest:verify and attest:promote need one)");
    }
    lines.add("promote to:   " + (to == null ? "none" : to + (tags.isEmpty() ? "" : " tags " + tags)));
    lines.add("registry access: " + (allowInsecureRegistries ? "plain HTTP allowed (insecure)" : "HTTPS (plain HTTP on"
        + " loopback only)") + (session.isOffline() ? "; Maven offline: remote registries refused" : ""));
    String text = String.join("\n", lines) + "\n";
    lines.forEach(getLog()::info);
    write("plan.txt", text.getBytes(StandardCharsets.UTF_8));
  }
}
