package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobVerifierTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final Identity CI = Identity.githubActions("acme/app", "refs/heads/main", ".github/workflows/release.yml");
  static final byte[] BLOB = "release notes\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void keylessMessageSignatureVerifiesForTheExactIdentityOnly() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    byte[] bundle = STACK.signBlob(BLOB, CI).bytes();
    BlobVerifier.Result ok = BlobVerifier.keyless(root, CI.san(), SigstoreTestStack.GITHUB_ISSUER)
        .verify(bundle, Digest.sha256(BLOB));
    assertThat(ok.valid()).as(ok.reason()).isTrue();
    assertThat(ok.signer()).isEqualTo(CI.san());
    assertThat(ok.content()).isEqualTo("message-signature");

    BlobVerifier.Result otherIssuer = BlobVerifier.keyless(root, CI.san(), "https://accounts.google.com")
        .verify(bundle, Digest.sha256(BLOB));
    assertThat(otherIssuer.valid()).isFalse();
    assertThat(otherIssuer.reason()).contains("issuer");

    BlobVerifier.Result otherBlob = BlobVerifier.keyless(root, CI.san(), SigstoreTestStack.GITHUB_ISSUER)
        .verify(bundle, Digest.sha256("other".getBytes(StandardCharsets.UTF_8)));
    assertThat(otherBlob.valid()).isFalse();
  }

  @Test
  void keylessDsseNeedsTheArtifactAsSubject() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Digest d = Digest.sha256(BLOB);
    SlsaProvenance p = SlsaProvenance.fromGitHubActions(java.util.Map.ofEntries(
        java.util.Map.entry("GITHUB_SERVER_URL", "https://github.com"), java.util.Map.entry("GITHUB_REPOSITORY", "acme/app"),
        java.util.Map.entry("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/heads/main"),
        java.util.Map.entry("GITHUB_REF", "refs/heads/main"), java.util.Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        java.util.Map.entry("GITHUB_RUN_ID", "1"), java.util.Map.entry("GITHUB_RUN_ATTEMPT", "1"),
        java.util.Map.entry("GITHUB_EVENT_NAME", "push"), java.util.Map.entry("GITHUB_REPOSITORY_ID", "1"),
        java.util.Map.entry("GITHUB_REPOSITORY_OWNER_ID", "2"), java.util.Map.entry("RUNNER_ENVIRONMENT", "github-hosted")));
    byte[] bundle = STACK.signDsse(Statement.of(List.of(Subject.of("notes.txt", d)), p), CI).bytes();
    BlobVerifier v = BlobVerifier.keyless(root, CI.san(), SigstoreTestStack.GITHUB_ISSUER);
    assertThat(v.verify(bundle, d).valid()).as(v.verify(bundle, d).reason()).isTrue();
    assertThat(v.verify(bundle, Digest.sha256(new byte[] {1})).valid()).isFalse();
  }

  @Test
  void keyVerificationRefusesKeylessBundlesAndOtherKeys() throws Exception {
    KeyPair key = Keys.generateP256();
    Signer signer = Keys.signer(key);
    Digest d = Digest.sha256(BLOB);
    byte[] bundle = SigstoreBundle.ofMessageSignature(d, signer.sign(BLOB), signer.hint()).bytes();
    assertThat(BlobVerifier.withKey(key.getPublic()).verify(bundle, d).valid()).isTrue();
    BlobVerifier.Result other = BlobVerifier.withKey(Keys.generateP256().getPublic()).verify(bundle, d);
    assertThat(other.valid()).isFalse();
    assertThat(other.reason()).contains("does not verify");
    BlobVerifier.Result keyless = BlobVerifier.withKey(key.getPublic()).verify(STACK.signBlob(BLOB, CI).bytes(), d);
    assertThat(keyless.valid()).isFalse();
    assertThat(keyless.reason()).contains("certificate");
    byte[] dsse = SigstoreBundle.ofDsse(DsseEnvelope.sign(
        Statement.of(List.of(Subject.of("x", Digest.sha256(new byte[] {2}))), "https://example.com/p/v1",
            "{}".getBytes(StandardCharsets.UTF_8)), signer),
        signer.hint()).bytes();
    assertThat(BlobVerifier.withKey(key.getPublic()).verify(dsse, d).reason()).contains("subjects do not include");
  }

  @Test
  void aTrustedRsaKeyVerifiesPssAndPkcs1Signatures() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair rsa = g.generateKeyPair();
    byte[] blob = "an artifact signed with RSA-PSS".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(blob);

    java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
    pss.setParameter(new java.security.spec.PSSParameterSpec(
        "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
    pss.initSign(rsa.getPrivate());
    pss.update(blob);
    byte[] pssSig = pss.sign();
    java.security.Signature pkcs1 = java.security.Signature.getInstance("SHA256withRSA");
    pkcs1.initSign(rsa.getPrivate());
    pkcs1.update(blob);
    byte[] pkcs1Sig = pkcs1.sign();

    BlobVerifier v = BlobVerifier.withKey(rsa.getPublic());
    BlobVerifier.Result r = v.verify(SigstoreBundle.ofMessageSignature(d, pssSig, "").bytes(), d);
    assertThat(r.valid()).as(r.reason()).isTrue();
    r = v.verify(SigstoreBundle.ofMessageSignature(d, pkcs1Sig, "").bytes(), d);
    assertThat(r.valid()).as(r.reason()).isTrue();

    byte[] bad = pssSig.clone();
    bad[10] ^= 1;
    r = v.verify(SigstoreBundle.ofMessageSignature(d, bad, "").bytes(), d);
    assertThat(r.valid()).isFalse();
    assertThat(r.reason()).contains("does not verify", "PKIX_RSA_PSS_2048_SHA256");
  }
}
