package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.Decision;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyless bundles from the Sigstore test stack, attached as given and verified offline. */
class PolicyVerifierKeylessTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final Identity CI = Identity.githubActions("acme/app", "refs/heads/main", ".github/workflows/release.yml");

  @TempDir Path dir;

  /**
   * cosign 3's image signature statement, but with a subject name: sigstore-java 2.0.0 cannot parse
   * a DSSE payload whose subject has no name, which is what cosign 3 writes (see the report).
   */
  static Statement cosignSign(Digest d) throws Exception {
    String json = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\"" + d.hex()
        + "\"}}],\"predicateType\":\"" + Attestations.COSIGN_SIGN_PREDICATE_TYPE + "\",\"predicate\":{}}";
    return Statement.parse(json.getBytes(StandardCharsets.US_ASCII));
  }

  Policy policy(KeylessIdentity id) {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    return Policy.builder("keyless")
        .trust("ci", Trust.ofKeyless(root, id))
        .signedBy("ci")
        .attestation(AttestationRule.slsa("ci", VerifyFixtures.slsaRule()))
        .build();
  }

  static KeylessIdentity expected() {
    return KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER, CI.san())
        .withSourceRepositoryUri("https://github.com/acme/app")
        .withSourceRepositoryRef("refs/heads/main")
        .withRunnerEnvironment("github-hosted");
  }

  VerificationReport verify(Policy policy, Identity signer) throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().referrersApi(false).build().start();
        Registry registry = Registry.remote(server.host());
        PolicyVerifier v = PolicyVerifier.builder(policy).registry(registry).clock(VerifyFixtures.CLOCK).build()) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Statement provenance = Statement.of(List.of(Subject.of("app", image.digest())), VerifyFixtures.provenance());
      Attestations.on(registry, "app", image.digest())
          .bundle(STACK.signDsse(cosignSign(image.digest()), signer).bytes())
          .bundle(STACK.signDsse(provenance, signer).bytes())
          .attach();
      return v.verify(registry, "app", image.digest().toString());
    }
  }

  @Test
  void keylessSignatureAndProvenanceVerifyOfflineAgainstTheTrustedRoot() throws Exception {
    VerificationReport r = verify(policy(expected()), CI);
    assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
    assertThat(r.checks()).extracting(Check::reason).allSatisfy(reason -> assertThat(reason).contains(CI.san()));
    assertThat(r.statements()).extracting(VerificationReport.VerifiedStatement::predicateType)
        .containsExactly(SlsaProvenance.PREDICATE_TYPE);
  }

  @Test
  void anotherRepositoryOrRefOrIssuerIsDenied() throws Exception {
    Identity fork = Identity.githubActions("evil/app", "refs/heads/main", ".github/workflows/release.yml");
    VerificationReport r = verify(policy(expected()), fork);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.failures()).hasSize(2).allSatisfy(c -> assertThat(c.reason()).contains("certificate SAN is"));

    KeylessIdentity wantsTag = expected().withSourceRepositoryRef("refs/tags/v1");
    VerificationReport ref = verify(policy(wantsTag), CI);
    assertThat(ref.decision()).isEqualTo(Decision.DENY);
    assertThat(ref.failures()).allSatisfy(c -> assertThat(c.reason()).contains("source repository ref"));

    VerificationReport issuer = verify(policy(KeylessIdentity.exact("https://accounts.google.com", CI.san())), CI);
    assertThat(issuer.decision()).isEqualTo(Decision.DENY);
    assertThat(issuer.failures()).allSatisfy(c -> assertThat(c.reason()).contains("OIDC issuer"));
  }

  @Test
  void aBundleFromAnUntrustedSigstoreIsDenied() throws Exception {
    SigstoreTestStack other = SigstoreTestStack.create("other");
    Path root = other.writeTrustedRoot(dir.resolve("other_root.json"));
    Policy p = Policy.builder("keyless").trust("ci", Trust.ofKeyless(root, expected())).signedBy("ci").build();
    VerificationReport r = verify(p, CI);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.failures()).extracting(Check::name).containsExactly("signature");
  }

  @Test
  void aMissingTrustedRootDeniesWithTheReason() throws Exception {
    Policy p = Policy.builder("keyless").trust("ci", Trust.ofKeyless(dir.resolve("nope.json"), expected()))
        .signedBy("ci").build();
    VerificationReport r = verify(p, CI);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.failures().get(0).reason()).contains("nope.json");
  }

  /**
   * cosign 3's image signature statement has a subject without a name; sigstore-java 2.0.0's
   * statement parser refuses it, so the DSSE path no longer relies on that parser.
   */
  @Test
  void aKeylessImageSignatureWithoutSubjectNameIsAllowed() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host());
        PolicyVerifier v = PolicyVerifier.builder(
            Policy.builder("keyless").trust("ci", Trust.ofKeyless(STACK.writeTrustedRoot(dir.resolve("r.json")), expected()))
                .signedBy("ci").build()).registry(registry).build()) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      String nameless = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"digest\":{\"sha256\":\""
          + image.digest().hex() + "\"}}],\"predicateType\":\"" + Attestations.COSIGN_SIGN_PREDICATE_TYPE
          + "\",\"predicate\":{}}";
      Attestations.on(registry, "app", image.digest())
          .bundle(STACK.signDsse(Statement.parse(nameless.getBytes(StandardCharsets.US_ASCII)), CI).bytes())
          .attach();
      VerificationReport r = v.verify(registry, "app", image.digest().toString());
      assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
      assertThat(r.checks()).extracting(Check::reason).anySatisfy(reason -> assertThat(reason).contains(CI.san()));
    }
  }
}
