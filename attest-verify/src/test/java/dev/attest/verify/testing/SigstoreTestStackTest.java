package dev.attest.verify.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.Statement;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Subject;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import dev.attest.verify.testing.SigstoreTestStack.Options;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sigstore-java 2.0.0, used directly, verifies the stack's bundles offline and refuses broken ones. */
class SigstoreTestStackTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final Identity ID = Identity.githubActions("acme/app", "refs/heads/main", ".github/workflows/release.yml");
  static KeylessVerifier verifier;

  @BeforeAll
  static void setUp(@TempDir Path dir) throws Exception {
    verifier = KeylessVerifier.builder()
        .trustedRootProvider(TrustedRootProvider.from(STACK.writeTrustedRoot(dir.resolve("trusted_root.json"))))
        .build();
  }

  static Bundle sj(SigstoreBundle b) throws Exception {
    return Bundle.from(new StringReader(new String(b.bytes(), StandardCharsets.UTF_8)));
  }

  static VerificationOptions options(String issuer, String san) {
    return VerificationOptions.builder()
        .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
            .issuer(StringMatcher.string(issuer))
            .subjectAlternativeName(StringMatcher.string(san))
            .build())
        .build();
  }

  static Statement statement(Digest image) {
    return Statement.of(List.of(new Subject("registry.test/app", Map.of("sha256", image.hex()))),
        "https://slsa.dev/provenance/v1", "{\"buildDefinition\":{}}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sigstoreJavaVerifiesAMessageSignatureBundle() throws Exception {
    byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
    SigstoreBundle b = STACK.signBlob(blob, ID);
    assertThatCode(() -> verifier.verify(Digest.sha256(blob).hash(), sj(b), options(ID.issuer(), ID.san())))
        .doesNotThrowAnyException();
  }

  @Test
  void sigstoreJavaVerifiesADsseBundle() throws Exception {
    Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = STACK.signDsse(statement(image), ID);
    assertThatCode(() -> verifier.verify(image.hash(), sj(b), options(ID.issuer(), ID.san())))
        .doesNotThrowAnyException();
  }

  @Test
  void sigstoreJavaVerifiesAnEmailIdentity() throws Exception {
    byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
    Identity id = Identity.email("https://accounts.example.test", "dev@example.test");
    SigstoreBundle b = STACK.signBlob(blob, id);
    assertThatCode(() -> verifier.verify(Digest.sha256(blob).hash(), sj(b), options(id.issuer(), id.san())))
        .doesNotThrowAnyException();
  }

  @Test
  void sigstoreJavaRefusesEachBrokenBundle() throws Exception {
    byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] digest = Digest.sha256(blob).hash();
    VerificationOptions opts = options(ID.issuer(), ID.san());
    for (Options broken : List.of(
        Options.defaults().withCorruptInclusionProof(),
        Options.defaults().withWrongCheckpointKey(),
        Options.defaults().withTamperedPayload())) {
      SigstoreBundle b = STACK.signBlob(blob, ID, broken);
      byte[] d = broken.tamperedPayload() ? b.messageSignature().orElseThrow().digestBytes().orElseThrow() : digest;
      assertThatThrownBy(() -> verifier.verify(d, sj(b), opts))
          .as(broken.toString())
          .isInstanceOf(KeylessVerificationException.class);
    }
    SigstoreBundle other = SigstoreTestStack.create("other").signBlob(blob, ID);
    assertThatThrownBy(() -> verifier.verify(digest, sj(other), opts)).isInstanceOf(KeylessVerificationException.class);
  }

  @Test
  void sigstoreJavaDoesNotCheckTheCertificateAtTheIntegratedTime() throws Exception {
    // The gap the wrapper closes: an entry logged after the certificate expired still verifies.
    byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
    SigstoreBundle b = STACK.signBlob(blob, ID, Options.defaults().withExpiredCertificate());
    assertThatCode(() -> verifier.verify(Digest.sha256(blob).hash(), sj(b), options(ID.issuer(), ID.san())))
        .doesNotThrowAnyException();
  }
}
