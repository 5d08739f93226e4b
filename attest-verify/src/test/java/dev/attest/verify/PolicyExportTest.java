package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import dev.attest.verify.engines.KyvernoCel;
import dev.attest.verify.engines.OpenApiSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exports of a broad matrix of policies, checked against the engines' own rules: every
 * document against the vendored CRD {@code openAPIV3Schema} (unknown fields are errors), every
 * Kyverno CEL expression compiled and type-checked in a Kyverno-shaped CEL environment, names
 * unique, no local path, and every rule an engine cannot carry reported.
 */
class PolicyExportTest {
  static final YAMLMapper YAML = new YAMLMapper();
  static final OpenApiSchema KYVERNO = OpenApiSchema.crd("/k8s/kyverno-1.19-imagevalidatingpolicies.crd.yaml", "v1");
  static final OpenApiSchema PC = OpenApiSchema.crd("/k8s/policy-controller-0.15-clusterimagepolicies.crd.yaml", "v1beta1");
  static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  @TempDir static Path dir;
  static Path root;

  @BeforeAll
  static void trustedRoot() throws Exception {
    root = dir.resolve("trusted_root.json");
    Files.writeString(root, "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":[]}");
    Files.copy(PolicyTest.EXAMPLE, dir.resolve("example.yaml"));
    Files.copy(PolicyTest.DIR.resolve("cosign.pub"), dir.resolve("cosign.pub"));
  }

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

  static Trust key() throws Exception {
    return Trust.ofKeys(TrustedKey.fromPem(PolicyTest.KEY2));
  }

  /** The policy matrix of issue 15's "done when", by name. */
  static Map<String, Policy> matrix() throws Exception {
    if (root == null) {
      trustedRoot();
    }
    Map<String, Policy> m = new LinkedHashMap<>();
    m.put("example", Policy.load(dir.resolve("example.yaml")));
    m.put("key-only", Policy.builder("key-only").trust("k", key()).signedBy("k").build());
    m.put("keyless-extensions", Policy.builder("keyless").image("ghcr.io/acme/*")
        .trust("gh", Trust.ofKeyless(root, KeylessIdentity.exact(PolicyTest.GH, "https://github.com/acme/a/.github/workflows/r.yml@refs/heads/main")
            .withSourceRepositoryUri("https://github.com/acme/a").withRunnerEnvironment("github-hosted")))
        .signedBy("gh").build());
    m.put("slsa-sbom-vulns", VerifyFixtures.policyBuilder().image("ghcr.io/acme/app").build());
    m.put("in-toto-vulns", Policy.builder("intoto-vulns").trust("k", key()).signedBy("k")
        .attestation(new AttestationRule(dev.attest.core.VulnerabilityScan.IN_TOTO_VULNS_V02, "k", null, null,
            VulnerabilityRule.maxCounts(Map.of(Severity.CRITICAL, 0)).withMaxAgeHours(12)))
        .build());
    m.put("warn", VerifyFixtures.policyBuilder().mode(Policy.Mode.WARN).build());
    m.put("colliding-names", Policy.builder("colliding").image("docker.io/acme/app").image("alpine*")
        .trust("a-b", key()).trust("a_b", Trust.ofKeys(TrustedKey.fromPem(PolicyTest.KEY2)))
        .signedBy("a-b")
        .attestation(AttestationRule.of("https://cyclonedx.org/bom", "a_b"))
        .attestation(AttestationRule.of("https://cyclonedx.org/bom/v1.6", "a-b"))
        .attestation(AttestationRule.of(dev.attest.core.VulnerabilityScan.COSIGN_VULN_V1, "a_b"))
        .attestation(new AttestationRule(dev.attest.core.VulnerabilityScan.IN_TOTO_VULNS_V02, "a-b", null, null,
            VulnerabilityRule.maxCounts(Map.of())))
        .build());
    m.put("java-only-regex", Policy.builder("java-regex").image("registry.example.com:5000/team/*/svc?")
        .trust("gh", Trust.ofKeyless(root,
            KeylessIdentity.matching(PolicyTest.GH, "https://github\\.com/acme/(?!evil)[a-z]+/.*"),
            KeylessIdentity.matching(PolicyTest.GH, "https://github\\.com/(?<org>acme)/x/.*")))
        .signedBy("gh").allowTagOnly(true).outOfScope(Policy.OutOfScope.ALLOW).build());
    m.put("external-parameters", Policy.builder("ext").trust("k", key()).signedBy("k")
        .attestation(AttestationRule.slsa("k", SlsaRule.builders("https://b")
            .withExternalParameters(Map.of("workflow.path", ".github/x.yml", "in.true", "1", "odd-key.x y", "v"), false)))
        .build());
    m.put("key-log-required", Policy.builder("key-log").trust("k", key().withTrustedRoot(root)
        .withTransparencyLog(LogRequirement.REQUIRED).withSignedTimestamps(1)).signedBy("k").build());
    m.put("key-log-optional", Policy.builder("key-opt").trust("k", key().withTrustedRoot(root)).signedBy("k").build());
    m.put("github-private", Policy.builder("gh-private").trust("gh", Trust.ofKeyless(root,
            KeylessIdentity.exact(PolicyTest.GH, "https://github.com/acme/a/.github/workflows/r.yml@refs/heads/main"))
        .withTransparencyLog(LogRequirement.IGNORED).withCertificateTransparency(LogRequirement.IGNORED)
        .withSignedTimestamps(1)).signedBy("gh").build());
    m.put("keyless-optional", Policy.builder("keyless-opt").trust("gh", Trust.ofKeyless(root,
            KeylessIdentity.exact(PolicyTest.GH, "https://github.com/acme/a/.github/workflows/r.yml@refs/heads/main"))
        .withTransparencyLog(LogRequirement.OPTIONAL).withCertificateTransparency(LogRequirement.OPTIONAL)
        .withSignedTimestamps(2)).signedBy("gh").build());
    return m;
  }

  /** A key restricted to one algorithm (ADR 0030) cannot be restricted in either engine: a drop, reported. */
  @Test
  void keyDetailsAreADropInBothEngines() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    TrustedKey key = TrustedKey.ofSpki(g.generateKeyPair().getPublic().getEncoded());
    Policy plain = Policy.builder("rsa").trust("k", Policy.Trust.ofKeys(key)).signedBy("k").build();
    assertThat(PolicyExport.toKyverno(plain).dropped()).noneMatch(s -> s.contains("keyDetails"));
    assertThat(PolicyExport.toPolicyController(plain).dropped()).noneMatch(s -> s.contains("keyDetails"));
    Policy pss = Policy.builder("rsa").trust("k", Policy.Trust.ofKeys(key.withKeyDetails("PKIX_RSA_PSS_2048_SHA256")))
        .signedBy("k").build();
    assertThat(PolicyExport.toKyverno(pss).dropped())
        .anyMatch(s -> s.startsWith("trust k: publicKeys[0].keyDetails PKIX_RSA_PSS_2048_SHA256") && s.contains("Kyverno"));
    assertThat(PolicyExport.toPolicyController(pss).dropped())
        .anyMatch(s -> s.startsWith("trust k: publicKeys[0].keyDetails") && s.contains("policy-controller"));
  }

  @Test
  void logAndTimestampRequirementsAreCarriedOrReportedAsDrops() throws Exception {
    // Required log for a key: Kyverno verifies it (no insecureIgnoreTlog) against the trusted root,
    // policy-controller against the TrustRoot; one timestamp: rfc3161timestamp, a drop for Kyverno keys.
    PolicyExport.Export k = PolicyExport.toKyverno(matrix().get("key-log-required"));
    JsonNode cosign = docs(k.yaml()).get(0).at("/spec/attestors/0/cosign");
    assertThat(cosign.has("ctlog")).isFalse();
    assertThat(cosign.at("/trustedRoot/value").asText()).isEqualTo(Files.readString(root));
    assertThat(k.dropped()).containsExactly(
        "trust k: signedTimestamps 1 (Kyverno verifies a timestamp where present against the trusted root's TSAs,"
            + " but does not require one)");
    PolicyExport.Export pc = PolicyExport.toPolicyController(matrix().get("key-log-required"));
    JsonNode auth = docs(pc.yaml()).get(0).at("/spec/authorities/0");
    assertThat(auth.at("/ctlog/trustRootRef").asText()).isEqualTo("key-log-k");
    assertThat(auth.at("/rfc3161timestamp/trustRootRef").asText()).isEqualTo("key-log-k");
    assertThat(pc.dropped()).noneMatch(s -> s.contains("trust k"));
    assertThat(pc.notes()).anyMatch(s -> s.contains("TrustRoot named key-log-k"))
        .noneMatch(s -> s.contains("carry no log entry"));

    // attest's default for keys with a root (optional) maps to ignoring the log, reported.
    PolicyExport.Export opt = PolicyExport.toKyverno(matrix().get("key-log-optional"));
    assertThat(docs(opt.yaml()).get(0).at("/spec/attestors/0/cosign/ctlog/insecureIgnoreTlog").asBoolean()).isTrue();
    assertThat(opt.dropped()).anyMatch(s -> s.startsWith("trust k: transparencyLog optional") && s.contains("Kyverno"));
    assertThat(PolicyExport.toPolicyController(matrix().get("key-log-optional")).dropped())
        .anyMatch(s -> s.startsWith("trust k: transparencyLog optional") && s.contains("denied"));
    // Without a root there is no entry attest could check: ignoring the log is exact, no drop.
    assertThat(docs(PolicyExport.kyverno(matrix().get("key-only"))).get(0)
        .at("/spec/attestors/0/cosign/ctlog/insecureIgnoreTlog").asBoolean()).isTrue();

    // GitHub's private instance: Kyverno ignores log and SCT and needs the one timestamp; policy-controller
    // ignores the SCT but cannot ignore the log: a drop.
    PolicyExport.Export gh = PolicyExport.toKyverno(matrix().get("github-private"));
    JsonNode ghCosign = docs(gh.yaml()).get(0).at("/spec/attestors/0/cosign");
    assertThat(ghCosign.at("/ctlog/insecureIgnoreTlog").asBoolean()).isTrue();
    assertThat(ghCosign.at("/ctlog/insecureIgnoreSCT").asBoolean()).isTrue();
    assertThat(gh.dropped()).isEmpty();
    PolicyExport.Export ghPc = PolicyExport.toPolicyController(matrix().get("github-private"));
    JsonNode ghAuth = docs(ghPc.yaml()).get(0).at("/spec/authorities/0");
    assertThat(ghAuth.at("/keyless/insecureIgnoreSCT").asBoolean()).isTrue();
    assertThat(ghAuth.at("/rfc3161timestamp/trustRootRef").asText()).isEqualTo("gh-private-gh");
    assertThat(ghPc.dropped()).anyMatch(s -> s.contains("transparencyLog ignored") && s.contains("denied"));

    // Keyless defaults stay required: no insecure flag at all.
    assertThat(docs(PolicyExport.kyverno(matrix().get("keyless-extensions"))).get(0)
        .at("/spec/attestors/0/cosign").has("ctlog")).isFalse();

    // Optional log and SCT, two timestamps: each reported by both engines.
    PolicyExport.Export ko = PolicyExport.toKyverno(matrix().get("keyless-optional"));
    assertThat(ko.dropped()).anyMatch(s -> s.contains("transparencyLog optional"))
        .anyMatch(s -> s.contains("certificateTransparency optional")).anyMatch(s -> s.contains("signedTimestamps 2"));
    PolicyExport.Export po = PolicyExport.toPolicyController(matrix().get("keyless-optional"));
    assertThat(po.dropped()).anyMatch(s -> s.contains("transparencyLog optional"))
        .anyMatch(s -> s.contains("certificateTransparency optional")).anyMatch(s -> s.contains("signedTimestamps 2"));
    // Drops reach the annotation too.
    assertThat(docs(po.yaml()).get(0).at("/metadata/annotations/attest.dev~1not-enforced").asText())
        .contains("signedTimestamps 2");
  }

  static List<String> names() throws Exception {
    return List.copyOf(matrix().keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void kyvernoExportIsSchemaValidAndItsCelCompiles(String name) throws Exception {
    Policy p = matrix().get(name);
    PolicyExport.Export e = PolicyExport.toKyverno(p);
    List<JsonNode> docs = docs(e.yaml());
    assertThat(docs).hasSize(1);
    JsonNode d = docs.get(0);
    assertThat(KYVERNO.validate(d)).as(e.yaml()).isEmpty();
    assertThat(d.get("apiVersion").asText()).isEqualTo("policies.kyverno.io/v1");
    assertThat(d.at("/metadata/name").asText()).matches(DNS_SUBDOMAIN);
    assertThat(e.yaml()).doesNotContain(dir.toString()).doesNotContain(dir.getFileName().toString());

    Set<String> attestors = new HashSet<>();
    d.at("/spec/attestors").forEach(a -> assertThat(attestors.add(a.get("name").asText())).as("unique").isTrue());
    Set<String> attestations = new HashSet<>();
    d.at("/spec/attestations").forEach(a -> assertThat(attestations.add(a.get("name").asText())).isTrue());
    assertThat(attestations).hasSize(p.attestations().size());
    KyvernoCel cel = new KyvernoCel(KyvernoCel.Engine.NONE, Instant.now());
    for (JsonNode v : d.at("/spec/validations")) {
      cel.compile(v.get("expression").asText());
      assertThat(v.get("message").asText()).isNotBlank();
      for (String ref : refs(v.get("expression").asText(), "attestors")) {
        assertThat(attestors).contains(ref);
      }
      for (String ref : refs(v.get("expression").asText(), "attestations")) {
        assertThat(attestations).contains(ref);
      }
    }
    if (!e.dropped().isEmpty()) {
      assertThat(d.at("/metadata/annotations/attest.dev~1not-enforced").asText()).contains(e.dropped().get(0));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void policyControllerExportIsSchemaValidWithUniqueNames(String name) throws Exception {
    Policy p = matrix().get(name);
    PolicyExport.Export e = PolicyExport.toPolicyController(p);
    List<JsonNode> docs = docs(e.yaml());
    assertThat(docs).hasSize(1 + p.attestations().size());
    Set<String> names = new HashSet<>();
    for (JsonNode d : docs) {
      assertThat(PC.validate(d)).as(e.yaml()).isEmpty();
      assertThat(d.get("apiVersion").asText()).isEqualTo("policy.sigstore.dev/v1beta1");
      String n = d.at("/metadata/name").asText();
      assertThat(n).matches(DNS_SUBDOMAIN);
      assertThat(names.add(n)).as("unique document name " + n).isTrue();
      for (JsonNode g : d.at("/spec/images")) {
        // policy-controller's own glob rules: these characters only, and no '?'.
        assertThat(g.get("glob").asText()).matches("[a-zA-Z0-9\\-_:/*.]+");
      }
      Set<String> auth = new HashSet<>();
      for (JsonNode a : d.at("/spec/authorities")) {
        assertThat(auth.add(a.get("name").asText())).isTrue();
        if (!a.has("static")) {
          assertThat(a.get("signatureFormat").asText()).isEqualTo("bundle");
        }
      }
    }
    assertThat(e.yaml()).doesNotContain(dir.toString());
  }

  @Test
  void collidingTrustAndPredicateNamesStayApart() throws Exception {
    Policy p = matrix().get("colliding-names");
    JsonNode k = docs(PolicyExport.kyverno(p)).get(0);
    assertThat(toList(k.at("/spec/attestors"))).hasSize(2).doesNotHaveDuplicates();
    assertThat(toList(k.at("/spec/attestations"))).hasSize(4).doesNotHaveDuplicates()
        .allMatch(n -> n.matches("(sbom|vulns)_[0-9a-f]{8}"));
    assertThat(docs(PolicyExport.policyController(p))).extracting(d -> d.at("/metadata/name").asText())
        .hasSize(5).doesNotHaveDuplicates();
  }

  private static List<String> toList(JsonNode namedArray) {
    List<String> out = new ArrayList<>();
    namedArray.forEach(n -> out.add(n.get("name").asText()));
    return out;
  }

  @Test
  void droppedRulesAreReportedAndJavaOnlyRegexesRefusedOrTranslated() throws Exception {
    PolicyExport.Export e = PolicyExport.toKyverno(matrix().get("java-only-regex"));
    assertThat(e.dropped()).anyMatch(s -> s.contains("(?!evil)") && s.contains("lookahead"));
    JsonNode ids = docs(e.yaml()).get(0).at("/spec/attestors/0/cosign/keyless/identities");
    assertThat(ids).hasSize(1);
    assertThat(ids.get(0).get("subjectRegExp").asText()).isEqualTo("^(?:https://github\\.com/(?P<org>acme)/x/.*)$");

    PolicyExport.Export ext = PolicyExport.toKyverno(matrix().get("keyless-extensions"));
    assertThat(ext.dropped()).anyMatch(s -> s.contains("1.3.6.1.4.1.57264.1.12 == https://github.com/acme/a"))
        .anyMatch(s -> s.contains("1.3.6.1.4.1.57264.1.11"));
    JsonNode attestor = docs(ext.yaml()).get(0).at("/spec/attestors/0/cosign");
    assertThat(attestor.at("/trustedRoot/value").asText()).isEqualTo(Files.readString(root));

    PolicyExport.Export vulns = PolicyExport.toKyverno(matrix().get("in-toto-vulns"));
    assertThat(vulns.dropped()).anyMatch(s -> s.contains("at most 0 CRITICAL"));
    assertThat(PolicyExport.toPolicyController(matrix().get("key-only")).dropped())
        .anyMatch(s -> s.contains("tag-only"));
    assertThat(PolicyExport.toKyverno(matrix().get("key-only")).dropped()).isEmpty();
  }

  @Test
  void kyvernoReadsStatementsAndCarriesEveryRuleInCel() throws Exception {
    JsonNode d = docs(PolicyExport.kyverno(matrix().get("slsa-sbom-vulns"))).get(0);
    String all = d.at("/spec/validations").toString();
    assertThat(all).contains("s.predicate.runDetails.builder.id").doesNotContain("extractPayload(image, attestations.slsa).runDetails")
        .contains("time_now()").contains(".sum()").contains("matches(r)");
    assertThat(texts(d.at("/spec/validationActions"))).containsExactly("Deny");
    assertThat(texts(docs(PolicyExport.kyverno(matrix().get("warn"))).get(0).at("/spec/validationActions")))
        .containsExactly("Warn", "Audit");
  }

  /** Expression identifiers after {@code prefix.}. */
  static List<String> refs(String expression, String prefix) {
    List<String> out = new ArrayList<>();
    var m = Pattern.compile("\\b" + prefix + "\\.([A-Za-z_][A-Za-z0-9_]*)").matcher(expression);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
