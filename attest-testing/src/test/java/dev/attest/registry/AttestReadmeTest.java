package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ATTEST.md's example compiles, runs, and is the code in this file. */
class AttestReadmeTest {
  private static final String SOURCE = "src/test/java/dev/attest/registry/AttestReadmeTest.java";

  @TempDir Path tmp;

  static List<DiscoveredAttestation> example(String host, Digest digest, Path keyFile, Path bomFile, Map<String, String> env)
      throws Exception {
    // ---- ATTEST.md ----
    Signer signer = Keys.signer(Keys.readPrivateKeyPem(Files.readAllBytes(keyFile)));
    try (Registry registry = Registry.remote(host)) {
      AttachResult attached = Attestations.on(registry, "team/app", digest)   // digest of an image or index
          .provenance(SlsaProvenance.fromGitHubActions(env))   // env: System.getenv() in a job
          .sbom(Files.readAllBytes(bomFile))                                   // CycloneDX JSON, schema-checked
          .imageSignature()                                                    // as cosign sign --new-bundle-format
          .signWith(signer).recursive().attach();                              // validate + sign all, then push
      List<DiscoveredAttestation> found = Attestations.read(registry, "team/app", digest);  // unverified
      // ---- end ----
      assertThat(attached.referrers()).hasSize(3);
      return found;
    }
  }

  @Test
  void exampleRuns() throws Exception {
    Path key = Files.write(tmp.resolve("key.pem"), Keys.writePrivateKeyPem(AttestFixtures.KEY.getPrivate()));
    Path bom = Files.write(tmp.resolve("bom.json"), AttestFixtures.sbom().json());
    Map<String, String> env = Map.ofEntries(
        Map.entry("GITHUB_SERVER_URL", "https://github.com"),
        Map.entry("GITHUB_REPOSITORY", "acme/app"),
        Map.entry("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/heads/main"),
        Map.entry("GITHUB_REF", "refs/heads/main"),
        Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        Map.entry("GITHUB_RUN_ID", "1"),
        Map.entry("GITHUB_RUN_ATTEMPT", "1"),
        Map.entry("GITHUB_EVENT_NAME", "push"),
        Map.entry("GITHUB_REPOSITORY_ID", "1"),
        Map.entry("GITHUB_REPOSITORY_OWNER_ID", "2"));
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start()) {
      var image = TestImages.pushImage(server, "team/app", "v1");
      List<DiscoveredAttestation> found = example(server.host(), image.digest(), key, bom, env);
      assertThat(found).hasSize(3).allSatisfy(d -> assertThat(d.problem()).isEmpty());
    }
  }

  @Test
  void readmeShowsThisCode() throws Exception {
    String md = Files.readString(Path.of("../attest-registry/ATTEST.md"), StandardCharsets.UTF_8);
    String snippet = md.substring(md.indexOf("```java") + 7, md.indexOf("```", md.indexOf("```java") + 7));
    String source = Files.readString(Path.of(SOURCE), StandardCharsets.UTF_8);
    String marked = source.substring(source.indexOf("// ---- ATTEST.md ----"), source.indexOf("// ---- end ----"));
    List<String> readme = snippet.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("}")).toList();
    List<String> code = marked.lines().map(String::strip).filter(l -> !l.startsWith("//")).toList();
    assertThat(readme).isNotEmpty().allSatisfy(line -> assertThat(code).contains(line));
  }
}
