package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.verify.internal.sigstore.TrustedRoot;
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
  void aTrustedRootOverTheBoundIsRefusedBeforeItIsParsed() throws Exception {
    Path root = dir.resolve("huge_trusted_root.json");
    // Valid JSON up to the bound, then one byte more: the size, not the parse, refuses it.
    byte[] big = new byte[TrustedRoot.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    java.nio.file.Files.write(root, big);
    assertThatThrownBy(() -> BlobVerifier.keyless(root, "a@example.com", "https://issuer.example"))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("trusted root " + root)
        .hasMessageContaining(String.valueOf(TrustedRoot.MAX_BYTES));
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

  /** hashedrekord signs digests, so an Ed25519 key signs message signatures with Ed25519ph (ADR 0030). */
  @Test
  void aTrustedEd25519KeyVerifiesEd25519phMessageSignatures() throws Exception {
    KeyPair ed = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] blob = "an artifact signed with Ed25519ph".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.fromHash(Digest.Algorithm.SHA512, java.security.MessageDigest.getInstance("SHA-512").digest(blob));
    byte[] ph = edSign(ed, blob, true);
    BlobVerifier v = BlobVerifier.withKey(ed.getPublic());
    BlobVerifier.Result r = v.verify(SigstoreBundle.ofMessageSignature(d, ph, "").bytes(),
        new java.io.ByteArrayInputStream(blob));
    assertThat(r.valid()).as(r.reason()).isTrue();
    // The same bundle over another artifact, a changed signature, another key: refused.
    r = v.verify(SigstoreBundle.ofMessageSignature(d, ph, "").bytes(), new java.io.ByteArrayInputStream(
        "another artifact".getBytes(StandardCharsets.UTF_8)));
    assertThat(r.valid()).isFalse();
    byte[] bad = ph.clone();
    bad[40] ^= 1;
    r = v.verify(SigstoreBundle.ofMessageSignature(d, bad, "").bytes(), new java.io.ByteArrayInputStream(blob));
    assertThat(r.valid()).isFalse();
    assertThat(r.reason()).contains("does not verify", "PKIX_ED25519_PH");
    KeyPair other = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertThat(BlobVerifier.withKey(other.getPublic()).verify(SigstoreBundle.ofMessageSignature(d, ph, "").bytes(),
        new java.io.ByteArrayInputStream(blob)).valid()).isFalse();
    // A pure Ed25519 signature cannot be a hashedrekord message signature: refused.
    r = v.verify(SigstoreBundle.ofMessageSignature(d, edSign(ed, blob, false), "").bytes(),
        new java.io.ByteArrayInputStream(blob));
    assertThat(r.valid()).isFalse();
    // Only the SHA-256 known: the SHA-512 the signature covers is unknown, refused with that reason.
    r = v.verify(SigstoreBundle.ofMessageSignature(d, ph, "").bytes(), Digest.sha256(blob));
    assertThat(r.valid()).isFalse();
  }

  @Test
  void aTrustedEd25519KeyVerifiesPureAndPrehashedDsse() throws Exception {
    KeyPair ed = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] payload = "hello, ed25519".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(payload);
    for (boolean prehash : new boolean[] {false, true}) {
      byte[] pae = pae("text/plain", payload);
      byte[] sig = edSign(ed, pae, prehash);
      byte[] bundle = dsseBundle(payload, sig);
      BlobVerifier.Result r = BlobVerifier.withKey(ed.getPublic()).verify(bundle, d);
      assertThat(r.valid()).as("prehash %s: %s", prehash, r.reason()).isTrue();
      TrustedKey only = TrustedKey.ofSpki(ed.getPublic().getEncoded())
          .withKeyDetails(prehash ? "PKIX_ED25519" : "PKIX_ED25519_PH");
      r = BlobVerifier.withKey(only).verify(bundle, d);
      assertThat(r.valid()).as("the other scheme than keyDetails names").isFalse();
      assertThat(r.reason()).contains("keyDetails allow only");
    }
  }

  /** A trusted key's keyDetails (ADR 0030) admits only that algorithm: PSS or PKCS#1 v1.5, not both. */
  @Test
  void keyDetailsRestrictATrustedRsaKeyToOneScheme() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair rsa = g.generateKeyPair();
    byte[] blob = "restricted".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(blob);
    java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
    pss.setParameter(new java.security.spec.PSSParameterSpec(
        "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
    pss.initSign(rsa.getPrivate());
    pss.update(blob);
    byte[] pssBundle = SigstoreBundle.ofMessageSignature(d, pss.sign(), "").bytes();
    java.security.Signature pkcs1 = java.security.Signature.getInstance("SHA256withRSA");
    pkcs1.initSign(rsa.getPrivate());
    pkcs1.update(blob);
    byte[] pkcs1Bundle = SigstoreBundle.ofMessageSignature(d, pkcs1.sign(), "").bytes();

    TrustedKey key = TrustedKey.ofSpki(rsa.getPublic().getEncoded());
    assertThat(BlobVerifier.withKey(key).verify(pssBundle, d).valid()).isTrue();
    assertThat(BlobVerifier.withKey(key).verify(pkcs1Bundle, d).valid()).isTrue();

    BlobVerifier pkcs1Only = BlobVerifier.withKey(key.withKeyDetails("PKIX_RSA_PKCS1V15_2048_SHA256"));
    assertThat(pkcs1Only.verify(pkcs1Bundle, d).valid()).isTrue();
    BlobVerifier.Result r = pkcs1Only.verify(pssBundle, d);
    assertThat(r.valid()).isFalse();
    assertThat(r.reason()).contains("PKIX_RSA_PKCS1V15_2048_SHA256", "keyDetails allow only");

    BlobVerifier pssOnly = BlobVerifier.withKey(key.withKeyDetails("PKIX_RSA_PSS_2048_SHA256"));
    assertThat(pssOnly.verify(pssBundle, d).valid()).isTrue();
    assertThat(pssOnly.verify(pkcs1Bundle, d).valid()).isFalse();

    // Details that do not fit the key, or are not in the registry, are refused when the key is made.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> key.withKeyDetails("PKIX_RSA_PSS_4096_SHA256"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> key.withKeyDetails("PKIX_ECDSA_P256_SHA_256"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> key.withKeyDetails("PKIX_RSA_PKCS1V5"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one attest verifies");
  }

  private static byte[] edSign(KeyPair k, byte[] msg, boolean prehash) throws Exception {
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    if (prehash) {
      s.setParameter(new java.security.spec.EdDSAParameterSpec(true));
    }
    s.initSign(k.getPrivate());
    s.update(msg);
    return s.sign();
  }

  private static byte[] pae(String type, byte[] payload) {
    byte[] head = ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(head, head.length + payload.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  private static byte[] dsseBundle(byte[] payload, byte[] sig) {
    String b = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"\"}},"
        + "\"dsseEnvelope\":{\"payload\":\"" + java.util.Base64.getEncoder().encodeToString(payload) + "\","
        + "\"payloadType\":\"text/plain\",\"signatures\":[{\"sig\":\""
        + java.util.Base64.getEncoder().encodeToString(sig) + "\",\"keyid\":\"\"}]}}";
    return b.getBytes(StandardCharsets.UTF_8);
  }
}
