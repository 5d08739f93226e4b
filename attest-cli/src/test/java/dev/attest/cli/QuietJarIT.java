package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.cli.PackagedJar.Run;
import dev.attest.core.Keys;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI prints what it means to and nothing else. Attaching and verifying an SBOM runs
 * cyclonedx-core-java's JSON schema validator, which logs through SLF4J; with no provider SLF4J
 * would print three warnings to standard error on every such run.
 */
class QuietJarIT {
  @TempDir Path dir;

  @Test
  void sbomValidationPrintsNoLoggingNoise() throws Exception {
    KeyPair key = Keys.generateP256();
    Files.write(dir.resolve("attest.key"), Keys.writePrivateKeyPem(key.getPrivate()));
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(key.getPublic()));
    Files.writeString(dir.resolve("bom.json"), """
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
         "components": [{"type": "library", "name": "x", "version": "1", "purl": "pkg:maven/g/x@1"}]}
        """);
    Files.writeString(dir.resolve("policy.yaml"), """
        name: quiet
        trust: {k: {publicKeys: [{path: attest.pub}]}}
        signature: {trust: k}
        attestations:
          - predicateType: https://cyclonedx.org/bom
            trust: k
            sbom: {denyPurls: ["pkg:maven/log4j/*"]}
        """);
    try (EmbeddedRegistry registry = EmbeddedRegistry.builder().inMemory().build().start()) {
      var image = TestImages.pushImage(registry, "quiet/app", "v1");
      String ref = registry.host() + "/quiet/app@" + image.digest();
      PackagedJar jar = new PackagedJar(dir);
      for (String[] args : new String[][] {
        {"sign", ref, "--key", dir.resolve("attest.key").toString()},
        {"attest", ref, "--sbom", dir.resolve("bom.json").toString(), "--key", dir.resolve("attest.key").toString()},
        {"verify", ref, "--policy", dir.resolve("policy.yaml").toString()},
      }) {
        Run r = jar.run(args).succeeds();
        assertThat(r.err()).as(String.join(" ", args)).isEmpty();
        assertThat(r.out()).doesNotContain("SLF4J");
      }
    }
  }
}
