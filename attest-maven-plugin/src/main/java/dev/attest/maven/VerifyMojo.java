package dev.attest.maven;

import dev.attest.core.ImageRef;
import dev.attest.maven.internal.Printing;
import dev.attest.maven.internal.RegistryAccess;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest:verify}: verifies the image digest against a policy, deny by default, and fails
 * the build unless the image is admitted. The report (every check and its reason) goes to the log
 * and to {@code target/attest/verify-report.txt} and {@code .json}.
 *
 * @see <a href="https://github.com/attest-dev/attest/blob/main/docs/specs/policy-format.md">attest policy format</a>
 */
@Mojo(name = "verify", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class VerifyMojo extends AbstractAttestMojo {

  /** The policy file (YAML or JSON). */
  @Parameter(property = "attest.policy", required = true)
  protected @Nullable File policy;

  /** Skips this goal. */
  @Parameter(property = "attest.verify.skip", defaultValue = "false")
  protected boolean skipVerify;

  /** The report files' name, without extension, under the output directory. */
  @Parameter(property = "attest.verify.report", defaultValue = "verify-report")
  protected String reportName;

  @Override
  String goal() {
    return "verify";
  }

  @Override
  boolean skipGoal() {
    return skipVerify;
  }

  @Override
  void run() throws MojoExecutionException, MojoFailureException, IOException {
    Policy p = loadPolicy(policy);
    ImageRef t = target().ref();
    String reference = target().digest() == null ? t.toString() : t.name() + "@" + target().digest();
    VerificationReport report;
    try (RegistryAccess access = registries();
        PolicyVerifier verifier = PolicyVerifier.builder(p).registries(access::openUnchecked).build()) {
      report = verifier.verify(reference);
    }
    Path txt = write(reportName + ".txt", report.toTable().getBytes(StandardCharsets.UTF_8));
    write(reportName + ".json", report.toJson());
    Printing.lines(getLog(), report.toTable(), !report.admitted());
    if (!report.admitted()) {
      throw new MojoFailureException("attest:verify: " + reference + " is DENIED by policy '" + p.name() + "': "
          + report.failures().stream().map(c -> c.name() + ": " + c.reason()).toList() + " (report: " + txt + ")");
    }
    getLog().info(report.decision() + ": " + reference + " (policy '" + p.name() + "'; report: " + txt + ")");
  }
}
