package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Field-by-field checks of the exports against the shapes documented by Kyverno
 * (https://kyverno.io/docs/policy-types/image-validating-policy/) and the sigstore
 * policy-controller (https://docs.sigstore.dev/policy-controller/overview/).
 */
class PolicyExportTest {
  static final YAMLMapper YAML = new YAMLMapper();

  static List<JsonNode> docs(String yaml) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void kyvernoImageValidatingPolicy() throws Exception {
    Policy p = PolicyTest.example();
    List<JsonNode> docs = docs(PolicyExport.kyverno(p));
    assertThat(docs).hasSize(1);
    JsonNode d = docs.get(0);
    assertThat(d.get("apiVersion").asText()).isEqualTo("policies.kyverno.io/v1");
    assertThat(d.get("kind").asText()).isEqualTo("ImageValidatingPolicy");
    assertThat(d.at("/metadata/name").asText()).isEqualTo("acme-api-prod");
    assertThat(d.at("/metadata/annotations/attest.dev~1policy-hash").asText()).isEqualTo(p.hash().toString());
    JsonNode spec = d.get("spec");
    assertThat(texts(spec.get("validationActions"))).containsExactly("Deny");
    JsonNode rule = spec.at("/matchConstraints/resourceRules/0");
    assertThat(texts(rule.get("apiGroups"))).containsExactly("");
    assertThat(texts(rule.get("apiVersions"))).containsExactly("v1");
    assertThat(texts(rule.get("operations"))).containsExactly("CREATE", "UPDATE");
    assertThat(texts(rule.get("resources"))).containsExactly("pods");
    assertThat(spec.at("/matchImageReferences/0/glob").asText()).isEqualTo("ghcr.io/acme/api*");

    JsonNode attestors = spec.get("attestors");
    assertThat(attestors).hasSize(3);
    assertThat(attestors.get(0).get("name").asText()).isEqualTo("release_key_key0");
    assertThat(attestors.get(0).at("/cosign/key/data").asText())
        .isEqualTo(p.signature().publicKeys().get(0).toPem());
    JsonNode keyless = attestors.get(2);
    assertThat(keyless.get("name").asText()).isEqualTo("github_release_keyless");
    JsonNode ids = keyless.at("/cosign/keyless/identities");
    assertThat(ids.get(0).get("issuer").asText()).isEqualTo("https://token.actions.githubusercontent.com");
    String re = ids.get(0).get("subjectRegExp").asText();
    assertThat(re).startsWith("^(?:").endsWith(")$");
    // The exported regex stays anchored: no suffix or prefix smuggling.
    assertThat(Pattern.compile(re).matcher("https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3").find()).isTrue();
    assertThat(Pattern.compile(re).matcher("https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3-evil").find()).isFalse();
    assertThat(ids.get(1).get("subject").asText())
        .isEqualTo("https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main");

    JsonNode atts = spec.get("attestations");
    assertThat(atts).hasSize(3);
    assertThat(atts.get(0).get("name").asText()).isEqualTo("slsa");
    assertThat(atts.get(0).at("/intoto/type").asText()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(atts.get(1).at("/intoto/type").asText()).isEqualTo("https://cyclonedx.org/bom");
    assertThat(atts.get(2).at("/intoto/type").asText()).isEqualTo("https://cosign.sigstore.dev/attestation/vuln/v1");

    List<String> expressions = new ArrayList<>();
    spec.get("validations").forEach(v -> {
      assertThat(v.get("message").asText()).isNotBlank();
      expressions.add(v.get("expression").asText());
    });
    assertThat(expressions).contains(
        "images.containers.map(image, verifyImageSignatures(image, [attestors.release_key_key0, attestors.release_key_key1])).all(e, e > 0)",
        "images.containers.map(image, verifyAttestationSignatures(image, attestations.slsa, [attestors.github_release_keyless])).all(e, e > 0)",
        "images.containers.map(image, extractPayload(image, attestations.slsa).runDetails.builder.id in ['https://github.com/actions/runner/github-hosted']).all(e, e)",
        "images.containers.map(image, extractPayload(image, attestations.slsa).buildDefinition.buildType in "
            + "['https://actions.github.io/buildtypes/workflow/v1', 'https://github.com/actions/buildtypes/workflow/v1']).all(e, e)",
        "images.containers.map(image, extractPayload(image, attestations.slsa).buildDefinition.externalParameters.workflow.ref == 'refs/heads/main').all(e, e)");
    assertThat(expressions).anyMatch(e -> e.contains("v.Severity != 'CRITICAL'"));

    String notEnforced = d.at("/metadata/annotations/attest.dev~1not-enforced").asText();
    assertThat(notEnforced)
        .contains("at most 5 HIGH findings")
        .contains("scan finished at most 168 h ago")
        .contains("license deny-list [AGPL-3.0-only, SSPL-1.0]")
        .contains("SBOM schema validation")
        .contains("certificate extension 1.3.6.1.4.1.57264.1.12 == https://github.com/acme/api")
        .doesNotContain("0 CRITICAL"); // carried in CEL instead
  }

  @Test
  void kyvernoWarnMode() throws Exception {
    JsonNode d = docs(PolicyExport.kyverno(PolicyTest.example().withMode(Policy.Mode.WARN))).get(0);
    assertThat(texts(d.at("/spec/validationActions"))).containsExactly("Warn", "Audit");
  }

  @Test
  void policyControllerClusterImagePolicies() throws Exception {
    Policy p = PolicyTest.example();
    List<JsonNode> docs = docs(PolicyExport.policyController(p));
    assertThat(docs).extracting(d -> d.at("/metadata/name").asText())
        .containsExactly("acme-api-prod-signature", "acme-api-prod-slsa", "acme-api-prod-sbom", "acme-api-prod-vulns");
    for (JsonNode d : docs) {
      assertThat(d.get("apiVersion").asText()).isEqualTo("policy.sigstore.dev/v1beta1");
      assertThat(d.get("kind").asText()).isEqualTo("ClusterImagePolicy");
      assertThat(d.at("/spec/mode").asText()).isEqualTo("enforce");
      assertThat(d.at("/spec/images/0/glob").asText()).isEqualTo("ghcr.io/acme/api*");
      assertThat(d.at("/metadata/annotations/attest.dev~1policy-hash").asText()).isEqualTo(p.hash().toString());
    }
    JsonNode sig = docs.get(0).at("/spec/authorities");
    assertThat(sig).hasSize(2);
    assertThat(sig.get(0).get("name").asText()).isEqualTo("release-key-key-0");
    assertThat(sig.get(0).at("/key/data").asText()).isEqualTo(p.signature().publicKeys().get(0).toPem());
    assertThat(sig.get(0).at("/key/hashAlgorithm").asText()).isEqualTo("sha256");
    assertThat(sig.get(0).has("attestations")).isFalse();

    JsonNode slsa = docs.get(1).at("/spec/authorities/0");
    assertThat(slsa.get("name").asText()).isEqualTo("github-release-keyless");
    assertThat(slsa.at("/keyless/trustRootRef").asText()).isEqualTo("acme-api-prod-github-release");
    assertThat(slsa.at("/keyless/identities/0/issuer").asText()).isEqualTo("https://token.actions.githubusercontent.com");
    assertThat(slsa.at("/keyless/identities/0/subjectRegExp").asText()).startsWith("^(?:https://github\\.com/acme/api/");
    assertThat(slsa.at("/keyless/identities/1/subject").asText()).endsWith("@refs/heads/main");
    JsonNode att = slsa.at("/attestations/0");
    assertThat(att.get("name").asText()).isEqualTo("slsa");
    assertThat(att.get("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(att.at("/policy/type").asText()).isEqualTo("rego");
    assertThat(att.at("/policy/data").asText())
        .startsWith("package sigstore\n")
        .contains("default isCompliant = false")
        .contains("input.predicate.runDetails.builder.id == [\"https://github.com/actions/runner/github-hosted\"][_]")
        .contains("input.predicate.buildDefinition.externalParameters[\"workflow\"][\"path\"] == \".github/workflows/release.yml\"");

    String sbomRego = docs.get(2).at("/spec/authorities/0/attestations/0/policy/data").asText();
    assertThat(sbomRego).contains("not denied_purl").contains("not denied_license")
        .contains("\"^pkg:maven/org\\\\.apache\\\\.logging\\\\.log4j/log4j\\\\-core@2\\\\.14.*$\"")
        .contains("[\"AGPL-3.0-only\", \"SSPL-1.0\"][_]");
    String vulnRego = docs.get(3).at("/spec/authorities/0/attestations/0/policy/data").asText();
    assertThat(vulnRego)
        .contains("severity_count(\"CRITICAL\") <= 0")
        .contains("severity_count(\"HIGH\") <= 5")
        .contains("time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn) <= 168 * 3600 * 1000000000")
        .contains("input.predicate.scanner.uri == [\"https://github.com/aquasecurity/trivy\"][_]");

    assertThat(docs.get(1).at("/metadata/annotations/attest.dev~1not-enforced").asText())
        .contains("SLSA strict: unknown external parameters are not rejected")
        .contains("certificate extension 1.3.6.1.4.1.57264.1.14 == refs/heads/main")
        .contains("TrustRoot named acme-api-prod-github-release");
    assertThat(docs.get(2).at("/metadata/annotations/attest.dev~1not-enforced").asText())
        .contains("SBOM schema validation");
  }

  @Test
  void policyControllerWarnModeAndDefaultGlob() throws Exception {
    Policy p = Policy.builder("keys-only")
        .trust("k", Policy.Trust.ofKeys(TrustedKey.fromPem(PolicyTest.KEY2)))
        .signedBy("k")
        .mode(Policy.Mode.WARN)
        .allowTagOnly(true)
        .build();
    List<JsonNode> docs = docs(PolicyExport.policyController(p));
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).at("/spec/mode").asText()).isEqualTo("warn");
    assertThat(docs.get(0).at("/spec/images/0/glob").asText()).isEqualTo("**");
    assertThat(docs.get(0).at("/spec/authorities/0/keyless").isMissingNode()).isTrue();
    assertThat(docs.get(0).at("/metadata/annotations/attest.dev~1not-enforced").asText()).doesNotContain("tag-only");
  }

  @Test
  void globsBecomeAnchoredRegexes() {
    Pattern re = Pattern.compile(PolicyExport.globToRe2("pkg:npm/left-pa?@1.*"));
    assertThat(re.matcher("pkg:npm/left-pad@1.3.0").matches()).isTrue();
    assertThat(re.matcher("pkg:npm/left-pad@2.0.0").matches()).isFalse();
    assertThat(re.matcher("xpkg:npm/left-pad@1.3.0").find()).isFalse();
  }
}
