package dev.attest.maven.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.ImageManifest;
import dev.attest.core.SlsaProvenance;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless signing as the plugin does it in a GitHub Actions job with {@code id-token: write}:
 * against the Sigstore test stack (an Actions-like token endpoint, Fulcio, Rekor) over HTTP, into
 * attest's embedded registry, then verified by a keyless policy with the stack's trusted root.
 */
class SigningKeylessTest {
  @TempDir Path tmp;

  static Map<String, String> run(SigstoreHttpStack http) {
    Map<String, String> env = new HashMap<>(http.githubActionsEnv());
    env.put("GITHUB_SERVER_URL", "https://github.com");
    env.put("GITHUB_REPOSITORY", "acme/app");
    env.put("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/heads/main");
    env.put("GITHUB_REF", "refs/heads/main");
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_RUN_ID", "7");
    env.put("GITHUB_RUN_ATTEMPT", "1");
    env.put("GITHUB_EVENT_NAME", "push");
    env.put("GITHUB_REPOSITORY_ID", "11");
    env.put("GITHUB_REPOSITORY_OWNER_ID", "12");
    return env;
  }

  @Test
  void keylessByDefaultWhenTheJobMayRequestATokenAndThePolicyAdmitsIt() throws Exception {
    SigstoreTestStack stack = SigstoreTestStack.create("plugin");
    try (SigstoreHttpStack http = SigstoreHttpStack.start(stack);
        EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = RemoteRegistry.builder(server.host()).build()) {
      ImageManifest image = TestImages.pushImage(server, "acme/app", "v1");
      Map<String, String> env = run(http);
      Signing s = Signing.configure(
          new Signing.Options(null, "ATTEST_NO_SUCH_KEY_VARIABLE", null, null, http.url(), http.url()), env);
      assertThat(s.isKeyless()).isTrue();
      assertThat(Signing.describe(new Signing.Options(null, "X", null, null, null, null), env)).startsWith("keyless");

      SlsaProvenance provenance = s.gitHubActionsProvenance(env);
      assertThat(provenance.builderId()).isEqualTo(http.identity().san());
      AttachResult attested = s.attest(registry, "acme/app", image.digest(), List.of(provenance), false);
      AttachResult signed = s.signImage(registry, "acme/app", image.digest(), false);
      assertThat(attested.referrers()).hasSize(1);
      assertThat(signed.referrers()).hasSize(1);

      Policy policy = Policy.builder("keyless")
          .trust("release", Policy.Trust.ofKeyless(stack.writeTrustedRoot(tmp.resolve("trusted_root.json")),
              Policy.KeylessIdentity.matching(SigstoreTestStack.GITHUB_ISSUER,
                  "https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/main")))
          .signedBy("release")
          .attestation(Policy.AttestationRule.slsa("release", Policy.SlsaRule.builders(http.identity().san())))
          .build();
      try (PolicyVerifier v = PolicyVerifier.builder(policy).registry(registry).build()) {
        VerificationReport r = v.verify(server.host() + "/acme/app@" + image.digest());
        assertThat(r.admitted()).as(r.toTable()).isTrue();
      }
    }
  }

  @Test
  void aKeyWinsOverKeylessAndKeylessFalseWithoutAKeyFails() throws Exception {
    SigstoreTestStack stack = SigstoreTestStack.create("plugin-key");
    try (SigstoreHttpStack http = SigstoreHttpStack.start(stack)) {
      Map<String, String> env = run(http);
      assertThatThrownBy(() -> Signing.configure(new Signing.Options(null, "X", false, null, null, null), env))
          .isInstanceOf(MojoExecutionException.class).hasMessageContaining("nothing to sign with");
      assertThat(Signing.describe(new Signing.Options(tmp.resolve("k.pem"), "X", null, null, null, null), env))
          .startsWith("private key file");
    }
  }

  @Test
  void outsideGitHubActionsNothingSigns() {
    assertThatThrownBy(() -> Signing.configure(new Signing.Options(null, "X", null, null, null, null), Map.of()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("id-token: write");
    assertThatThrownBy(() -> Signing.configure(new Signing.Options(null, "X", true, null, null, null), Map.of()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("keyless");
  }
}
