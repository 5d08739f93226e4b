package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoTest {

  /** By default the demo fits about a screen: one line per step, one more per denied Pod. */
  @Test
  void demoPrintsOneLinePerStepByDefault() {
    Result r = CliTestSupport.run("demo");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSizeLessThanOrEqualTo(16);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(120));
    assertThat(r.out())
        .containsPattern(" 1\\. start registries +ok  dev 127\\.0\\.0\\.1:")
        .containsPattern(" 7\\. verify at dev +ok  ALLOW")
        .containsPattern("10\\. admission decisions +ok  1 allowed, 2 denied")
        .containsPattern("Pod demo-2 \\(SBOM referrer removed\\): DENY, no https://cyclonedx.org/bom attestation")
        .containsPattern("Pod demo-3 \\(provenance tampered\\): DENY, DSSE signature does not verify")
        .contains("Demo OK")
        .doesNotContain("== Summary")
        .doesNotContain("CHECK ");
  }

  @Test
  void demoRunsEveryStepAndExitsZero() {
    Result r = CliTestSupport.run("demo", "--verbose");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("dev  registry: http://127.0.0.1:")
        .contains("pushed linux/amd64 manifest sha256:")
        .contains("pushed linux/arm64 manifest sha256:")
        .contains("pushed index sha256:")
        .contains("EXAMPLE GitHub Actions run")
        .contains("SBOM of attest's own runtime dependencies")
        .contains("CRITICAL 0")
        .contains("signed provenance")
        .contains("https://cyclonedx.org/bom -> DSSE bundle")
        .contains("one byte changed is refused")
        .contains("policy 'attest-demo'")
        .contains("== Summary")
        .contains("Demo OK");
    // 4-6: attached, verified at dev, promoted with the gate and verify-after.
    assertThat(r.out())
        .contains("9 attestations (Attestations, recursive) and 3 image signatures (Signatures, recursive)")
        .contains("decision: ALLOW")
        .contains("gate at dev: ALLOW; verify-after at prod: ALLOW")
        .contains("promoted digest equal at prod: true")
        .contains("predicateType=https://attest.dev/promotion/v1");
    Matcher pushed = Pattern.compile("pushed index (sha256:[0-9a-f]{64}) as tag v1.0.0").matcher(r.out());
    assertThat(pushed.find()).isTrue();
    assertThat(r.out()).contains("prod demo/app:v1.0.0 -> " + pushed.group(1));
    // 8: one Pod allowed; two denied, each with its reason.
    assertThat(r.out()).containsPattern("Pod demo-1 \\(promoted release, [^)]+\\): ALLOW\n");
    // The reasons are wrapped, one clause per line, instead of one line of a thousand characters.
    String flat = r.out().replaceAll("\\s+", " ");
    assertThat(flat).containsPattern(
        "Pod demo-2 \\(SBOM referrer removed, [^)]+\\): DENY reason: attest denied (?:(?!Pod demo-3).)*"
            + "no https://cyclonedx.org/bom attestation");
    assertThat(flat).containsPattern(
        "Pod demo-3 \\(provenance tampered, [^)]+\\): DENY reason: attest denied (?:(?!removed SBOM).)*"
            + "https://slsa.dev/provenance/v1(?:(?!removed SBOM).)*DSSE signature does not verify");
    assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.contains("reason") ? l.length() : 0).isLessThan(120));
    assertThat(r.out()).containsPattern("ok +admission decisions");
  }

  @Test
  void demoReportsItsStepsAsJson() throws Exception {
    Result r = CliTestSupport.run("demo", "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("ok").asBoolean()).isTrue();
    assertThat(json.get("steps")).hasSize(10);
    for (JsonNode step : json.get("steps")) {
      assertThat(step.get("ok").asBoolean()).as(step.toString()).isTrue();
    }
  }
}
