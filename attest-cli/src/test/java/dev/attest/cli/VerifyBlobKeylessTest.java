package dev.attest.cli;

import static dev.attest.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
import dev.attest.core.Keys;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify-blob keyless, offline, on bundles from attest-verify's Sigstore test stack. */
class VerifyBlobKeylessTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final Identity CI = Identity.githubActions("acme/app", "refs/heads/main", ".github/workflows/release.yml");

  @TempDir Path dir;

  @Test
  void keylessBundleVerifiesForItsIdentityAndIssuerOnly() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "release notes\n");
    Path bundle = dir.resolve("notes.sigstore.json");
    Files.write(bundle, STACK.signBlob(Files.readAllBytes(file), CI).bytes());

    Result ok = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--certificate-identity", CI.san(),
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", root.toString());
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("Verified OK").contains("signed by " + CI.san());

    Result wrongIssuer = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--certificate-identity",
        CI.san(), "--certificate-oidc-issuer", "https://accounts.google.com", "--trusted-root", root.toString(),
        "--output", "json");
    assertThat(wrongIssuer.exitCode()).isEqualTo(1);
    JsonNode j = new ObjectMapper().readTree(wrongIssuer.out());
    assertThat(j.get("valid").asBoolean()).isFalse();
    assertThat(j.get("reason").asText()).contains("issuer");

    Path otherRoot = SigstoreTestStack.create("other").writeTrustedRoot(dir.resolve("other_root.json"));
    Result untrusted = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--certificate-identity",
        CI.san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", otherRoot.toString());
    assertThat(untrusted.exitCode()).as(untrusted.toString()).isEqualTo(1);

    Files.writeString(file, "release notes!\n", StandardCharsets.UTF_8);
    Result changed = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--certificate-identity",
        CI.san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", root.toString());
    assertThat(changed.exitCode()).isEqualTo(1);
    assertThat(changed.out()).contains("INVALID");
  }

  @Test
  void keyAndKeylessAreMutuallyExclusiveAndKeylessNeedsAllThree() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Path pub = dir.resolve("k.pub");
    Files.write(pub, Keys.writePublicKeyPem(Keys.generateP256().getPublic()));
    Path bundle = dir.resolve("b.json");
    Files.write(bundle, STACK.signBlob(new byte[] {1}, CI).bytes());
    String digest = dev.attest.core.Digest.sha256(new byte[] {1}).toString();

    Result both = run("verify-blob", digest, "--bundle", bundle.toString(), "--key", pub.toString(),
        "--certificate-identity", CI.san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER);
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    Result noIssuer = run("verify-blob", digest, "--bundle", bundle.toString(), "--certificate-identity", CI.san(),
        "--trusted-root", root.toString());
    assertThat(noIssuer.exitCode()).isEqualTo(2);
    Result noRoot = run("verify-blob", digest, "--bundle", bundle.toString(), "--certificate-identity", CI.san(),
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER);
    assertThat(noRoot.exitCode()).isEqualTo(2);
    assertThat(noRoot.err()).contains("--trusted-root");
    assertThat(run("verify-blob", digest, "--bundle", bundle.toString()).exitCode()).isEqualTo(2);
    // A keyless bundle given a key is invalid, not a usage error.
    Result withKey = run("verify-blob", digest, "--bundle", bundle.toString(), "--key", pub.toString());
    assertThat(withKey.exitCode()).isEqualTo(1);
    assertThat(withKey.out()).contains("certificate");
  }
}
