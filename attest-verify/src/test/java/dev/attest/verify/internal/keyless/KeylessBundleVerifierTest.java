package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Statement;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Subject;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import dev.attest.verify.testing.SigstoreTestStack.Options;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeylessBundleVerifierTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final String REPO = "acme/app";
  static final String WORKFLOW = ".github/workflows/release.yml";
  static final Identity SIGNER = Identity.githubActions(REPO, "refs/heads/main", WORKFLOW);
  static final String PROVENANCE = "https://slsa.dev/provenance/v1";
  static final Digest IMAGE = Digest.sha256("the image manifest".getBytes(StandardCharsets.UTF_8));
  static final KeylessIdentity EXPECTED =
      KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER, SIGNER.san())
          .withSourceRepositoryUri("https://github.com/" + REPO)
          .withSourceRepositoryRef("refs/heads/main");

  static Path trustedRoot;
  static KeylessBundleVerifier verifier;

  @BeforeAll
  static void setUp(@TempDir Path dir) throws Exception {
    trustedRoot = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    verifier = KeylessBundleVerifier.of(trustedRoot);
  }

  static Statement statement(Digest subject) {
    return Statement.of(
        List.of(new Subject("registry.test/acme/app", Map.of("sha256", subject.hex()))),
        PROVENANCE,
        "{\"buildDefinition\":{\"buildType\":\"https://actions.github.io/buildtypes/workflow/v1\"}}"
            .getBytes(StandardCharsets.UTF_8));
  }

  static KeylessResult dsse(SigstoreBundle b) {
    return verifier.verifyDsse(b.bytes(), IMAGE, PROVENANCE, EXPECTED);
  }

  static KeylessResult dsse(Options options) {
    return dsse(STACK.signDsse(statement(IMAGE), SIGNER, options));
  }

  // ---------------------------------------------------------------- allowed

  @Test
  void allowsAGoodDsseBundleAndReturnsTheStatementAndIdentity() throws Exception {
    Statement st = statement(IMAGE);
    SigstoreBundle b = STACK.signDsse(st, SIGNER);

    KeylessResult r = dsse(b);

    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(r.statement()).isEqualTo(st.bytes());
    assertThat(r.identity()).isNotNull();
    assertThat(r.identity().issuer()).isEqualTo(SigstoreTestStack.GITHUB_ISSUER);
    assertThat(r.identity().san()).isEqualTo(SIGNER.san());
    assertThat(r.identity().extensions())
        .containsEntry(FulcioOids.SOURCE_REPOSITORY_URI, "https://github.com/acme/app")
        .containsEntry(FulcioOids.RUNNER_ENVIRONMENT, "github-hosted")
        .containsEntry(FulcioOids.GITHUB_WORKFLOW_REPOSITORY, "acme/app");
  }

  @Test
  void sigstoreJavaItselfVerifiesTheSameBundle() throws Exception {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), SIGNER);
    KeylessVerifier sj = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();
    sj.verify(
        IMAGE.hash(),
        Bundle.from(new StringReader(new String(b.bytes(), StandardCharsets.UTF_8))),
        VerificationOptions.builder()
            .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
                .issuer(StringMatcher.string(SigstoreTestStack.GITHUB_ISSUER))
                .subjectAlternativeName(StringMatcher.string(SIGNER.san()))
                .build())
            .build());
  }

  @Test
  void allowsAGoodMessageSignatureBundle() {
    byte[] blob = "artifact".getBytes(StandardCharsets.UTF_8);
    Identity person = Identity.email("https://accounts.example.test", "dev@example.test");
    SigstoreBundle b = STACK.signBlob(blob, person);

    KeylessResult r = verifier.verifyMessageSignature(
        b.bytes(), Digest.sha256(blob), KeylessIdentity.exact("https://accounts.example.test", "dev@example.test"));

    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(r.statement()).isNull();
    assertThat(r.identity().san()).isEqualTo("dev@example.test");
  }

  @Test
  void anAnchoredSanRegexMatchesTheWholeSan() {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), SIGNER);
    KeylessIdentity prefix = KeylessIdentity.matching(SigstoreTestStack.GITHUB_ISSUER, "https://github\\.com/acme/app/.*");
    KeylessIdentity partial = KeylessIdentity.matching(SigstoreTestStack.GITHUB_ISSUER, "acme/app");

    assertThat(verifier.verifyDsse(b.bytes(), IMAGE, PROVENANCE, prefix).ok()).isTrue();
    KeylessResult r = verifier.verifyDsse(b.bytes(), IMAGE, PROVENANCE, partial);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("certificate SAN is", "matching /acme/app/");
  }

  // ---------------------------------------------------------------- denied: identity

  @Test
  void deniesAWrongIssuer() {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), SIGNER);
    KeylessIdentity other = KeylessIdentity.exact("https://issuer.example.test", SIGNER.san());

    KeylessResult r = verifier.verifyDsse(b.bytes(), IMAGE, PROVENANCE, other);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("OIDC issuer is '" + SigstoreTestStack.GITHUB_ISSUER + "'",
        "expected 'https://issuer.example.test'");
  }

  @Test
  void deniesAWrongSan() {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), Identity.githubActions("evil/app", "refs/heads/main", WORKFLOW));

    KeylessResult r = dsse(b);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("certificate SAN is 'https://github.com/evil/app/");
  }

  @Test
  void deniesAWrongRepositoryExtension() {
    // Same SAN, but the certificate says the source came from another repository.
    Identity forked = SIGNER.withExtension(FulcioOids.SOURCE_REPOSITORY_URI, "https://github.com/evil/app");
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), forked);

    KeylessResult r = dsse(b);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("source repository URI", "'https://github.com/evil/app'",
        "expected 'https://github.com/acme/app'");
  }

  @Test
  void deniesAMissingRequiredExtension() {
    SigstoreBundle b = STACK.signBlob("x".getBytes(StandardCharsets.UTF_8), Identity.email("https://i.test", "a@b.test"));

    KeylessResult r = verifier.verifyMessageSignature(b.bytes(), Digest.sha256("x".getBytes(StandardCharsets.UTF_8)),
        KeylessIdentity.exact("https://i.test", "a@b.test").withRunnerEnvironment("github-hosted"));

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("no extension " + FulcioOids.RUNNER_ENVIRONMENT);
  }

  @Test
  void refusesEmptyIdentityOptions() {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), SIGNER);

    KeylessResult r = verifier.verifyDsse(b.bytes(), IMAGE, PROVENANCE, null);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("without an expected OIDC issuer and SAN");
    assertThatThrownBy(() -> KeylessIdentity.exact("", SIGNER.san()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issuer");
    assertThatThrownBy(() -> KeylessIdentity.of(SigstoreTestStack.GITHUB_ISSUER, null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of subject and subjectRegExp");
    assertThatThrownBy(() -> KeylessIdentity.of(null, null, SIGNER.san(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of issuer and issuerRegExp");
    assertThatThrownBy(() -> KeylessIdentity.matching(SigstoreTestStack.GITHUB_ISSUER, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- denied: time

  @Test
  void deniesACertificateThatExpiredBeforeTheIntegratedTime() {
    KeylessResult r = dsse(Options.defaults().withExpiredCertificate());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("certificate expired at", "before the log integrated the entry");
  }

  @Test
  void deniesAnIntegratedTimeBeforeTheCertificateWasValid() {
    KeylessResult r = dsse(Options.defaults().withIntegratedAfterIssue(Duration.ofMinutes(-3)));

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("before the certificate became valid", "outside the certificate's validity");
  }

  // ---------------------------------------------------------------- denied: log

  @Test
  void deniesACorruptedInclusionProof() {
    KeylessResult r = dsse(Options.defaults().withCorruptInclusionProof());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("inclusion proof does not verify", "computed root hash");
  }

  @Test
  void deniesAWrongCheckpoint() {
    KeylessResult r = dsse(Options.defaults().withWrongCheckpointKey());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("checkpoint signature by", "does not verify with the log's key");
  }

  @Test
  void deniesAnInclusionProofIndexAtTheTreeSize() {
    KeylessResult r = dsse(Options.defaults().withProofIndexAtTreeSize());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("inclusion proof index", "is not below the tree size");
  }

  @Test
  void deniesATreeSizeOfZeroThatSigstoreJavaAccepts() throws Exception {
    ObjectNode n = json(STACK.signDsse(statement(IMAGE), SIGNER));
    ((ObjectNode) n.at("/verificationMaterial/tlogEntries/0/inclusionProof")).put("treeSize", "0");

    KeylessResult r = verifier.verifyDsse(bytes(n), IMAGE, PROVENANCE, EXPECTED);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("is not below the tree size 0");
  }

  @Test
  void refusesExtraTlogEntries() {
    KeylessResult r = dsse(Options.defaults().withExtraTlogEntry());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("transparency log entry 2 of 2", "missing required field 'kind'");
  }

  @Test
  void deniesABundleFromAnotherStack() {
    SigstoreBundle foreign = SigstoreTestStack.create("other").signDsse(statement(IMAGE), SIGNER);

    KeylessResult r = dsse(foreign);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("transparency log", "is not in the trusted root");
  }

  // ---------------------------------------------------------------- denied: content

  @Test
  void deniesAPayloadThatDoesNotMatchTheSignature() {
    KeylessResult r = dsse(Options.defaults().withTamperedPayload());

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("DSSE payload does not match the signature");
  }

  @Test
  void deniesAMessageSignatureOverOtherBytes() {
    byte[] blob = "artifact".getBytes(StandardCharsets.UTF_8);
    Identity person = Identity.email("https://i.test", "a@b.test");
    SigstoreBundle b = STACK.signBlob(blob, person, Options.defaults().withTamperedPayload());
    Digest claimed = b.messageSignature().orElseThrow().digest().orElseThrow();

    KeylessResult r = verifier.verifyMessageSignature(b.bytes(), claimed, KeylessIdentity.exact("https://i.test", "a@b.test"));

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("message signature does not verify over the artifact");
  }

  @Test
  void deniesAStatementAboutAnotherImage() {
    Digest other = Digest.sha256("another image".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = STACK.signDsse(statement(other), SIGNER);

    KeylessResult r = dsse(b);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("statement subject is not the image " + IMAGE);
  }

  @Test
  void deniesAnUnexpectedPredicateType() {
    SigstoreBundle b = STACK.signDsse(statement(IMAGE), SIGNER);

    KeylessResult r = verifier.verifyDsse(b.bytes(), IMAGE, "https://cyclonedx.org/bom", EXPECTED);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("predicateType is '" + PROVENANCE + "', expected 'https://cyclonedx.org/bom'");
  }

  @Test
  void deniesAMessageSignatureBundleWhereDsseIsExpected() {
    SigstoreBundle b = STACK.signBlob("x".getBytes(StandardCharsets.UTF_8), SIGNER);

    assertThat(dsse(b).reason()).contains("expected a DSSE bundle");
  }

  @Test
  void deniesAStatementWithAnUnknownType() {
    byte[] payload = new String(statement(IMAGE).bytes(), StandardCharsets.UTF_8)
        .replace(Statement.TYPE_V1, "https://example.test/NotAStatement/v1")
        .getBytes(StandardCharsets.UTF_8);

    KeylessResult r = dsse(STACK.signDsse(Statement.PAYLOAD_TYPE, payload, SIGNER, Options.defaults()));

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("not a valid in-toto statement", "_type");
  }

  @Test
  void deniesAnEntryOfAnotherKind() throws Exception {
    ObjectNode n = json(STACK.signDsse(statement(IMAGE), SIGNER));
    ((ObjectNode) n.at("/verificationMaterial/tlogEntries/0/kindVersion")).put("kind", "intoto").put("version", "0.0.2");

    KeylessResult r = verifier.verifyDsse(bytes(n), IMAGE, PROVENANCE, EXPECTED);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("body is dsse 0.0.1, but the bundle's kindVersion says intoto 0.0.2");
  }

  @Test
  void aNonAsciiStatementIsVerifiedOverTheBytePae() {
    // sigstore-java 2.0.0 builds its PAE from characters; the DSSE path uses attest's byte PAE only.
    Statement st = Statement.of(
        List.of(new Subject("registry.test/acme/app", Map.of("sha256", IMAGE.hex()))),
        PROVENANCE,
        "{\"builder\":\"Zoë's café \u2603\"}".getBytes(StandardCharsets.UTF_8));

    KeylessResult r = dsse(STACK.signDsse(st, SIGNER));

    assertThat(r.ok()).as(r.reason()).isTrue();
  }

  static Statement nameless(Digest subject) throws Exception {
    String json = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"digest\":{\"sha256\":\"" + subject.hex()
        + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";
    return Statement.parse(json.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aNamelessSubjectIsVerifiedButOnlyForItsDigest() throws Exception {
    String cosignSign = "https://sigstore.dev/cosign/sign/v1";
    KeylessResult ok = verifier.verifyDsse(STACK.signDsse(nameless(IMAGE), SIGNER).bytes(), IMAGE, cosignSign, EXPECTED);
    assertThat(ok.ok()).as(ok.reason()).isTrue();

    Digest other = Digest.sha256(new byte[] {9});
    KeylessResult r = verifier.verifyDsse(STACK.signDsse(nameless(other), SIGNER).bytes(), IMAGE, cosignSign, EXPECTED);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("statement subject is not the image");

    KeylessResult tampered = verifier.verifyDsse(
        STACK.signDsse(nameless(IMAGE), SIGNER, Options.defaults().withTamperedPayload()).bytes(), IMAGE, cosignSign,
        EXPECTED);
    assertThat(tampered.ok()).isFalse();
  }

  @Test
  void aLogEntryForAnotherEnvelopeIsDenied() throws Exception {
    ObjectNode a = json(STACK.signDsse(statement(IMAGE), SIGNER));
    ObjectNode other = json(STACK.signDsse(statement(Digest.sha256(new byte[] {7})), SIGNER));
    ((ObjectNode) a.get("verificationMaterial")).set("tlogEntries", other.at("/verificationMaterial/tlogEntries"));

    KeylessResult r = verifier.verifyDsse(bytes(a), IMAGE, PROVENANCE, EXPECTED);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("does not match the payload digest in the log entry");
  }

  // ---------------------------------------------------------------- denied: malformed

  @Test
  void aBundleThatMakesSigstoreJavaThrowIsDeniedWithoutAnException() throws Exception {
    ObjectNode n = json(STACK.signDsse(statement(IMAGE), SIGNER));
    ((ObjectNode) n.at("/verificationMaterial/tlogEntries/0")).remove("inclusionPromise");
    byte[] bytes = bytes(n);
    KeylessVerifier sj = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();

    // sigstore-java on its own throws an unchecked exception for this bundle...
    assertThatThrownBy(() -> sj.verify(
            IMAGE.hash(),
            Bundle.from(new StringReader(new String(bytes, StandardCharsets.UTF_8))),
            VerificationOptions.builder()
                .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
                    .issuer(StringMatcher.string(SigstoreTestStack.GITHUB_ISSUER))
                    .subjectAlternativeName(StringMatcher.string(SIGNER.san()))
                    .build())
                .build()))
        .isInstanceOf(RuntimeException.class);

    // ...which attest's own verifier denies: without a SET there is no verified time.
    KeylessResult r = verifier.verifyDsse(bytes, IMAGE, PROVENANCE, EXPECTED);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("no verified time", "no signed entry timestamp");
  }

  @Test
  void refusesDuplicateKeysAndTrailingDataBeforeSigstoreJavaSeesThem() {
    String good = new String(STACK.signDsse(statement(IMAGE), SIGNER).bytes(), StandardCharsets.UTF_8);
    String duplicate = good.replaceFirst("\\{", "{\"mediaType\":\"" + SigstoreBundle.MEDIA_TYPE_V0_3 + "\",");
    String trailing = good + "{}";

    for (String bad : List.of(duplicate, trailing)) {
      KeylessResult r = verifier.verifyDsse(bad.getBytes(StandardCharsets.UTF_8), IMAGE, PROVENANCE, EXPECTED);
      assertThat(r.ok()).isFalse();
      assertThat(r.reason()).startsWith("malformed Sigstore bundle");
    }
  }

  @Test
  void deniesBytesAppendedAfterTheCertificate() throws Exception {
    ObjectNode n = json(STACK.signDsse(statement(IMAGE), SIGNER));
    ObjectNode cert = (ObjectNode) n.at("/verificationMaterial/certificate");
    byte[] der = java.util.Base64.getDecoder().decode(cert.get("rawBytes").asText());
    byte[] padded = java.util.Arrays.copyOf(der, der.length + 4);
    cert.put("rawBytes", java.util.Base64.getEncoder().encodeToString(padded));

    KeylessResult r = verifier.verifyDsse(bytes(n), IMAGE, PROVENANCE, EXPECTED);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("not exactly one DER certificate");
  }

  @Test
  void neverThrowsOnGarbage() {
    for (String bad : List.of("", "null", "[]", "{}", "{\"mediaType\":1}", "\u0000\u0000")) {
      KeylessResult r = verifier.verifyDsse(bad.getBytes(StandardCharsets.UTF_8), IMAGE, PROVENANCE, EXPECTED);
      assertThat(r.ok()).as(bad).isFalse();
      assertThat(r.reason()).isNotBlank();
    }
  }

  @Test
  void refusesAnUnreadableTrustedRoot(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("trusted_root.json"), "{\"mediaType\":\"nope\"}");

    assertThatThrownBy(() -> KeylessBundleVerifier.of(bad))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("cannot load trusted root");
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode json(SigstoreBundle b) throws Exception {
    return (ObjectNode) JSON.readTree(b.bytes());
  }

  private static byte[] bytes(ObjectNode n) throws Exception {
    return JSON.writeValueAsBytes(n);
  }
}
