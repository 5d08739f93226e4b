package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every real Sigstore vector of {@code src/test/resources/vectors} (copied from other Sigstore
 * clients' public test data, Apache-2.0; sources, commits and expected results in INDEX.md and
 * each folder's vector.json), verified through the public {@link BlobVerifier}: positives verify,
 * negatives are refused with a reason naming the failing check.
 */
class SigstoreVectorsTest {

  static Path file(String path) {
    try {
      return Path.of(SigstoreVectorsTest.class.getResource("/vectors/" + path).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no test resource vectors/" + path, e);
    }
  }

  static byte[] bytes(String path) throws IOException {
    return Files.readAllBytes(file(path));
  }

  static BlobVerifier keyless(String folder, String san, String issuer) throws Exception {
    return BlobVerifier.keyless(file(folder + "/trusted_root.json"), san, issuer);
  }

  static BlobVerifier.Result verifyFile(BlobVerifier v, String folder, String artifact) throws Exception {
    try (InputStream in = new ByteArrayInputStream(bytes(folder + "/" + artifact))) {
      return v.verify(bytes(folder + "/bundle.sigstore.json"), in);
    }
  }

  static BlobVerifier.Result verifyDigest(BlobVerifier v, String folder, Digest d) throws Exception {
    return v.verify(bytes(folder + "/bundle.sigstore.json"), d);
  }

  static void valid(BlobVerifier.Result r) {
    assertThat(r.valid()).as(r.reason()).isTrue();
  }

  static void invalid(BlobVerifier.Result r, String... reason) {
    assertThat(r.valid()).as(r.reason()).isFalse();
    assertThat(r.reason()).contains(reason);
  }

  static final String GITHUB_OAUTH = "https://github.com/login/oauth";
  static final String GITHUB_ACTIONS = "https://token.actions.githubusercontent.com";
  static final String GOOGLE = "https://accounts.google.com";

  @Test
  void v01RekorV2HashedRekordStaging() throws Exception {
    String f = "01-rekor2-hashedrekord-staging";
    BlobVerifier.Result r = verifyFile(keyless(f, "jku@goto.fi", GITHUB_OAUTH), f, "artifact.txt");
    valid(r);
    assertThat(r.reason()).contains("timestamped at");
  }

  @Test
  void v02RekorV2Dsse002IntotoStagingIsAcceptedByAdr() throws Exception {
    String f = "02-rekor2-dsse002-intoto-staging";
    valid(verifyFile(keyless(f, "insecure-cloudtop-shared-user@cloudtop-prod-us-east.iam.gserviceaccount.com", GOOGLE),
        f, "artifact.txt"));
  }

  @Test
  void v03RekorV2HashedRekordProd() throws Exception {
    String f = "03-rekor2-hashedrekord-prod";
    valid(verifyFile(keyless(f, "brian@dehamer.com", GITHUB_OAUTH), f, "artifact.txt"));
  }

  @Test
  void v04RekorV2Dsse002ProdIsAcceptedByAdr() throws Exception {
    String f = "04-rekor2-dsse002-prod";
    valid(verifyFile(keyless(f, "brian@dehamer.com", GITHUB_OAUTH), f, "dsse_payload.txt"));
  }

  @Test
  void v05TimestampOnlyGitHubPrivateNeedsTrustWithoutLogAndSct() throws Exception {
    String f = "05-tsa-only-keyless-github-private";
    String san = "https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml"
        + "@9f6d9dc1bfc02986955721eb15f89ad618f1cedb";
    Digest subject = Digest.parse("sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551");
    invalid(verifyDigest(keyless(f, san, GITHUB_ACTIONS), f, subject), "no transparency log entry");
    invalid(verifyDigest(keyless(f, san, GITHUB_ACTIONS).transparencyLog(LogRequirement.IGNORED), f, subject),
        "no embedded SCT");
    BlobVerifier.Result r = verifyDigest(keyless(f, san, GITHUB_ACTIONS).transparencyLog(LogRequirement.IGNORED)
        .certificateTransparency(LogRequirement.IGNORED), f, subject);
    valid(r);
    assertThat(r.reason()).contains("timestamped at");
    invalid(verifyDigest(keyless(f, san, GITHUB_ACTIONS).transparencyLog(LogRequirement.IGNORED)
        .certificateTransparency(LogRequirement.IGNORED).minTimestamps(2), f, subject), "requires 2");
  }

  @Test
  void v03VerifiesAgainstSigstoreJsFixtureRootThatListsChainsRootFirst() throws Exception {
    String f = "03-rekor2-hashedrekord-prod";
    BlobVerifier v = BlobVerifier.keyless(file(f + "/trusted_root.sigstore-js-fixture.json"), "brian@dehamer.com",
        GITHUB_OAUTH);
    valid(verifyFile(v, f, "artifact.txt"));
  }

  @Test
  void theSameTimestampTwiceCountsAsOneAuthority() throws Exception {
    String f = "03-rekor2-hashedrekord-prod";
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode n =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bytes(f + "/bundle.sigstore.json"));
    com.fasterxml.jackson.databind.node.ArrayNode tokens = (com.fasterxml.jackson.databind.node.ArrayNode)
        n.at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps");
    assertThat(tokens).hasSize(1);
    tokens.add(tokens.get(0).deepCopy());
    BlobVerifier v = keyless(f, "brian@dehamer.com", GITHUB_OAUTH);
    byte[] twice = json.writeValueAsBytes(n);

    assertThat(v.minTimestamps(1).verify(twice, new ByteArrayInputStream(bytes(f + "/artifact.txt"))).valid()).isTrue();
    invalid(v.minTimestamps(2).verify(twice, new ByteArrayInputStream(bytes(f + "/artifact.txt"))),
        "requires 2", "distinct timestamp authorities", "from 1 authority");
  }

  @Test
  void v06TimestampOnlyManagedKey() throws Exception {
    String f = "06-tsa-only-managed-key";
    BlobVerifier v = BlobVerifier.withKey(TrustedKey.load(file(f + "/public_key.pem")).publicKey())
        .withTrustedRoot(file(f + "/trusted_root.json"));
    valid(verifyFile(v, f, "artifact.txt"));
    valid(verifyFile(v.minTimestamps(1), f, "artifact.txt"));
    invalid(verifyFile(v.transparencyLog(LogRequirement.REQUIRED), f, "artifact.txt"), "no transparency log entry");
  }

  @Test
  void v07RekorV1IntotoKeylessNpmProvenance() throws Exception {
    String f = "07-rekor1-intoto002-keyless-npm-provenance";
    Digest subject = Digest.parse("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06"
        + "fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751");
    BlobVerifier v = keyless(f, "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        GITHUB_ACTIONS);
    // As published (sigstore-js 1.x, 2023): its v0.1 chain ends with the Sigstore root, which the
    // trusted root lists, so it adds nothing and verifies (ConformanceCasesTest refuses a foreign one).
    valid(verifyDigest(v, f, subject));
  }

  @Test
  void v08RekorV1IntotoManagedKeyNpmPublish() throws Exception {
    String f = "08-rekor1-intoto002-managed-key-npm-publish";
    Digest subject = Digest.parse("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06"
        + "fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751");
    BlobVerifier v = BlobVerifier.withKey(TrustedKey.load(file(f + "/public_key.pem")).publicKey());
    valid(verifyDigest(v, f, subject));
    BlobVerifier.Result logged = verifyDigest(v.withTrustedRoot(file(f + "/trusted_root.json"))
        .transparencyLog(LogRequirement.REQUIRED), f, subject);
    valid(logged);
    assertThat(logged.reason()).contains("transparency log entry verified");
  }

  @Test
  void v09RekorV1Dsse001Keyless() throws Exception {
    String f = "09-rekor1-dsse001-keyless";
    valid(verifyFile(keyless(f, "brian@dehamer.com", GITHUB_OAUTH), f, "dsse_payload.txt"));
  }

  @Test
  void v10LogEntryOfAnotherSignatureIsRefused() throws Exception {
    String f = "10-neg-tlog-entry-mismatch-cve-2022-36056";
    invalid(verifyFile(keyless(f, "william@yossarian.net", GITHUB_OAUTH), f, "artifact.txt"),
        "signature in the transparency log entry is not the bundle's signature");
  }

  @Test
  void v11NoSignedTimeIsRefused() throws Exception {
    String f = "11-neg-no-signed-time";
    invalid(verifyFile(keyless(f, "william@yossarian.net", GITHUB_OAUTH), f, "artifact.txt"), "no verified time");
  }

  @Test
  void v12LogTimeOutsideCertificateValidityIsRefused() throws Exception {
    String f = "12-neg-tlog-time-outside-cert-validity";
    invalid(verifyFile(keyless(f, "brian@dehamer.com", GITHUB_OAUTH), f, "artifact.txt"),
        "outside the certificate's validity");
  }

  @Test
  void v13TamperedDssePayloadIsRefused() throws Exception {
    String f = "13-neg-dsse-tampered-payload";
    BlobVerifier v = keyless(f, "brian@dehamer.com", GITHUB_OAUTH);
    BlobVerifier.Result r = v.verify(bytes(f + "/bundle.sigstore.json"), Digest.sha256("hello, world!".getBytes()));
    invalid(r, "DSSE payload does not match the signature");
  }

  @Test
  void v14MissingCheckpointIsRefused() throws Exception {
    String f = "14-neg-missing-checkpoint";
    invalid(verifyFile(keyless(f, "william@yossarian.net", GITHUB_OAUTH), f, "artifact.txt"), "has no checkpoint");
  }

  @Test
  void v15KeylessP384Sha384() throws Exception {
    String f = "15-keyless-ecdsa-p384-sha384";
    String san = "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com";
    valid(verifyFile(keyless(f, san, GOOGLE), f, "artifact.txt"));
    // Given only the sha256, the SHA-384 signature cannot be checked: refused, with that reason.
    invalid(verifyDigest(keyless(f, san, GOOGLE), f, Digest.sha256(bytes(f + "/artifact.txt"))), "SHA-384");
  }

  @Test
  void v16KeylessRsaPkcs1v15() throws Exception {
    String f = "16-keyless-rsa-pkcs1v15-2048";
    valid(verifyFile(keyless(f, "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com", GOOGLE), f,
        "artifact.txt"));
  }
}
