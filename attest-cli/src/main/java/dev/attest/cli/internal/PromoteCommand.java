package dev.attest.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
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
      "Heals a damaged destination: a referrer its index lists but it lacks, a missing child"
          + " manifest or blob, an index entry that points at nothing; the plan marks such items"
          + " 'repair' and the report lists what was repaired and dropped.",
      "Exits 0 when promoted (or planned, with --plan), 1 if the policy denies at either end or a"
          + " tag at the destination points at another digest (both digests are named), 2 on a"
          + " usage error, 3 on a registry or I/O failure."
    })
final class PromoteCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Per verification: the command line is not a webhook with a deadline (the library defaults to 8 s). */
  static final java.time.Duration VERIFY_TIMEOUT = java.time.Duration.ofSeconds(60);

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image to promote: registry/repository@sha256:... (a tag is resolved to its digest first), or one in an OCI layout: oci:DIR@sha256:..., oci:DIR:TAG, oci:DIR:REPO@sha256:...")
  String reference;

  @Option(names = "--to", required = true, paramLabel = "REPO", description = "The destination: registry/repository (a :tag there is added to --tag), or an OCI layout to export to for an air gap: oci:DIR[:TAG] or oci:DIR:REPO:TAG (created if absent; the repository defaults to the source's).")
  String to;

  @Option(names = "--tag", paramLabel = "TAG", description = "A tag to point at the digest at the destination, after it is verified there; repeatable.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy the image must pass at the source (the gate) and at the destination.")
  Path policyFile;

  @Option(names = "--plan", description = "Print the plan and stop: nothing is written, and the gate is not run.")
  boolean planOnly;

  @Option(names = "--key", paramLabel = "KEY", description = "Sign a promotion attestation with this private key (PKCS#8 or EC PEM) and attach it at the destination.")
  @Nullable Path key;

  @Option(names = "--check-all", description = "Check every blob and manifest at the destination (a GET of each manifest, a HEAD of each blob) and every entry of its referrers indexes, instead of taking a manifest it has as proof of its blobs: for a destination that garbage collection or a retention policy may have damaged. Without it, a denying verification at the destination runs this check once by itself.")
  boolean checkAll;

  @Override
  public Integer call() throws IOException, AttestException {
    Target source = Target.parse(reference);
    Target dest = Target.parse(to);
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
    try (Registry from = source.open(registryOptions, false);
        Registry dst = dest.open(registryOptions, true);
        // A promotion is not a webhook with a deadline: a slow registry or a large layout on a
        // loaded machine gets a minute per verification, not the library's 8 s.
        PolicyVerifier verifier = PolicyVerifier.builder(policy).timeout(VERIFY_TIMEOUT).registries(host -> {
          // A layout at either end is verified where it is, offline.
          if (host.equals(from.name())) {
            return from;
          }
          if (host.equals(dst.name())) {
            return dst;
          }
          Registry r = registryOptions.open(host);
          synchronized (opened) {
            opened.add(r);
          }
          return r;
        }).build()) {
      String fromRepo = source.repositoryIn("image");
      String toRepo = dest.repositoryIn(fromRepo);
      if (from.name().equals(dst.name()) && fromRepo.equals(toRepo)) {
        throw new UsageException("--to names the source repository " + dest.name(toRepo) + "; promote to another one");
      }
      Digest digest = source.digestIn(from, fromRepo);
      Promotion promotion = Promotion.of(digest).from(from, fromRepo).to(dst, toRepo)
          .tags(allTags.toArray(String[]::new)).gate(policy, verifier).verifyAfter().checkEveryItem(checkAll);
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
      m.put("repaired", report.repaired().stream().map(i -> i.digest().toString()).toList());
      m.put("dropped", report.dropped().stream().map(PromoteCommand::droppedJson).toList());
      m.put("recheck", report.recheck() != null);
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
          + report.tagsWritten() + " tags; " + report.repaired().size() + " repaired, " + report.dropped().size()
          + " index entries dropped" + (report.recheck() == null ? "" : ", after a full re-check") + ")");
      for (PromotionPlan.Item i : report.repaired()) {
        out.println("  repaired " + i.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + i.digest());
      }
      for (PromotionPlan.Dropped d : report.dropped()) {
        out.println("  dropped index entry " + d.entry() + " (listed for " + d.subject() + ", exists at neither end)");
      }
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
    m.put("present", plan.items().stream().filter(PromotionPlan.Item::present).count());
    m.put("missing", plan.items().stream().filter(i -> plan.status(i) == PromotionPlan.Status.MISSING).count());
    m.put("repair", plan.toRepair().size());
    m.put("drop", plan.dropped().size());
    m.put("items", plan.items().stream().map(i -> {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
      item.put("digest", i.digest().toString());
      item.put("size", i.descriptor().size());
      item.put("mediaType", i.descriptor().mediaType());
      item.put("status", PromotionPlan.label(plan.status(i)));
      return item;
    }).toList());
    m.put("dropped", plan.dropped().stream().map(PromoteCommand::droppedJson).toList());
    m.put("tags", plan.tags().stream().map(t -> Map.of("tag", t.tag(), "present", t.present())).toList());
    return m;
  }

  private static Map<String, Object> droppedJson(PromotionPlan.Dropped d) {
    return Map.of("subject", d.subject().toString(), "entry", d.entry().toString());
  }
}
