package dev.attest.verify;

import static dev.attest.verify.TestSupport.POLICY;
import static dev.attest.verify.TestSupport.T0;
import static dev.attest.verify.TestSupport.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.Decision;
import dev.attest.verify.VerificationReport.Outcome;
import dev.attest.verify.VerificationReport.VerifiedStatement;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationReportTest {
  final Digest d = digest("image");
  final byte[] payload = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void allPassingChecksAllow() throws Exception {
    VerificationReport r = VerificationReport.of("r@" + d, d, Policy.Mode.ENFORCE, POLICY,
        List.of(Check.pass("signature", "ok"), Check.skipped("index", "not an index")),
        List.of(new VerifiedStatement("https://slsa.dev/provenance/v1", payload)), T0);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.orThrow()).isSameAs(r);
    assertThat(r.statements().get(0).payload()).isEqualTo(payload);
  }

  @Test
  void aFailureDeniesInEnforceAndWarnsInWarnModeNeverAllows() {
    List<Check> checks = List.of(Check.pass("signature", "ok"), Check.fail("attestation:sbom", "no SBOM referrer"));
    assertThat(VerificationReport.of("x", d, Policy.Mode.ENFORCE, POLICY, checks, List.of(), T0).decision())
        .isEqualTo(Decision.DENY);
    VerificationReport warn = VerificationReport.of("x", d, Policy.Mode.WARN, POLICY, checks, List.of(), T0);
    assertThat(warn.decision()).isEqualTo(Decision.WARN);
    assertThat(warn.admitted()).isTrue();
    assertThatThrownBy(() -> new VerificationReport("x", d, Decision.ALLOW, checks, List.of(), POLICY, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failsClosedWithoutSubjectOrChecks() {
    VerificationReport noSubject = VerificationReport.of("r:1", null, Policy.Mode.WARN, POLICY,
        List.of(Check.pass("signature", "ok")), List.of(), T0);
    assertThat(noSubject.decision()).isEqualTo(Decision.DENY);
    assertThat(noSubject.failures()).extracting(Check::name).containsExactly("subject");
    VerificationReport none = VerificationReport.of("r@" + d, d, Policy.Mode.ENFORCE, POLICY, List.of(), List.of(), T0);
    assertThat(none.decision()).isEqualTo(Decision.DENY);
  }

  @Test
  void requiredChecksCannotBeSkippedAndFailuresNeedReasons() {
    assertThatThrownBy(() -> new Check("signature", Outcome.SKIPPED, "no time", true))
        .hasMessageContaining("cannot be skipped");
    assertThatThrownBy(() -> Check.fail("signature", " ")).hasMessageContaining("needs a reason");
  }

  @Test
  void orThrowListsEveryFailedCheck() {
    VerificationReport r = VerificationReport.of("ghcr.io/a/b:1", d, Policy.Mode.ENFORCE, POLICY,
        List.of(Check.fail("signature", "no signature by release-key"), Check.pass("x", ""),
            Check.fail("attestation:https://cyclonedx.org/bom", "component pkg:npm/evil@1 is denied")),
        List.of(), T0);
    assertThatThrownBy(r::orThrow)
        .isInstanceOf(VerificationException.class)
        .isInstanceOf(AttestException.class)
        .hasMessageContaining("signature: no signature by release-key")
        .hasMessageContaining("attestation:https://cyclonedx.org/bom: component pkg:npm/evil@1 is denied")
        .satisfies(e -> assertThat(((VerificationException) e).report()).isSameAs(r));
  }

  @Test
  void rendersATableAndJson() throws Exception {
    VerificationReport r = VerificationReport.of("ghcr.io/a/b@" + d, d, Policy.Mode.ENFORCE, POLICY,
        List.of(Check.pass("signature", "signed by release-key"), Check.fail("attestation:slsa", "builder id\nnot allowed")),
        List.of(new VerifiedStatement("https://slsa.dev/provenance/v1", payload)), T0);
    String table = r.toTable();
    assertThat(table).startsWith("decision: DENY\n").contains("subject:  " + d)
        .contains("policy:   " + POLICY)
        .containsPattern("signature\\s+PASS\\s+signed by release-key")
        .containsPattern("attestation:slsa\\s+FAIL\\s+builder id not allowed");
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertThat(j.get("decision").asText()).isEqualTo("DENY");
    assertThat(j.get("subject").asText()).isEqualTo(d.toString());
    assertThat(j.get("policyHash").asText()).isEqualTo(POLICY.toString());
    assertThat(j.get("checks").get(1).get("outcome").asText()).isEqualTo("FAIL");
    assertThat(j.get("checks").get(1).get("reason").asText()).isEqualTo("builder id\nnot allowed");
    assertThat(Base64.getDecoder().decode(j.get("statements").get(0).get("payload").asText())).isEqualTo(payload);
  }
}
