package dev.attest.verify;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.SbomComponent;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** A key, predicates that pass {@link #policy()}, and the policy, for the verifier tests. */
final class VerifyFixtures {
  static final KeyPair KEY = Keys.generateP256();
  static final Signer SIGNER = Keys.signer(KEY);
  static final KeyPair OTHER_KEY = Keys.generateP256();
  static final Instant SCANNED = Instant.parse("2026-11-25T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(SCANNED.plusSeconds(3600), ZoneOffset.UTC);
  static final String TRIVY = "pkg:github/aquasecurity/trivy@0.60.0";
  static final String LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";

  private VerifyFixtures() {}

  static Map<String, String> env(String repo, String ref) {
    return Map.ofEntries(
        Map.entry("GITHUB_SERVER_URL", "https://github.com"),
        Map.entry("GITHUB_REPOSITORY", repo),
        Map.entry("GITHUB_WORKFLOW_REF", repo + "/.github/workflows/release.yml@" + ref),
        Map.entry("GITHUB_REF", ref),
        Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        Map.entry("GITHUB_RUN_ID", "42"),
        Map.entry("GITHUB_RUN_ATTEMPT", "1"),
        Map.entry("GITHUB_EVENT_NAME", "push"),
        Map.entry("GITHUB_REPOSITORY_ID", "7"),
        Map.entry("GITHUB_REPOSITORY_OWNER_ID", "8"));
  }

  static SlsaProvenance provenance() {
    return SlsaProvenance.fromGitHubActions(env("acme/app", "refs/tags/v1"));
  }

  static CycloneDxSbom sbom(SbomComponent... extra) throws Exception {
    List<SbomComponent> cs = new java.util.ArrayList<>(List.of(
        SbomComponent.of("jackson-databind", "2.23.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0")
            .withLicenses(List.of("Apache-2.0"))));
    cs.addAll(List.of(extra));
    return CycloneDxSbom.fromComponents(cs);
  }

  static VulnerabilityScan scan(String severity, int n, String scanner, Instant finished) throws Exception {
    StringBuilder vulns = new StringBuilder();
    for (int i = 0; i < n; i++) {
      vulns.append(i == 0 ? "" : ",").append("{\"VulnerabilityID\":\"CVE-2026-000").append(i)
          .append("\",\"PkgName\":\"x\",\"Severity\":\"").append(severity).append("\"}");
    }
    String trivy = "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":[" + vulns + "]}]}";
    return VulnerabilityScan.cosignBuilder(trivy.getBytes(StandardCharsets.UTF_8))
        .scanner(scanner, "0.60.0")
        .scanFinishedOn(finished)
        .build();
  }

  static VulnerabilityScan scan() throws Exception {
    return scan("HIGH", 1, TRIVY, SCANNED);
  }

  static SlsaRule slsaRule() {
    SlsaProvenance p = provenance();
    SlsaProvenance.GitHubWorkflow w = p.gitHubWorkflow().orElseThrow();
    return SlsaRule.builders(p.builderId()).withSource(w.repository(), w.ref());
  }

  static Policy.Builder policyBuilder() {
    return Policy.builder("release")
        .trust("release", Trust.ofKeys(TrustedKey.ofSpki(KEY.getPublic().getEncoded())))
        .signedBy("release")
        .attestation(AttestationRule.slsa("release", slsaRule()))
        .attestation(AttestationRule.sbom("release", new SbomRule(List.of("pkg:maven/org.apache.logging.log4j/*@2.14*"),
            List.of("AGPL-3.0-only"))))
        .attestation(AttestationRule.vulnerabilities("release",
            VulnerabilityRule.maxCounts(Map.of(Severity.CRITICAL, 0, Severity.HIGH, 5))
                .withMaxAgeHours(24).withScannerUris(TRIVY)));
  }

  static Policy policy() {
    return policyBuilder().build();
  }

  /** Provenance, SBOM, scan and the image signature, signed by {@link #KEY}. */
  static Attestations all(Registry registry, String repo, Digest digest) throws Exception {
    return Attestations.on(registry, repo, digest)
        .provenance(provenance())
        .sbom(sbom())
        .vulnerabilities(scan())
        .imageSignature()
        .signWith(SIGNER)
        .clock(CLOCK);
  }
}
