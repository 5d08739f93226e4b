package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.core.UnsupportedContentException;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.verify.KeylessSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest attest REF --provenance FILE --sbom FILE --vuln FILE (--key KEY [--recursive] | keyless)}. */
@Command(
    name = "attest",
    header = "Attach signed attestations to an image as referrers.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Create signed attestations about an image and attach them as OCI 1.1 referrers: each is an"
          + " in-toto Statement v1 about the image digest, signed into a DSSE envelope in a Sigstore"
          + " bundle v0.3, pushed as cosign 3 and actions/attest do (and the sha256-<hex> fallback"
          + " index on registries without the referrers API).",
      "Without --key each attestation is signed keyless (Fulcio certificate, Rekor entry, and an"
          + " RFC 3161 timestamp when the signing config names a timestamp authority), with the services"
          + " of --signing-config (default: Sigstore's public-good instance), as sign and sign-blob.",
      "Every input is validated and signed before anything is pushed. A tag is resolved to its"
          + " digest first. Give at least one of --provenance, --sbom and --vuln."
    })
final class AttestImageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "The image: registry/repository[:tag][@digest].")
  String reference;

  @Option(names = "--provenance", paramLabel = "FILE", description = "A SLSA v1 provenance predicate (JSON: buildDefinition and runDetails), attested as https://slsa.dev/provenance/v1.")
  @Nullable Path provenance;

  @Option(names = "--sbom", paramLabel = "FILE", description = "A CycloneDX SBOM (JSON), schema-checked, attested as https://cyclonedx.org/bom.")
  @Nullable Path sbom;

  @Option(names = "--vuln", paramLabel = "FILE", description = "A vulnerability scan, attested as https://cosign.sigstore.dev/attestation/vuln/v1: either a raw Trivy or Grype JSON report, turned into a cosign vuln/v1 predicate by the library's builder (scanner and finish time taken from the report), or a cosign vuln/v1 predicate as is.")
  @Nullable Path vuln;

  @Option(names = "--key", paramLabel = "KEY", description = "The private key: PKCS#8 or EC PEM (attest.key). Without it, the attestations are signed keyless.")
  @Nullable Path key;

  @Mixin KeylessOptions keyless;

  @Option(names = "--recursive", description = "For an index, also attest each platform manifest it lists (with --key).")
  boolean recursive;

  @Option(names = "--embed-bundles", description = "Also embed each bundle of up to 64 KiB in its layer descriptor"
      + " (OCI descriptor data), so verifiers need no blob request for it. Off by default: some registries refuse"
      + " manifests with embedded data.")
  boolean embedBundles;

  @Override
  public Integer call() throws IOException, AttestException {
    if (provenance == null && sbom == null && vuln == null) {
      throw new UsageException("nothing to attest: give --provenance, --sbom or --vuln");
    }
    Target ref = Target.parse(reference);
    if (key != null && keyless.given()) {
      throw new UsageException("--key and the keyless options (--signing-config, --identity-token-file,"
          + " --identity-token-env, --trusted-root) are mutually exclusive");
    }
    if (key == null && recursive) {
      throw new UsageException("--recursive needs --key: keyless signing signs one digest");
    }
    SlsaProvenance slsa = null;
    if (provenance != null) {
      try {
        slsa = SlsaProvenance.parse(Files2.read(provenance, Attestations.MAX_PREDICATE_BYTES, "provenance"));
      } catch (InvalidContentException e) {
        throw new UsageException("provenance " + provenance + ": " + e.getMessage(), e);
      }
    }
    byte[] bom = sbom == null ? null : Files2.read(sbom, Attestations.MAX_PREDICATE_BYTES, "SBOM");
    VulnerabilityScan scan = vuln == null ? null : scan(vuln);
    if (bom != null) {
      try {
        CycloneDxSbom.parse(bom, Attestations.MAX_PREDICATE_BYTES);
      } catch (InvalidContentException | UnsupportedContentException e) {
        throw new UsageException("SBOM " + sbom + " is invalid: " + e.getMessage(), e);
      }
    }
    Signer signer = key == null ? null : Inputs.signer(key);
    KeylessSigner keylessSigner = key == null ? keyless.signer(System.getenv()) : null;
    try (Registry registry = ref.open(registryOptions, false)) {
      String repo = ref.repositoryIn("image");
      Digest digest = ref.digestIn(registry, repo);
      if (keylessSigner != null) {
        // Every statement is signed (certificate, log entry, timestamp) before anything is pushed.
        List<Subject> subjects = List.of(Subject.of(repo, digest));
        List<Statement> statements = new ArrayList<>();
        if (slsa != null) {
          statements.add(Statement.of(subjects, slsa));
        }
        if (bom != null) {
          statements.add(Statement.of(subjects, CycloneDxSbom.PREDICATE_TYPE, bom));
        }
        if (scan != null) {
          statements.add(Statement.of(subjects, scan));
        }
        Attestations a = Attestations.on(registry, repo, digest);
        for (Statement st : statements) {
          a.bundle(keylessSigner.signDsse(st).bytes());
        }
        if (embedBundles) {
          a.embedBundles(64 * 1024);
        }
        Attached.print(spec.commandLine().getOut(), output.json(), ref.name(repo), digest, a.attach());
        return 0;
      }
      Attestations a = Attestations.on(registry, repo, digest).signWith(signer);
      if (slsa != null) {
        a.provenance(slsa);
      }
      if (bom != null) {
        a.sbom(bom);
      }
      if (scan != null) {
        a.vulnerabilities(scan);
      }
      if (recursive) {
        a.recursive();
      }
      if (embedBundles) {
        a.embedBundles(64 * 1024);
      }
      AttachResult result;
      try {
        result = a.attach();
      } catch (InvalidContentException | UnsupportedContentException e) {
        // The registry was not touched: an input (the SBOM's schema, most likely) is wrong.
        throw new UsageException(e.getMessage(), e);
      }
      Attached.print(spec.commandLine().getOut(), output.json(), ref.name(repo), digest, result);
    }
    return 0;
  }

  /** A Trivy or Grype report through the cosign builder, else a cosign vuln/v1 predicate. */
  private static VulnerabilityScan scan(Path file) throws IOException {
    try {
      return VulnerabilityScan.fromReportOrPredicate(
          Files2.read(file, Attestations.MAX_PREDICATE_BYTES, "vulnerability scan"));
    } catch (InvalidContentException e) {
      throw new UsageException("vulnerability scan " + file + ": " + e.getMessage(), e);
    }
  }
}
