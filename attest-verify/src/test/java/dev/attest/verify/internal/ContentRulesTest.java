package dev.attest.verify.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.SbomComponent;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.VulnerabilityRule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each content rule allows the good case and denies each bad one. */
class ContentRulesTest {
  static final String BUILDER = "https://github.com/actions/runner/github-hosted";
  static final String REPO = "https://github.com/acme/app";
  static final Map<String, Object> WORKFLOW = Map.of(
      "workflow", Map.of("repository", REPO, "ref", "refs/heads/main", "path", ".github/workflows/release.yml"));
  static final SlsaRule RULE = SlsaRule.builders(BUILDER).withSource(REPO, "refs/heads/main")
      .withExternalParameters(Map.of("workflow.path", ".github/workflows/release.yml"), true);

  static byte[] provenance(String buildType, String builder, Map<String, ?> ext) {
    return SlsaProvenance.builder().buildType(buildType).builderId(builder).externalParameters(ext).build().json();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://actions.github.io/buildtypes/workflow/v1", "https://github.com/actions/buildtypes/workflow/v1"})
  void slsaAllowsBothGitHubBuildTypes(String buildType) {
    assertThat(ContentRules.slsa(RULE, provenance(buildType, BUILDER, WORKFLOW))).isNull();
  }

  @Test
  void slsaDeniesEachBadField() {
    String gh = SlsaRule.GITHUB_BUILD_TYPES.get(0);
    assertThat(ContentRules.slsa(RULE, provenance(gh, "https://evil.example/builder", WORKFLOW)))
        .contains("builder id 'https://evil.example/builder' is not allowed");
    assertThat(ContentRules.slsa(RULE, provenance("https://example.com/other/v1", BUILDER, WORKFLOW)))
        .contains("buildType 'https://example.com/other/v1' is not allowed");
    assertThat(ContentRules.slsa(RULE, provenance(gh, BUILDER, Map.of("workflow",
        Map.of("repository", "https://github.com/evil/app", "ref", "refs/heads/main", "path", ".github/workflows/release.yml")))))
        .contains("source repository externalParameters.workflow.repository is 'https://github.com/evil/app'");
    assertThat(ContentRules.slsa(RULE, provenance(gh, BUILDER, Map.of("workflow",
        Map.of("repository", REPO, "ref", "refs/heads/dev", "path", ".github/workflows/release.yml")))))
        .contains("source ref externalParameters.workflow.ref is 'refs/heads/dev'");
    assertThat(ContentRules.slsa(RULE, provenance(gh, BUILDER, Map.of("workflow",
        Map.of("repository", REPO, "ref", "refs/heads/main", "path", ".github/workflows/other.yml")))))
        .contains("externalParameters.workflow.path is '.github/workflows/other.yml'");
    assertThat(ContentRules.slsa(RULE, provenance(gh, BUILDER, Map.of("workflow",
        Map.of("repository", REPO, "ref", "refs/heads/main")))))
        .contains("externalParameters.workflow.path is missing");
    assertThat(ContentRules.slsa(RULE, "{\"buildDefinition\":1}".getBytes(StandardCharsets.UTF_8)))
        .startsWith("provenance is not valid SLSA v1");
  }

  @Test
  void strictSlsaDeniesUnknownExternalParametersAndLaxAllowsThem() {
    String gh = SlsaRule.GITHUB_BUILD_TYPES.get(0);
    Map<String, Object> extra = Map.of("workflow", WORKFLOW.get("workflow"), "inputs", Map.of("debug", "true"));
    assertThat(ContentRules.slsa(RULE, provenance(gh, BUILDER, extra)))
        .contains("unknown external parameter 'inputs.debug'");
    SlsaRule lax = RULE.withExternalParameters(RULE.externalParameters(), false);
    assertThat(ContentRules.slsa(lax, provenance(gh, BUILDER, extra))).isNull();
  }

  static final SbomRule SBOM = new SbomRule(List.of("pkg:maven/org.apache.logging.log4j/*@2.14*"), List.of("AGPL-3.0-only"));

  static byte[] bom(SbomComponent... cs) throws Exception {
    return CycloneDxSbom.fromComponents(List.of(cs)).json();
  }

  @Test
  void sbomAllowsAValidBomAndDeniesPurlsLicensesAndSchemaErrors() throws Exception {
    SbomComponent ok = SbomComponent.of("jackson", "2.23.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0")
        .withLicenses(List.of("Apache-2.0"));
    assertThat(ContentRules.sbom(SBOM, CycloneDxSbom.PREDICATE_TYPE, bom(ok))).isNull();
    assertThat(ContentRules.sbom(SBOM, CycloneDxSbom.PREDICATE_TYPE,
        bom(ok, SbomComponent.of("log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"))))
        .contains("denied purl pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assertThat(ContentRules.sbom(SBOM, CycloneDxSbom.PREDICATE_TYPE,
        bom(ok, SbomComponent.of("agpl", "1", null).withLicenses(List.of("AGPL-3.0-only")))))
        .contains("component agpl has denied license AGPL-3.0-only");
    String invalid = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"name\":1}]}";
    assertThat(ContentRules.sbom(SBOM, CycloneDxSbom.PREDICATE_TYPE, invalid.getBytes(StandardCharsets.UTF_8)))
        .startsWith("SBOM (https://cyclonedx.org/bom) is not a valid CycloneDX BOM");
    // Schema validity is required even without deny-lists.
    assertThat(ContentRules.sbom(null, CycloneDxSbom.PREDICATE_TYPE, invalid.getBytes(StandardCharsets.UTF_8))).isNotNull();
  }

  static final String TRIVY = "pkg:github/aquasecurity/trivy@0.60.0";
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final VulnerabilityRule VULNS = VulnerabilityRule.maxCounts(Map.of(Severity.CRITICAL, 0, Severity.HIGH, 5))
      .withMaxAgeHours(24).withScannerUris(TRIVY);

  static byte[] scan(String severity, int n, String scanner, Instant finished) throws Exception {
    StringBuilder vulns = new StringBuilder();
    for (int i = 0; i < n; i++) {
      vulns.append(i == 0 ? "" : ",").append("{\"VulnerabilityID\":\"CVE-2026-").append(1000 + i)
          .append("\",\"PkgName\":\"x\",\"Severity\":\"").append(severity).append("\"}");
    }
    String trivy = "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":[" + vulns + "]}]}";
    return VulnerabilityScan.cosignBuilder(trivy.getBytes(StandardCharsets.UTF_8))
        .scanner(scanner, "0.60.0").scanFinishedOn(finished).build().json();
  }

  static String check(byte[] scan) {
    return ContentRules.vulnerabilities(VULNS, VulnerabilityScan.COSIGN_VULN_V1, scan, NOW);
  }

  @Test
  void vulnerabilitiesAllowWithinLimitsAndDenyEachBreach() throws Exception {
    assertThat(check(scan("HIGH", 5, TRIVY, NOW.minusSeconds(23 * 3600)))).isNull();
    assertThat(check(scan("MEDIUM", 50, TRIVY, NOW))).isNull();
    assertThat(check(scan("HIGH", 6, TRIVY, NOW))).contains("6 HIGH findings, at most 5 allowed");
    assertThat(check(scan("CRITICAL", 1, TRIVY, NOW))).contains("1 CRITICAL findings, at most 0 allowed");
    assertThat(check(scan("HIGH", 0, TRIVY, NOW.minusSeconds(25 * 3600))))
        .contains("25 hours ago; at most 24 hours allowed");
    assertThat(check(scan("HIGH", 0, TRIVY, NOW.plusSeconds(3600)))).contains("in the future");
    assertThat(check(scan("HIGH", 0, "pkg:github/anchore/grype@0.80.0", NOW)))
        .contains("scanner 'pkg:github/anchore/grype@0.80.0' is not allowed");
    assertThat(ContentRules.vulnerabilities(VULNS, VulnerabilityScan.COSIGN_VULN_V1,
        "{}".getBytes(StandardCharsets.UTF_8), NOW)).startsWith("vulnerability scan is not valid");
  }
}
