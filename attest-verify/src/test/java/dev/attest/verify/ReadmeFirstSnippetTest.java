package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first snippet, compiled and run: it declares its inputs and closes the verifier. */
class ReadmeFirstSnippetTest {
  static final Path README = Path.of("../README.md");
  static final Path SELF = Path.of("src/test/java/dev/attest/verify/ReadmeFirstSnippetTest.java");

  // BEGIN README
  static VerificationReport release(Registry dev, SlsaProvenance slsa, CycloneDxSbom sbom,
      VulnerabilityScan scan, Signer signer, Policy policy) throws AttestException {
    Digest release = dev.resolve("acme/api", "v1.4.2").digest();       // a tag becomes a digest, once
    Attestations.on(dev, "acme/api", release).provenance(slsa).sbom(sbom).vulnerabilities(scan)
        .imageSignature().signWith(signer).recursive().attach();        // referrers of that digest
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).build()) {
      return verifier.verify(dev, "acme/api", release).orThrow();       // fail-closed, on dev itself
    }
  }
  // END README

  @Test
  void theReadmeCarriesThisCode() throws Exception {
    List<String> src = Files.readAllLines(SELF);
    String code = String.join("\n", src.subList(src.indexOf("  // BEGIN README") + 1, src.indexOf("  // END README")))
        .replaceAll("(?m)^  ", "").replace("static VerificationReport", "VerificationReport");
    assertThat(Files.readString(README)).contains("```java\n" + code + "\n```");
  }

  @Test
  void itAttestsAndVerifiesOnTheRegistryItIsGiven(@TempDir Path dir) throws Exception {
    String yaml = VerifyReadmeTest.block(Files.readString(VerifyReadmeTest.README), "yaml");
    Files.writeString(dir.resolve("policy.yaml"), yaml);
    Files.write(dir.resolve("cosign.pub"), Keys.writePublicKeyPem(VerifyFixtures.KEY.getPublic()));
    Policy policy = Policy.load(dir.resolve("policy.yaml"));
    try (EmbeddedRegistry dev = EmbeddedRegistry.builder().build().start()) {
      ImageManifest image = TestImages.pushImage(dev, "acme/api", "v1.4.2");
      VulnerabilityScan scan = VerifyFixtures.scan("HIGH", 2, VerifyFixtures.TRIVY, Instant.now());
      VerificationReport report = release(dev, VerifyFixtures.provenance(), VerifyFixtures.sbom(), scan,
          VerifyFixtures.SIGNER, policy);
      assertThat(report.admitted()).isTrue();
      assertThat(report.subject()).isEqualTo(image.digest());

      TestImages.pushImage(dev, "acme/api", "v1.4.2"); // a new, unattested image under the tag
      Signer other = Keys.signer(VerifyFixtures.OTHER_KEY);
      assertThatThrownBy(() -> release(dev, VerifyFixtures.provenance(), VerifyFixtures.sbom(), scan, other, policy))
          .isInstanceOf(VerificationException.class);
    }
  }
}
