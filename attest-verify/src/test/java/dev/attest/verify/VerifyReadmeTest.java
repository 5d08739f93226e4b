package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.core.Severity;
import dev.attest.verify.VerificationReport.Decision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VERIFY.md's policy loads, and its Java (copied verbatim below) verifies an attested image. */
class VerifyReadmeTest {
  static final Path README = Path.of("VERIFY.md");
  static final Path SELF = Path.of("src/test/java/dev/attest/verify/VerifyReadmeTest.java");

  static VerificationReport readme(Path policyFile, String image) throws Exception {
    // BEGIN VERIFY.md
    Policy policy = Policy.load(policyFile);
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).build()) {
      VerificationReport report = verifier.verify(image).orThrow(); // throws, listing every failed check
      System.out.println(report.toTable());
      // END VERIFY.md
      return report;
    }
  }

  static Policy javaPolicy(Path cosignPub) throws Exception {
    // BEGIN VERIFY.md policy
    Policy policy = Policy.builder("acme-app")
        .trust("release", Policy.Trust.ofKeys(TrustedKey.load(cosignPub)))
        .signedBy("release")
        .attestation(Policy.AttestationRule.slsa("release",
            Policy.SlsaRule.builders("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
                .withSource("https://github.com/acme/app", null)))
        .attestation(Policy.AttestationRule.sbom("release",
            Policy.SbomRule.denyingPurls("pkg:maven/org.apache.logging.log4j/log4j-core@2.14*")))
        .attestation(Policy.AttestationRule.vulnerabilities("release",
            Policy.VulnerabilityRule.maxCounts(Map.of(Severity.CRITICAL, 0, Severity.HIGH, 5)).withMaxAgeHours(24)))
        .build();
    // END VERIFY.md policy
    return policy;
  }

  static String block(String markdown, String lang) {
    return block(markdown, lang, 0);
  }

  /** The {@code index}th (from 0) block of {@code lang} in {@code markdown}. */
  static String block(String markdown, String lang, int index) {
    Matcher m = Pattern.compile("```" + lang + "\n(.*?)```", Pattern.DOTALL).matcher(markdown);
    for (int i = 0; i <= index; i++) {
      assertThat(m.find()).as("block " + index + " of ```" + lang + " in VERIFY.md").isTrue();
    }
    return m.group(1);
  }

  static String stripIndent(List<String> lines) {
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l.length() >= indent ? l.substring(indent) : l.strip()).append('\n');
    }
    return sb.toString();
  }

  @Test
  void theJavaInTheReadmeIsTheJavaThisTestCompiles() throws Exception {
    String java = block(Files.readString(README), "java");
    List<String> src = Files.readAllLines(SELF);
    int from = src.indexOf("    // BEGIN VERIFY.md");
    int to = src.indexOf("      // END VERIFY.md");
    String compiled = stripIndent(src.subList(from + 1, to)) + "}\n";
    assertThat(java).isEqualTo(compiled);
  }

  @Test
  void theJavaPolicyInTheReadmeIsTheJavaThisTestCompiles() throws Exception {
    String java = block(Files.readString(README), "java", 1);
    List<String> src = Files.readAllLines(SELF);
    int from = src.indexOf("    // BEGIN VERIFY.md policy");
    int to = src.indexOf("    // END VERIFY.md policy");
    assertThat(java).isEqualTo(stripIndent(src.subList(from + 1, to)));
  }

  /** The Java policy and the YAML policy are the same policy, down to the hash. */
  @Test
  void theJavaPolicyIsTheYamlPolicy(@TempDir Path dir) throws Exception {
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, block(Files.readString(README), "yaml"));
    Path cosignPub = Files.write(dir.resolve("cosign.pub"), Keys.writePublicKeyPem(VerifyFixtures.KEY.getPublic()));
    Policy yaml = Policy.load(policyFile);
    Policy java = javaPolicy(cosignPub);
    assertThat(new String(java.toCanonicalJson(), StandardCharsets.UTF_8))
        .isEqualTo(new String(yaml.toCanonicalJson(), StandardCharsets.UTF_8));
    assertThat(java.hash()).isEqualTo(yaml.hash());
  }

  @Test
  void theReadmePolicyIsFifteenLinesAndVerifiesAnAttestedImage(@TempDir Path dir) throws Exception {
    String yaml = block(Files.readString(README), "yaml");
    assertThat(yaml.lines().count()).isEqualTo(15);
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, yaml);
    Files.write(dir.resolve("cosign.pub"), Keys.writePublicKeyPem(VerifyFixtures.KEY.getPublic()));

    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "acme/app", "v1");
      Attestations.on(registry, "acme/app", image.digest())
          .provenance(VerifyFixtures.provenance())
          .sbom(VerifyFixtures.sbom())
          .vulnerabilities(VerifyFixtures.scan("HIGH", 2, VerifyFixtures.TRIVY, Instant.now()))
          .imageSignature()
          .signWith(VerifyFixtures.SIGNER)
          .attach();
      VerificationReport r = readme(policyFile, server.host() + "/acme/app@" + image.digest());
      assertThat(r.decision()).isEqualTo(Decision.ALLOW);
      assertThat(r.statements()).hasSize(3);
      assertThat(new String(r.toJson(), StandardCharsets.UTF_8)).contains("\"decision\":\"ALLOW\"");
    }
  }
}
