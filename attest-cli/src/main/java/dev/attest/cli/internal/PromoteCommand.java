package dev.attest.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.promote.Promotion;
import dev.attest.promote.PromotionDeniedException;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.PromotionReport;
import dev.attest.promote.TagConflictException;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest promote REF --to REPO [--tag T] --policy FILE [--plan] [--key KEY]}. */
@Command(
    name = "promote",
    header = "Promote an image digest with all its referrers.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Promote an image digest with every referrer (signatures, attestations, and referrers of"
          + " those) to another repository or registry, byte for byte: gated by the policy at the"
          + " source, verified again at the destination before any tag is written, and (with --key)"
          + " attested by a signed https://attest.dev/promotion/v1 statement.",
      "Prints the plan (every blob, manifest, referrer and tag, and whether the destination has"
          + " it), then the report. Progress goes to standard error: a bar on a terminal, one line"
          + " per blob, manifest and tag otherwise. Re-running a completed promotion writes nothing.",
      "Exits 0 when promoted (or planned, with --plan), 1 if the policy denies at either end or a"
          + " tag at the destination points at another digest."
    })
final class PromoteCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image to promote: registry/repository@sha256:... (a tag is resolved to its digest first).")
  String reference;

  @Option(names = "--to", required = true, paramLabel = "REPO", description = "The destination: registry/repository (a :tag there is added to --tag).")
  String to;

  @Option(names = "--tag", paramLabel = "TAG", description = "A tag to point at the digest at the destination, after it is verified there; repeatable.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy the image must pass at the source (the gate) and at the destination.")
  Path policyFile;

  @Option(names = "--plan", description = "Print the plan and stop: nothing is written, and the gate is not run.")
  boolean planOnly;

  @Option(names = "--key", paramLabel = "KEY", description = "Sign a promotion attestation with this private key (PKCS#8 or EC PEM) and attach it at the destination.")
  @Nullable Path key;

  @Override
  public Integer call() throws IOException, AttestException {
    ImageRef source = RegistryOptions.parseRef(reference);
    ImageRef dest = RegistryOptions.parseRef(to);
    if (dest.digest() != null) {
      throw new UsageException("--to names a repository, not a digest: " + to);
    }
    List<String> allTags = new ArrayList<>(tags);
    if (dest.tag() != null && to.endsWith(":" + dest.tag()) && !allTags.contains(dest.tag())) {
      allTags.add(dest.tag());
    }
    Policy policy = Inputs.policy(policyFile);
    var signer = key == null ? null : Inputs.signer(key);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Registry> opened = new ArrayList<>();
    try (Registry from = registryOptions.open(source);
        Registry dst = registryOptions.open(dest);
        PolicyVerifier verifier = PolicyVerifier.builder(policy).registries(host -> {
          Registry r = registryOptions.open(host);
          synchronized (opened) {
            opened.add(r);
          }
          return r;
        }).build()) {
      Digest digest = RegistryOptions.digestOf(from, source);
      Promotion promotion = Promotion.of(source.name() + "@" + digest).from(from).to(dst, dest.repository())
          .tags(allTags.toArray(String[]::new)).gate(policy, verifier).verifyAfter();
      if (signer != null) {
        promotion.attestWith(signer);
      }
      PromotionPlan plan = promotion.plan();
      if (!output.json()) {
        out.print(plan.toTable());
        out.flush();
      }
      if (planOnly) {
        if (output.json()) {
          OutputOptions.printJson(out, planJson(plan));
        }
        return Main.OK;
      }
      PromotionProgress progress = new PromotionProgress(err, System.console() != null);
      PromotionReport report;
      try {
        report = promotion.listener(progress).execute();
      } catch (PromotionDeniedException e) {
        progress.finish();
        print(out, e.report(), e.getMessage());
        return Main.INVALID;
      } catch (TagConflictException e) {
        progress.finish();
        err.println("attest promote: " + e.getMessage());
        err.flush();
        return Main.INVALID;
      } finally {
        progress.finish();
      }
      print(out, report, null);
      return report.admitted() ? Main.OK : Main.INVALID;
    } finally {
      synchronized (opened) {
        opened.forEach(Registry::close);
      }
    }
  }

  private void print(PrintWriter out, PromotionReport report, @Nullable String denial) throws IOException {
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("promoted", denial == null && report.admitted());
      m.put("denial", denial);
      m.put("plan", planJson(report.plan()));
      m.put("gate", report.gate() == null ? null : JSON.readTree(report.gate().toJson()));
      m.put("after", report.after() == null ? null : JSON.readTree(report.after().toJson()));
      m.put("blobsCopied", report.blobsCopied());
      m.put("blobsMounted", report.blobsMounted());
      m.put("bytesCopied", report.bytesCopied());
      m.put("manifestsWritten", report.manifestsWritten());
      m.put("referrerIndexUpdates", report.referrerIndexUpdates());
      m.put("tagsWritten", report.tagsWritten());
      m.put("writes", report.writes());
      m.put("attestation", report.attestation() == null ? null : report.attestation().digest().toString());
      OutputOptions.printJson(out, m);
      return;
    }
    out.println();
    section(out, "gate at the source", report.gate());
    section(out, "verification at the destination", report.after());
    if (denial != null) {
      out.println("NOT PROMOTED: " + denial);
    } else {
      out.println("Promoted " + report.plan().digest() + ": " + report.writes() + " writes (" + report.blobsCopied()
          + " blobs copied, " + report.blobsMounted() + " mounted, " + report.bytesCopied() + " bytes; "
          + report.manifestsWritten() + " manifests; " + report.referrerIndexUpdates() + " referrer index updates; "
          + report.tagsWritten() + " tags)");
      if (report.attestation() != null) {
        out.println("Promotion attestation: " + report.attestation().digest());
      }
    }
    out.flush();
  }

  private static void section(PrintWriter out, String title, @Nullable VerificationReport r) {
    if (r != null) {
      out.println("== " + title + ": " + r.decision());
      out.print(r.toTable());
      out.println();
    }
  }

  private static Map<String, Object> planJson(PromotionPlan plan) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("digest", plan.digest().toString());
    m.put("source", String.valueOf(plan.source()));
    m.put("destination", String.valueOf(plan.destination()));
    m.put("blobs", plan.blobs().size());
    m.put("images", plan.images().size());
    m.put("referrers", plan.referrers().size());
    m.put("toWrite", plan.toWrite().size());
    m.put("bytesToCopy", plan.bytesToCopy());
    m.put("complete", plan.complete());
    m.put("tags", plan.tags().stream().map(t -> Map.of("tag", t.tag(), "present", t.present())).toList());
    return m;
  }
}
