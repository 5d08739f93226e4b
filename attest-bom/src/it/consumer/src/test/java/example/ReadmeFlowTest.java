package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.promote.Promotion;
import dev.attest.promote.PromotionReport;
import dev.attest.registry.Attestations;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's flow from a consumer project, on whatever Jackson 2 this invoker run manages: a
 * tag becomes a digest; provenance, SBOM, a Trivy scan and the image signature are attached as
 * referrers; the policy verifies it; the digest is promoted, gated and verified again.
 */
class ReadmeFlowTest {

  static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("GITHUB_SERVER_URL", "https://github.com"),
      Map.entry("GITHUB_REPOSITORY", "acme/api"),
      Map.entry("GITHUB_WORKFLOW_REF", "acme/api/.github/workflows/release.yml@refs/tags/v1.4.2"),
      Map.entry("GITHUB_REF", "refs/tags/v1.4.2"),
      Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
      Map.entry("GITHUB_RUN_ID", "42"),
      Map.entry("GITHUB_RUN_ATTEMPT", "1"),
      Map.entry("GITHUB_EVENT_NAME", "push"),
      Map.entry("GITHUB_REPOSITORY_ID", "7"),
      Map.entry("GITHUB_REPOSITORY_OWNER_ID", "8"));

  static final byte[] BOM = ("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
      + "\"metadata\":{\"component\":{\"type\":\"application\",\"name\":\"api \uD83D\uDE80\"}},"
      + "\"components\":[{\"type\":\"library\",\"name\":\"jackson-databind\",\"version\":\"2.23.0\","
      + "\"purl\":\"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0\"}]}")
      .getBytes(StandardCharsets.UTF_8);

  static final byte[] TRIVY = ("{\"SchemaVersion\":2,\"CreatedAt\":\"2026-11-25T12:00:00Z\","
      + "\"Trivy\":{\"Version\":\"0.58.1\"},\"Results\":[{\"Target\":\"api\",\"Vulnerabilities\":["
      + "{\"VulnerabilityID\":\"CVE-2026-0001\",\"PkgName\":\"x\",\"Severity\":\"LOW\"}]}]}")
      .getBytes(StandardCharsets.UTF_8);

  @Test
  void attachVerifyAndPromote() throws Exception {
    KeyPair key = Keys.generateP256();
    Signer signer = Keys.signer(key);
    SlsaProvenance slsa = SlsaProvenance.fromGitHubActions(ENV);
    Policy policy = Policy.builder("acme-api")
        .trust("release", Policy.Trust.ofKeys(TrustedKey.ofSpki(key.getPublic().getEncoded())))
        .signedBy("release")
        .attestation(Policy.AttestationRule.slsa("release", Policy.SlsaRule.builders(slsa.builderId())))
        .attestation(Policy.AttestationRule.sbom("release",
            Policy.SbomRule.denyingPurls("pkg:maven/org.apache.logging.log4j/log4j-core@2.14*")))
        .attestation(Policy.AttestationRule.of(VulnerabilityScan.COSIGN_VULN_V1, "release"))
        .build();

    try (EmbeddedRegistry dev = EmbeddedRegistry.builder().inMemory().build().start();
        EmbeddedRegistry prod = EmbeddedRegistry.builder().inMemory().build().start()) {
      TestImages.pushImage(dev, "acme/api", "v1.4.2");
      Digest release = dev.resolve("acme/api", "v1.4.2").digest();           // a tag becomes a digest, once
      Attestations.on(dev, "acme/api", release).provenance(slsa).sbom(BOM).vulnerabilities(TRIVY)
          .imageSignature().signWith(signer).attach();                         // referrers of that digest
      String ref = dev.host() + "/acme/api@" + release;
      try (PolicyVerifier verifier = PolicyVerifier.builder(policy).build()) {
        VerificationReport report = verifier.verify(ref).orThrow();            // fail-closed
        assertEquals(release, report.subject());
        PromotionReport promoted = Promotion.of(ref).from(dev).to(prod, "acme/api").tags("v1.4.2")
            .gate(policy, verifier).verifyAfter().execute();
        assertTrue(promoted.admitted());
        assertEquals(release, prod.resolve("acme/api", "v1.4.2").digest());
        assertEquals(VerificationReport.Decision.ALLOW, verifier.verify(prod.host() + "/acme/api@" + release).decision());
      }
    }
  }
}
