package dev.attest.maven;

import dev.attest.core.AttestException;
import dev.attest.core.BoundedReads;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.ImageRef;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Predicate;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.TooLargeException;
import dev.attest.core.UnsupportedContentException;
import dev.attest.core.VulnerabilityScan;
import dev.attest.maven.internal.Printing;
import dev.attest.maven.internal.RegistryAccess;
import dev.attest.maven.internal.Signing;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest:attest}: signs in-toto attestations about the image digest and attaches them as
 * OCI 1.1 referrers: SLSA v1 provenance of the GitHub Actions run (or a provenance file), the
 * CycloneDX SBOM {@code cyclonedx-maven-plugin} wrote, and a Trivy or Grype vulnerability report.
 * Every input is validated and signed before anything is pushed.
 *
 * @see <a href="https://slsa.dev/spec/v1.0/provenance">SLSA provenance v1</a>
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto Statement v1</a>
 */
@Mojo(name = "attest", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class AttestMojo extends AbstractSigningMojo {

  /** Skips this goal. */
  @Parameter(property = "attest.attest.skip", defaultValue = "false")
  protected boolean skipAttest;

  /**
   * The provenance: {@code github} (the GitHub Actions run, from the runner's environment or,
   * keyless, from the OIDC token's claims), {@code auto} (github inside GitHub Actions, else none),
   * {@code none}, or a file holding a SLSA v1 predicate.
   */
  @Parameter(property = "attest.provenance", defaultValue = "auto")
  protected String provenance;

  /** The CycloneDX JSON SBOM; {@code cyclonedx-maven-plugin}'s default output. Missing: none. */
  @Parameter(property = "attest.sbom", defaultValue = "${project.build.directory}/bom.json")
  protected File sbom;

  /** Whether a missing SBOM fails the build. */
  @Parameter(property = "attest.sbomRequired", defaultValue = "true")
  protected boolean sbomRequired;

  /**
   * A vulnerability report: a Trivy or Grype JSON report (turned into a cosign {@code vuln/v1}
   * predicate) or a cosign {@code vuln/v1} predicate. Unset: none.
   */
  @Parameter(property = "attest.vulnerabilityReport")
  protected @Nullable File vulnerabilityReport;

  @Override
  String goal() {
    return "attest";
  }

  @Override
  boolean skipGoal() {
    return skipAttest;
  }

  @Override
  void run() throws MojoExecutionException, AttestException, IOException {
    Map<String, String> env = System.getenv();
    CycloneDxSbom bom = sbomPredicate();
    VulnerabilityScan scan = vulnerabilityReport == null ? null : scan(vulnerabilityReport);
    SlsaProvenance fromFile = provenanceFile();
    Signing signing = signing();
    List<Predicate> predicates = new ArrayList<>();
    SlsaProvenance slsa = fromFile != null ? fromFile : gitHubProvenance(signing, env);
    if (slsa != null) {
      predicates.add(slsa);
    }
    if (bom != null) {
      predicates.add(bom);
    }
    if (scan != null) {
      predicates.add(scan);
    }
    if (predicates.isEmpty()) {
      throw new MojoExecutionException("nothing to attest: no provenance (outside GitHub Actions; set"
          + " <provenance>), no SBOM at " + sbom + " and no <vulnerabilityReport>");
    }
    try (RegistryAccess access = registries()) {
      Registry r = access.open(target().ref().registry());
      ImageRef ref = targetByDigest(r);
      AttachResult result;
      try {
        result = signing.attest(r, ref.repository(), ref.digest(), predicates, recursive);
      } catch (InvalidContentException | UnsupportedContentException e) {
        throw new MojoExecutionException("nothing was pushed: " + e.getMessage(), e);
      }
      Printing.attached(getLog(), ref, result);
    }
  }

  private @Nullable SlsaProvenance gitHubProvenance(Signing signing, Map<String, String> env)
      throws MojoExecutionException, AttestException {
    boolean inActions = "true".equals(env.get("GITHUB_ACTIONS"));
    if (provenance.equals("none") || (provenance.equals("auto") && !inActions)) {
      if (provenance.equals("auto")) {
        getLog().info("No provenance: not in GitHub Actions (GITHUB_ACTIONS is not 'true')");
      }
      return null;
    }
    try {
      return signing.gitHubActionsProvenance(env);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("provenance: " + e.getMessage(), e);
    }
  }

  private @Nullable SlsaProvenance provenanceFile() throws MojoExecutionException {
    if (List.of("auto", "github", "none").contains(provenance)) {
      return null;
    }
    File f = new File(provenance);
    if (!f.isAbsolute()) {
      f = new File(session.getCurrentProject().getBasedir(), provenance);
    }
    try {
      return SlsaProvenance.parse(read(f, "provenance"));
    } catch (InvalidContentException e) {
      throw new MojoExecutionException("provenance " + f + ": " + e.getMessage(), e);
    }
  }

  private @Nullable CycloneDxSbom sbomPredicate() throws MojoExecutionException {
    if (!sbom.isFile()) {
      if (sbomRequired) {
        throw new MojoExecutionException("no SBOM at " + sbom + ": run cyclonedx-maven-plugin's makeAggregateBom"
            + " or makeBom first, point <sbom> at yours, or set -Dattest.sbomRequired=false");
      }
      getLog().warn("No SBOM at " + sbom + ": none attested");
      return null;
    }
    try {
      return CycloneDxSbom.parse(read(sbom, "SBOM"));
    } catch (InvalidContentException | UnsupportedContentException e) {
      throw new MojoExecutionException("SBOM " + sbom + ": " + e.getMessage(), e);
    }
  }

  /** A Trivy or Grype report through the library's cosign builder, else a cosign vuln/v1 predicate. */
  private static VulnerabilityScan scan(File file) throws MojoExecutionException {
    try {
      return VulnerabilityScan.fromReportOrPredicate(read(file, "vulnerability report"));
    } catch (InvalidContentException e) {
      throw new MojoExecutionException("vulnerability report " + file + ": " + e.getMessage(), e);
    }
  }


  private static byte[] read(File f, String what) throws MojoExecutionException {
    try {
      if (!f.isFile()) {
        throw new MojoExecutionException(what + " not found: " + f);
      }
      return BoundedReads.readFile(f.toPath(), Attestations.MAX_PREDICATE_BYTES, what + " " + f);
    } catch (TooLargeException e) {
      throw new MojoExecutionException(what + " " + f + " is bigger than " + Attestations.MAX_PREDICATE_BYTES
          + " bytes", e);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot read " + what + " " + f + ": " + e, e);
    }
  }
}
