package dev.attest.maven;

import dev.attest.verify.Policy;
import dev.attest.verify.PolicyExport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest:export-policy}: renders the policy for Kubernetes admission engines, a Kyverno
 * {@code ImageValidatingPolicy} and sigstore policy-controller {@code ClusterImagePolicy}
 * resources, as files under {@code target/attest/}. Rules an engine cannot express are listed in
 * the annotation {@code attest.dev/not-enforced}, and in the build log as warnings.
 *
 * @see <a href="https://kyverno.io/docs/policy-types/image-validating-policy/">Kyverno ImageValidatingPolicy</a>
 * @see <a href="https://docs.sigstore.dev/policy-controller/overview/">sigstore policy-controller</a>
 */
@Mojo(name = "export-policy", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true, requiresProject = false)
public class ExportPolicyMojo extends AbstractAttestMojo {

  /** The policy file (YAML or JSON). */
  @Parameter(property = "attest.policy", required = true)
  protected @Nullable File policy;

  /** The engines: {@code kyverno}, {@code policy-controller}, or both (the default). */
  @Parameter(property = "attest.engines", defaultValue = "kyverno,policy-controller")
  protected List<String> engines;

  /** Skips this goal. */
  @Parameter(property = "attest.export.skip", defaultValue = "false")
  protected boolean skipExport;

  @Override
  String goal() {
    return "export-policy";
  }

  @Override
  boolean skipGoal() {
    return skipExport;
  }

  @Override
  void run() throws MojoExecutionException, IOException {
    Policy p = loadPolicy(policy);
    for (String engine : engines) {
      String yaml = switch (engine.strip()) {
        case "kyverno" -> PolicyExport.kyverno(p);
        case "policy-controller" -> PolicyExport.policyController(p);
        default -> throw new MojoExecutionException("engines: expected kyverno or policy-controller, got '"
            + engine + "'");
      };
      Path f = write(p.name() + "." + engine.strip() + ".yaml", yaml.getBytes(StandardCharsets.UTF_8));
      getLog().info("Exported policy '" + p.name() + "' for " + engine.strip() + ": " + f);
      for (String line : yaml.split("\n")) {
        if (line.contains(PolicyExport.NOT_ENFORCED_ANNOTATION)) {
          getLog().warn(engine.strip() + " does not enforce every rule; see " + PolicyExport.NOT_ENFORCED_ANNOTATION
              + " in " + f);
          break;
        }
      }
    }
  }
}
