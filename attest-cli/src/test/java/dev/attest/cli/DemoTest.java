package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void demoRunsEveryStepAndExitsZero() {
    Result r = CliTestSupport.run("demo");
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
    assertThat(r.out()).containsPattern(
        "Pod demo-2 \\(SBOM referrer removed, [^)]+\\): DENY\n\\s+reason: [^\n]*no https://cyclonedx.org/bom attestation");
    assertThat(r.out()).containsPattern(
        "Pod demo-3 \\(provenance tampered, [^)]+\\): DENY\n\\s+reason: [^\n]*https://slsa.dev/provenance/v1[^\n]*DSSE signature does not verify");
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
