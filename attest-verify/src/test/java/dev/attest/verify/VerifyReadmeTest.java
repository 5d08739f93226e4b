package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.VerificationReport.Decision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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

  static String block(String markdown, String lang) {
    Matcher m = Pattern.compile("```" + lang + "\n(.*?)```", Pattern.DOTALL).matcher(markdown);
    assertThat(m.find()).as("a ```" + lang + " block in VERIFY.md").isTrue();
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
