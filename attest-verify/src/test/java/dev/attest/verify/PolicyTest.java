package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyTest {
  static final Path EXAMPLE = Path.of("src/test/resources/policy/example.yaml").toAbsolutePath();
  static final Path DIR = EXAMPLE.getParent();
  static final String KEY2 =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeKoH3B2m/Dfg2rBdGGnNVoh75Hj0\n"
          + "qTEgSMfp+zUYYokTXZHahVrkB6Pdii6xGVhhopav7W5Gu1iQuyJwQZhvWw==\n"
          + "-----END PUBLIC KEY-----\n";
  static final String GH = "https://token.actions.githubusercontent.com";

  static Policy example() throws Exception {
    return Policy.load(EXAMPLE);
  }

  /** The example policy, built in Java. */
  static Policy javaExample() throws Exception {
    return Policy.builder("acme-api-prod")
        .image("ghcr.io/acme/api*")
        .indexSemantics(Policy.IndexSemantics.EITHER)
        .trust("release-key", Trust.ofKeys(TrustedKey.load(DIR.resolve("cosign.pub")), TrustedKey.fromPem(KEY2)))
        .trust("github-release", Trust.ofKeyless(DIR.resolve("trusted_root.json"),
            KeylessIdentity.matching(GH,
                    "https://github\\.com/acme/api/\\.github/workflows/release\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+")
                .withSourceRepositoryUri("https://github.com/acme/api")
                .withBuildSignerUri("https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main")
                .withRunnerEnvironment("github-hosted"),
            KeylessIdentity.exact(GH, "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main")
                .withSourceRepositoryRef("refs/heads/main")))
        .signedBy("release-key")
        .attestation(AttestationRule.slsa("github-release",
            SlsaRule.builders("https://github.com/actions/runner/github-hosted")
                .withSource("https://github.com/acme/api", "refs/heads/main")
                .withExternalParameters(Map.of("workflow.path", ".github/workflows/release.yml"), true)))
        .attestation(AttestationRule.sbom("github-release",
            SbomRule.denyingPurls("pkg:maven/org.apache.logging.log4j/log4j-core@2.14*", "pkg:npm/event-stream@3.3.6")
                .withDeniedLicenses("AGPL-3.0-only", "SSPL-1.0")))
        .attestation(AttestationRule.vulnerabilities("github-release",
            VulnerabilityRule.maxCounts(Map.of(Severity.HIGH, 5, Severity.CRITICAL, 0))
                .withMaxAgeHours(168)
                .withScannerUris("https://github.com/aquasecurity/trivy")))
        .build();
  }

  @Test
  void loadsTheDocumentedExample() throws Exception {
    Policy p = example();
    assertThat(p.name()).isEqualTo("acme-api-prod");
    assertThat(p.mode()).isEqualTo(Policy.Mode.ENFORCE);
    assertThat(p.allowTagOnly()).isFalse();
    assertThat(p.images()).containsExactly("ghcr.io/acme/api*");
    assertThat(p.signature().publicKeys()).hasSize(2);
    assertThat(p.signature().publicKeys().get(0).algorithm()).isEqualTo("EC");
    Trust gh = p.trust().get("github-release");
    assertThat(gh.trustedRoot()).isEqualTo(DIR.resolve("trusted_root.json"));
    KeylessIdentity id = gh.keyless().get(0);
    assertThat(id.requiredExtensions())
        .containsEntry(KeylessIdentity.OID_ISSUER_V2, GH)
        .containsEntry(KeylessIdentity.OID_SOURCE_REPOSITORY_URI, "https://github.com/acme/api")
        .containsEntry(KeylessIdentity.OID_RUNNER_ENVIRONMENT, "github-hosted")
        .doesNotContainKey(KeylessIdentity.OID_SOURCE_REPOSITORY_REF);
    assertThat(id.subjectMatches("https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3")).isTrue();
    SlsaRule slsa = p.attestation(SlsaProvenance.PREDICATE_TYPE).orElseThrow().slsa();
    assertThat(slsa.buildTypes()).containsExactlyElementsOf(SlsaRule.GITHUB_BUILD_TYPES);
    assertThat(slsa.externalParameters()).containsExactly(Map.entry("workflow.path", ".github/workflows/release.yml"));
    assertThat(slsa.strict()).isTrue();
    VulnerabilityRule v = p.attestation(VulnerabilityScan.COSIGN_VULN_V1).orElseThrow().vulnerabilities();
    assertThat(v.maxCounts()).containsExactly(Map.entry(Severity.CRITICAL, 0), Map.entry(Severity.HIGH, 5));
    assertThat(v.maxAgeHours()).isEqualTo(168);
  }

  @Test
  void theDocumentShowsTheExampleVerbatim() throws Exception {
    String doc = Files.readString(Path.of("../docs/specs/policy-format.md"));
    assertThat(doc).contains(Files.readString(EXAMPLE));
  }

  @Test
  void javaYamlAndJsonGiveOnePolicyAndOneHash() throws Exception {
    Policy yaml = example();
    Policy java = javaExample();
    JsonNode tree = new YAMLMapper().readTree(Files.readAllBytes(EXAMPLE));
    Policy json = Policy.parse(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tree), DIR);
    assertThat(java).isEqualTo(yaml);
    assertThat(json).isEqualTo(yaml);
    assertThat(java.hash()).isEqualTo(yaml.hash()).isEqualTo(json.hash());
  }

  @Test
  void canonicalFormIsSortedCompactAndParsesBack() throws Exception {
    Policy p = example();
    byte[] canonical = p.toCanonicalJson();
    String s = new String(canonical, StandardCharsets.UTF_8);
    assertThat(s).startsWith("{\"allowTagOnly\":false,\"attestations\":[").doesNotContain("\n  ");
    assertThat(Policy.parse(canonical, DIR)).isEqualTo(p);
    assertThat(Policy.parse(canonical, DIR).hash()).isEqualTo(p.hash());
  }

  @Test
  void hashIgnoresKeyOrderAndSpellingButNotContent() throws Exception {
    String a = base();
    String reordered = """
        signature: {trust: k}
        trust:
          k:
            publicKeys: [{pem: "%s"}]
        mode: ENFORCE
        name: p
        """.formatted(KEY2.replace("\n", "\\n"));
    assertThat(parse(reordered).hash()).isEqualTo(parse(a).hash());
    assertThat(parse(a.replace("mode: enforce", "mode: warn")).hash()).isNotEqualTo(parse(a).hash());
    assertThat(parse(a.replace("name: p", "name: q")).hash()).isNotEqualTo(parse(a).hash());
    assertThat(parse(a).hash().toString()).startsWith("sha256:");
  }

  /** A trusted key's optional keyDetails (ADR 0030): read, validated, kept in the canonical form and hash. */
  @Test
  void keyDetailsAreReadValidatedAndHashed() throws Exception {
    Policy plain = parse(base());
    String withDetails = base().replace("      - pem: |\n", "      - keyDetails: PKIX_ECDSA_P256_SHA_256\n        pem: |\n");
    Policy p = parse(withDetails);
    assertThat(p.signature().publicKeys().get(0).keyDetails()).isEqualTo("PKIX_ECDSA_P256_SHA_256");
    assertThat(plain.signature().publicKeys().get(0).keyDetails()).isNull();
    assertThat(p.hash()).isNotEqualTo(plain.hash());
    assertThat(new String(plain.toCanonicalJson(), StandardCharsets.UTF_8)).doesNotContain("keyDetails");
    assertThat(Policy.parse(p.toCanonicalJson(), DIR)).isEqualTo(p);
    assertThat(Policy.parse(p.toCanonicalJson(), DIR).hash()).isEqualTo(p.hash());
    assertThatThrownBy(() -> parse(withDetails.replace("PKIX_ECDSA_P256_SHA_256", "PKIX_ECDSA_P384_SHA_384")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("publicKeys[0]").hasMessageContaining("does not match");
    assertThatThrownBy(() -> parse(withDetails.replace("PKIX_ECDSA_P256_SHA_256", "PKIX_ECDSA_P256_HMAC_SHA_256")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("not one attest verifies");
  }

  static String base() {
    return "name: p\nmode: enforce\ntrust:\n  k:\n    publicKeys:\n      - pem: |\n"
        + KEY2.lines().map(l -> "          " + l + "\n").reduce("", String::concat)
        + "signature:\n  trust: k\n";
  }

  static Policy parse(String yaml) throws PolicyException {
    return Policy.parse(yaml.getBytes(StandardCharsets.UTF_8), DIR);
  }

  static String withAttestations(String attestations) {
    return base() + "attestations:\n" + attestations;
  }

  @Test
  void errorsNameThePath() {
    String twoAtts = "  - predicateType: https://example.com/a\n    trust: k\n"
        + "  - predicateType: https://slsa.dev/provenance/v1\n    trust: k\n    slsa:\n      builderIds: https://b\n";
    assertThatThrownBy(() -> parse(withAttestations(twoAtts)))
        .isInstanceOf(PolicyException.class)
        .hasMessage("attestations[1].slsa.builderIds: expected a list, got a string");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "colour: red|colour: unknown key",
    "mode: maybe|mode: 'maybe' is not one of [enforce, warn]",
    "allowTagOnly: 'yes'|allowTagOnly: expected true or false, got a string",
    "images: ghcr.io/x|images: expected a list, got a string",
    "indexSemantics: all|indexSemantics: 'all' is not one of",
  })
  void rejectsUnknownKeysAndWrongTypesAtTopLevel(String extra, String message) {
    assertThatThrownBy(() -> parse(base().replace("mode: enforce\n", "") + extra + "\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void rejectsBadNestedValues() {
    assertThatThrownBy(() -> parse(base().replace("signature:\n  trust: k", "signature:\n  trust: nope")))
        .hasMessageStartingWith("signature.trust: unknown trust 'nope'");
    assertThatThrownBy(() -> parse(withAttestations("  - predicateType: x\n    trust: k\n    sbom: {denyPurl: [a]}\n")))
        .hasMessageStartingWith("attestations[0].sbom.denyPurl: unknown key");
    assertThatThrownBy(() -> parse(withAttestations(
        "  - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1\n    trust: k\n"
            + "    vulnerabilities: {max: {SEVERE: 1}}\n")))
        .hasMessageStartingWith("attestations[0].vulnerabilities.max.SEVERE: unknown severity");
    // One Severity (attest-core's) for scans and policies; a policy limits only the four rated ones.
    assertThatThrownBy(() -> parse(withAttestations(
        "  - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1\n    trust: k\n"
            + "    vulnerabilities: {max: {negligible: 1}}\n")))
        .hasMessageStartingWith("attestations[0].vulnerabilities.max.negligible: unknown severity");
    assertThatThrownBy(() -> VulnerabilityRule.maxCounts(Map.of(Severity.UNKNOWN, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNKNOWN cannot be limited");
    assertThatThrownBy(() -> parse(withAttestations(
        "  - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1\n    trust: k\n"
            + "    vulnerabilities: {max: {HIGH: 1.5}}\n")))
        .hasMessageStartingWith("attestations[0].vulnerabilities.max.HIGH: expected an integer");
    assertThatThrownBy(() -> parse(withAttestations(
        "  - predicateType: https://example.com/x\n    trust: k\n    slsa: {builderIds: [b]}\n")))
        .hasMessageContaining("attestations[0]: slsa rules apply to https://slsa.dev/provenance/v1");
    assertThatThrownBy(() -> parse(base() + "trust: {}\n"))
        .isInstanceOf(PolicyException.class); // duplicate key 'trust'
    assertThatThrownBy(() -> parse("name: p\n"))
        .hasMessage("trust: required");
    assertThatThrownBy(() -> parse("- a\n- b\n"))
        .hasMessageStartingWith("policy: expected a mapping, got a list");
    assertThatThrownBy(() -> Policy.parse("{\"name\": \"p\",}".getBytes(StandardCharsets.UTF_8), DIR))
        .hasMessageStartingWith("policy: not valid JSON");
  }

  @Test
  void rejectsInvalidRegexAndKeysAtLoad() {
    String keyless = "name: p\ntrust:\n  k:\n    trustedRoot: trusted_root.json\n    keyless:\n"
        + "      - issuer: " + GH + "\n        subjectRegExp: 'https://github.com/(acme'\n"
        + "signature: {trust: k}\n";
    assertThatThrownBy(() -> parse(keyless))
        .hasMessageStartingWith("trust.k.keyless[0]: invalid subjectRegExp 'https://github.com/(acme'");
    assertThatThrownBy(() -> parse(keyless.replace("    trustedRoot: trusted_root.json\n", "")
            .replace("subjectRegExp: 'https://github.com/(acme'", "subject: a@b")))
        .hasMessageStartingWith("trust.k: keyless identities need a trustedRoot");
    assertThatThrownBy(() -> parse("name: p\ntrust:\n  k:\n    publicKeys: [{path: missing.pub}]\nsignature: {trust: k}\n"))
        .hasMessageStartingWith("trust.k.publicKeys[0]: ")
        .hasMessageContaining("missing.pub");
    assertThatThrownBy(() -> parse("name: p\ntrust:\n  k:\n    publicKeys: [{pem: 'hello'}]\nsignature: {trust: k}\n"))
        .hasMessageStartingWith("trust.k.publicKeys[0]: ")
        .hasMessageContaining("expected exactly one PEM 'PUBLIC KEY' block");
  }

  @Test
  void subjectRegexIsAnchoredAtBothEnds() {
    KeylessIdentity id = KeylessIdentity.matching(GH, "https://github\\.com/acme/.*@refs/heads/main");
    assertThat(id.subjectMatches("https://github.com/acme/api/.github/workflows/r.yml@refs/heads/main")).isTrue();
    assertThat(id.subjectMatches("https://github.com/acme/api/.github/workflows/r.yml@refs/heads/main-evil")).isFalse();
    assertThat(id.subjectMatches("x https://github.com/acme/a@refs/heads/main")).isFalse();
    KeylessIdentity alt = KeylessIdentity.matching(GH, "a|b");
    assertThat(alt.subjectMatches("ab")).isFalse(); // alternation stays inside the anchors
    assertThat(alt.subjectMatches("b")).isTrue();
    assertThat(KeylessIdentity.exact(GH, "a@b.c").subjectMatches("a@b.cd")).isFalse();
    assertThatThrownBy(() -> new KeylessIdentity(GH, "a", "b", null, null, null, null))
        .hasMessageContaining("exactly one of subject and subjectRegExp");
    // One KeylessIdentity for policies and BlobVerifier: an issuer regex (cosign's
    // --certificate-oidc-issuer-regexp) is anchored too, but a policy names its issuer exactly.
    KeylessIdentity byRegex = KeylessIdentity.of(null, "https://token\\.actions\\..*", "a@b.c", null);
    assertThat(byRegex.issuerMatches(GH)).isTrue();
    assertThat(byRegex.issuerMatches("x" + GH)).isFalse();
    assertThat(byRegex.requiredExtensions()).doesNotContainKey(KeylessIdentity.OID_ISSUER_V2);
    assertThat(KeylessIdentity.exact(GH, "a@b.c").issuerMatches(GH + "/")).isFalse();
    assertThatThrownBy(() -> Trust.ofKeyless(Path.of("root.json"), byRegex))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a policy names its OIDC issuer exactly");
    assertThatThrownBy(() -> KeylessIdentity.of(GH, ".*", "a@b.c", null))
        .hasMessageContaining("exactly one of issuer and issuerRegExp");
    assertThatThrownBy(() -> KeylessIdentity.matching(GH, ""))
        .hasMessageContaining("subjectRegExp must not be empty");
  }

  @Test
  void purlGlobsAndLicenses() {
    SbomRule r = new SbomRule(List.of("pkg:maven/org.apache.logging.log4j/log4j-core@2.14*", "pkg:npm/left-pa?"),
        List.of("AGPL-3.0-only"));
    assertThat(r.deniesPurl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")).isTrue();
    assertThat(r.deniesPurl("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")).isFalse();
    assertThat(r.deniesPurl("pkg:npm/left-pad")).isTrue();
    assertThat(r.deniesPurl("pkg:npm/left-pad2")).isFalse();
    assertThat(r.deniesLicense("AGPL-3.0-only")).isTrue();
    assertThat(r.deniesLicense("AGPL-3.0-or-later")).isFalse();
    assertThat(SbomRule.denyingLicenses("AGPL-3.0-only")
            .withDeniedPurls("pkg:maven/org.apache.logging.log4j/log4j-core@2.14*", "pkg:npm/left-pa?"))
        .isEqualTo(r);
    assertThat(SbomRule.schemaOnly().deniesPurl("pkg:npm/left-pad")).isFalse();
  }

  @Test
  void builderAndConstructorsFailClosed() {
    assertThatThrownBy(() -> Policy.builder("p").trust("k", Trust.ofKeys(TrustedKey.fromPem(KEY2))).build())
        .hasMessageContaining("signedBy");
    assertThatThrownBy(() -> Policy.builder("P_Bad").trust("k", Trust.ofKeys(TrustedKey.fromPem(KEY2))).signedBy("k").build())
        .hasMessageContaining("DNS-1123");
    assertThatThrownBy(() -> SlsaRule.builders())
        .hasMessageContaining("builderIds must name at least one");
    assertThatThrownBy(() -> Policy.builder("p").trust("k", Trust.ofKeys(TrustedKey.fromPem(KEY2))).signedBy("k")
            .attestation(AttestationRule.of("https://x", "k")).attestation(AttestationRule.of("https://x", "k")).build())
        .hasMessageContaining("required twice");
  }

  @Test
  void keysRoundTripThroughPem() {
    TrustedKey k = TrustedKey.fromPem(KEY2);
    assertThat(k.toPem()).isEqualTo(KEY2);
    assertThat(TrustedKey.fromPem(k.toPem())).isEqualTo(k);
  }

  @Test
  void hashCoversTheTrustedRootContentNotItsPath(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String doc = "name: p\nsignature: {trust: k}\ntrust:\n  k:\n    trustedRoot: trusted_root.json\n    keyless:\n"
        + "      - {issuer: \"" + GH + "\", subject: \"https://github.com/acme/api/.github/workflows/r.yml@refs/heads/main\"}\n";
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (Path d : List.of(a, b)) {
      Files.writeString(d.resolve("policy.yaml"), doc);
      Files.writeString(d.resolve("trusted_root.json"), "{\"mediaType\":\"root-1\"}");
    }
    Policy pa = Policy.load(a.resolve("policy.yaml"));
    Policy pb = Policy.load(b.resolve("policy.yaml"));
    assertThat(pa).isNotEqualTo(pb); // different paths
    assertThat(pa.hash()).isEqualTo(pb.hash());
    assertThat(new String(pa.toCanonicalJson(), StandardCharsets.UTF_8)).contains(a.toString());

    Files.writeString(b.resolve("trusted_root.json"), "{\"mediaType\":\"root-2\"}");
    assertThat(Policy.load(b.resolve("policy.yaml")).hash()).isNotEqualTo(pa.hash());
  }
}
