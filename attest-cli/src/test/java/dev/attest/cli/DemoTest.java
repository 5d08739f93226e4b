package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
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
  }

  @Test
  void demoReportsItsStepsAsJson() throws Exception {
    Result r = CliTestSupport.run("demo", "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("ok").asBoolean()).isTrue();
    assertThat(json.get("steps")).hasSize(5);
    for (JsonNode step : json.get("steps")) {
      assertThat(step.get("ok").asBoolean()).as(step.toString()).isTrue();
    }
  }
}
