package dev.attest.maven;

import dev.attest.core.AttestException;
import dev.attest.core.ImageRef;
import dev.attest.core.Signer;
import dev.attest.maven.internal.Printing;
import dev.attest.maven.internal.RegistryAccess;
import dev.attest.maven.internal.Signing;
import dev.attest.promote.Promotion;
import dev.attest.promote.PromotionDeniedException;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.PromotionReport;
import dev.attest.promote.TagConflictException;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest:promote}: copies the image digest with every referrer (signatures, attestations,
 * and theirs) byte for byte to another repository, gated by the policy at the source and verified
 * again at the destination before any tag is written. Re-running a completed promotion writes
 * nothing. With {@code -Dattest.plan} it prints the plan and writes nothing.
 *
 * @see <a href="https://github.com/attest-dev/attest/blob/main/docs/specs/promotion-pipeline.md">promotion pipeline</a>
 */
@Mojo(name = "promote", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PromoteMojo extends AbstractAttestMojo {

  /** The destination repository: {@code registry/repository} (a {@code :tag} is added to the tags). */
  @Parameter(property = "attest.to", required = true)
  protected @Nullable String to;

  /** Tags to point at the digest at the destination, after it verifies there. */
  @Parameter(property = "attest.tags")
  protected List<String> tags = new ArrayList<>();

  /** The policy the image must pass at the source (the gate) and at the destination. */
  @Parameter(property = "attest.policy", required = true)
  protected @Nullable File policy;

  /** Print the plan only: nothing is written and the gate does not run. */
  @Parameter(property = "attest.plan", defaultValue = "false")
  protected boolean plan;

  /** Sign a promotion attestation with this private key and attach it at the destination. */
  @Parameter(property = "attest.promotionKey")
  protected @Nullable File promotionKey;

  /** Skips this goal. */
  @Parameter(property = "attest.promote.skip", defaultValue = "false")
  protected boolean skipPromote;

  @Override
  String goal() {
    return "promote";
  }

  @Override
  boolean skipGoal() {
    return skipPromote;
  }

  @Override
  void run() throws MojoExecutionException, MojoFailureException, AttestException, IOException {
    if (to == null || to.isBlank()) {
      throw new MojoExecutionException("no destination: set <to> or -Dattest.to=registry/repository");
    }
    ImageRef dest;
    try {
      dest = ImageRef.parse(to.strip());
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("<to> '" + to + "': " + e.getMessage(), e);
    }
    if (dest.digest() != null) {
      throw new MojoExecutionException("<to> names a repository, not a digest: " + to);
    }
    List<String> allTags = new ArrayList<>(tags);
    if (dest.tag() != null && to.strip().endsWith(":" + dest.tag()) && !allTags.contains(dest.tag())) {
      allTags.add(dest.tag());
    }
    Policy p = loadPolicy(policy);
    Signer signer = promotionKey == null ? null : Signing.keyFile(promotionKey.toPath());
    try (RegistryAccess access = registries();
        PolicyVerifier verifier = PolicyVerifier.builder(p).registries(access::openUnchecked).build()) {
      Registry from = access.open(target().ref().registry());
      Registry dst = access.open(dest.registry());
      ImageRef source = targetByDigest(from);
      Promotion promotion = Promotion.of(source.name() + "@" + source.digest()).from(from).to(dst, dest.repository())
          .tags(allTags.toArray(String[]::new)).gate(p, verifier).verifyAfter();
      if (signer != null) {
        promotion.attestWith(signer);
      }
      PromotionPlan pl = promotion.plan();
      Printing.lines(getLog(), pl.toTable(), false);
      write("promotion-plan.txt", pl.toTable().getBytes(StandardCharsets.UTF_8));
      if (plan) {
        getLog().info("Plan only (attest.plan): nothing written");
        return;
      }
      PromotionReport report;
      try {
        report = promotion.execute();
      } catch (PromotionDeniedException e) {
        section("gate at the source", e.report().gate());
        section("verification at the destination", e.report().after());
        throw new MojoFailureException("attest:promote: NOT PROMOTED: " + e.getMessage());
      } catch (TagConflictException e) {
        throw new MojoFailureException("attest:promote: " + e.getMessage());
      }
      section("gate at the source", report.gate());
      section("verification at the destination", report.after());
      if (!report.admitted()) {
        throw new MojoFailureException("attest:promote: " + source.digest() + " is not admitted at " + to);
      }
      String line = "Promoted " + source.name() + "@" + source.digest() + " to " + dest.registry() + "/"
          + dest.repository() + "@" + source.digest() + ": " + report.writes() + " writes ("
          + report.blobsCopied() + " blobs copied, " + report.blobsMounted() + " mounted, " + report.bytesCopied()
          + " bytes; " + report.manifestsWritten() + " manifests; " + report.referrerIndexUpdates()
          + " referrer index updates; " + report.tagsWritten() + " tags)";
      getLog().info(line);
      write("promotion-report.txt", (line + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  private void section(String title, @Nullable VerificationReport r) {
    if (r != null) {
      getLog().info("== " + title + ": " + r.decision());
      Printing.lines(getLog(), r.toTable(), !r.admitted());
    }
  }
}
