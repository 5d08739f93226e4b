package dev.attest.registry;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.SbomComponent;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Predicates, a key and a fixed clock for the attach tests. */
final class AttestFixtures {
  static final KeyPair KEY = Keys.generateP256();
  static final Signer SIGNER = Keys.signer(KEY);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:34:56.789Z"), ZoneOffset.UTC);
  static final String CREATED = "2026-11-25T12:34:56Z";

  private AttestFixtures() {}

  static SlsaProvenance provenance() {
    return SlsaProvenance.fromGitHubActions(
        Map.ofEntries(
            Map.entry("GITHUB_SERVER_URL", "https://github.com"),
            Map.entry("GITHUB_REPOSITORY", "acme/app"),
            Map.entry("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/tags/v1"),
            Map.entry("GITHUB_REF", "refs/tags/v1"),
            Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            Map.entry("GITHUB_RUN_ID", "42"),
            Map.entry("GITHUB_RUN_ATTEMPT", "1"),
            Map.entry("GITHUB_EVENT_NAME", "push"),
            Map.entry("GITHUB_REPOSITORY_ID", "7"),
            Map.entry("GITHUB_REPOSITORY_OWNER_ID", "8")));
  }

  static CycloneDxSbom sbom() throws Exception {
    return CycloneDxSbom.fromComponents(List.of(
        SbomComponent.of("jackson-databind", "2.23.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0")));
  }

  static VulnerabilityScan scan() throws Exception {
    String trivy = "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":["
        + "{\"VulnerabilityID\":\"CVE-2026-0001\",\"PkgName\":\"x\",\"Severity\":\"HIGH\"}]}]}";
    return VulnerabilityScan.cosignBuilder(trivy.getBytes(StandardCharsets.UTF_8))
        .scanner("pkg:github/aquasecurity/trivy@0.60.0", "0.60.0")
        .scanFinishedOn(Instant.parse("2026-11-25T12:00:00Z"))
        .build();
  }

  /** The four things the done-when list: provenance, SBOM, scan and the image signature. */
  static Attestations all(Registry registry, String repo, Digest digest) throws Exception {
    return Attestations.on(registry, repo, digest)
        .provenance(provenance())
        .sbom(sbom())
        .vulnerabilities(scan())
        .imageSignature()
        .signWith(SIGNER)
        .clock(CLOCK);
  }

  static Descriptor subjectOf(dev.attest.core.Manifest m) {
    return m.plainDescriptor();
  }
}
