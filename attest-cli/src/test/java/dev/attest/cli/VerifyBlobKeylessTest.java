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

  @Test
  void regexpFlagsMatchTheWholeIdentityAndIssuer() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Path bundle = dir.resolve("b.json");
    Files.write(bundle, STACK.signBlob(new byte[] {7}, CI).bytes());
    String digest = dev.attest.core.Digest.sha256(new byte[] {7}).toString();
    String b = bundle.toString();
    String r = root.toString();

    Result both = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity-regexp", "https://github\\.com/acme/app/.*",
        "--certificate-oidc-issuer-regexp", "https://token\\.actions\\.githubusercontent\\.com");
    assertThat(both.exitCode()).as(both.toString()).isZero();
    assertThat(both.out()).contains("signed by " + CI.san());
    Result mixed = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity", CI.san(), "--certificate-oidc-issuer-regexp", "https://token\\.actions\\..*");
    assertThat(mixed.exitCode()).as(mixed.toString()).isZero();

    // Anchored: a regexp matching only part of the SAN or issuer does not match.
    Result partialSan = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity-regexp", "acme/app", "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER);
    assertThat(partialSan.exitCode()).as(partialSan.toString()).isEqualTo(1);
    assertThat(partialSan.out()).contains("SAN").contains("matching /acme/app/");
    Result partialIssuer = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity", CI.san(), "--certificate-oidc-issuer-regexp", "token\\.actions");
    assertThat(partialIssuer.exitCode()).as(partialIssuer.toString()).isEqualTo(1);
    assertThat(partialIssuer.out()).contains("issuer").contains("matching /token");
    Result otherRepo = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity-regexp", "https://github\\.com/other/.*", "--certificate-oidc-issuer-regexp", ".*");
    assertThat(otherRepo.exitCode()).isEqualTo(1);

    // The exact flag and its -regexp twin are mutually exclusive; a bad expression is a usage error.
    Result twinSan = run("verify-blob", digest, "--bundle", b, "--trusted-root", r, "--certificate-identity", CI.san(),
        "--certificate-identity-regexp", ".*", "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER);
    assertThat(twinSan.exitCode()).isEqualTo(2);
    assertThat(twinSan.err()).contains("mutually exclusive");
    Result twinIssuer = run("verify-blob", digest, "--bundle", b, "--trusted-root", r, "--certificate-identity", CI.san(),
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--certificate-oidc-issuer-regexp", ".*");
    assertThat(twinIssuer.exitCode()).isEqualTo(2);
    Result badRegex = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity-regexp", "https://github.com/(acme", "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER);
    assertThat(badRegex.exitCode()).isEqualTo(2);
    assertThat(badRegex.err()).contains("--certificate-identity-regexp is not a valid regular expression");
    Result badIssuerRegex = run("verify-blob", digest, "--bundle", b, "--trusted-root", r,
        "--certificate-identity", CI.san(), "--certificate-oidc-issuer-regexp", "[");
    assertThat(badIssuerRegex.exitCode()).isEqualTo(2);
    Result noIssuer = run("verify-blob", digest, "--bundle", b, "--trusted-root", r, "--certificate-identity-regexp", ".*");
    assertThat(noIssuer.exitCode()).isEqualTo(2);
    Result keyToo = run("verify-blob", digest, "--bundle", b, "--key", r, "--certificate-identity-regexp", ".*");
    assertThat(keyToo.exitCode()).isEqualTo(2);
  }
}
