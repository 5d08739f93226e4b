package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.KeylessSigningException.Step;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.VerificationReport.Decision;
import dev.attest.verify.internal.keyless.KeylessBundleVerifier;
import dev.attest.verify.internal.keyless.KeylessResult;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyless signing against the Sigstore test stack served over HTTP on 127.0.0.1. */
class KeylessSignerTest {
  static final SigstoreTestStack STACK = SigstoreTestStack.create("http");
  static SigstoreHttpStack http;
  static Path trustedRoot;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    http = SigstoreHttpStack.start(STACK);
    trustedRoot = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  static KeylessSigner signer() throws Exception {
    return KeylessSigner.builder()
        .fulcio(http.url())
        .rekor(http.url())
        .tokenSource(TokenSource.githubActions(http.githubActionsEnv()))
        .build();
  }

  static KeylessIdentity expected() {
    return KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER, http.identity().san())
        .withSourceRepositoryUri("https://github.com/acme/app")
        .withSourceRepositoryRef("refs/heads/main");
  }

  static Statement statement(Digest image) {
    return Statement.of(List.of(Subject.of("app", image)), VerifyFixtures.provenance());
  }

  static VerificationOptions sigstoreJavaOptions(String san) {
    return VerificationOptions.builder()
        .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
            .issuer(StringMatcher.string(SigstoreTestStack.GITHUB_ISSUER))
            .subjectAlternativeName(StringMatcher.string(san))
            .build())
        .build();
  }

  @Test
  void aDsseBundleSignedOverHttpVerifiesInAttestAndInSigstoreJava() throws Exception {
    Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = signer().signDsse(statement(image));

    assertThat(b.verificationMaterial().leafCertificate()).isPresent();
    assertThat(b.verificationMaterial().tlogEntries()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo("dsse");
      assertThat(e.inclusionProof()).isPresent();
      assertThat(e.inclusionProof().orElseThrow().checkpoint()).isPresent();
      assertThat(e.signedEntryTimestamp()).isPresent();
    });

    KeylessBundleVerifier attest = KeylessBundleVerifier.of(trustedRoot);
    KeylessResult ok = attest.verifyDsse(b.bytes(), image, SlsaProvenance.PREDICATE_TYPE, expected());
    assertThat(ok.ok()).as(ok.reason()).isTrue();
    assertThat(ok.identity().san()).isEqualTo(http.identity().san());

    KeylessResult wrong = attest.verifyDsse(b.bytes(), image, SlsaProvenance.PREDICATE_TYPE,
        KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER,
            "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main"));
    assertThat(wrong.ok()).isFalse();
    assertThat(wrong.reason()).contains("certificate SAN is");

    KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build().verify(
        image.hash(),
        Bundle.from(new StringReader(new String(b.bytes(), StandardCharsets.UTF_8))),
        sigstoreJavaOptions(http.identity().san()));
  }

  @Test
  void aMessageSignatureSignedOverHttpVerifiesInAttestAndInSigstoreJava() throws Exception {
    byte[] blob = "release.tar.gz".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(blob);
    SigstoreBundle b = signer().signMessage(digest);

    KeylessResult ok = KeylessBundleVerifier.of(trustedRoot).verifyMessageSignature(b.bytes(), digest, expected());
    assertThat(ok.ok()).as(ok.reason()).isTrue();

    KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build().verify(
        digest.hash(),
        Bundle.from(new StringReader(new String(b.bytes(), StandardCharsets.UTF_8))),
        sigstoreJavaOptions(http.identity().san()));
  }

  @Test
  void signingTheSameDigestTwiceLogsTwoEntriesWithTwoKeys() throws Exception {
    Digest digest = Digest.sha256("twice".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle a = signer().signMessage(digest);
    SigstoreBundle b = signer().signMessage(digest);
    assertThat(a.verificationMaterial().leafCertificate().orElseThrow())
        .isNotEqualTo(b.verificationMaterial().leafCertificate().orElseThrow());
  }

  /** A simulated GitHub Actions job: env vars and token endpoint, sign, attach, admit. */
  @Test
  void aGithubActionsRunSignsAndAttachesProvenanceThatThePolicyAdmits() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      KeylessSigner signer = KeylessSigner.builder()
          .fulcio(http.url())
          .rekor(http.url())
          .tokenSource(TokenSource.githubActions(http.githubActionsEnv()))
          .build();
      String cosignSign = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"digest\":{\"sha256\":\""
          + image.digest().hex() + "\"}}],\"predicateType\":\"" + Attestations.COSIGN_SIGN_PREDICATE_TYPE
          + "\",\"predicate\":{}}";
      Attestations.on(registry, "app", image.digest())
          .bundle(signer.signDsse(Statement.parse(cosignSign.getBytes(StandardCharsets.US_ASCII))).bytes())
          .bundle(signer.signDsse(statement(image.digest())).bytes())
          .attach();

      Policy good = Policy.builder("keyless")
          .trust("ci", Trust.ofKeyless(trustedRoot, expected().withRunnerEnvironment("github-hosted")))
          .signedBy("ci")
          .attestation(AttestationRule.slsa("ci", VerifyFixtures.slsaRule()))
          .build();
      try (PolicyVerifier v = PolicyVerifier.builder(good).registry(registry).clock(VerifyFixtures.CLOCK)
          .timeout(java.time.Duration.ofMinutes(2)).build()) {
        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
      }

      Policy fork = Policy.builder("keyless")
          .trust("ci", Trust.ofKeyless(trustedRoot, KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER,
              "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main")))
          .signedBy("ci")
          .build();
      try (PolicyVerifier v = PolicyVerifier.builder(fork).registry(registry).clock(VerifyFixtures.CLOCK)
          .timeout(java.time.Duration.ofMinutes(2)).build()) {
        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.decision()).isEqualTo(Decision.DENY);
        assertThat(r.failures()).allSatisfy(c -> assertThat(c.reason()).contains("certificate SAN is"));
      }
    }
  }

  /** The job's environment: the runner's GitHub variables and the token endpoint of the stack. */
  static Map<String, String> jobEnv(String serverUrl, String ref) {
    Map<String, String> env = new java.util.HashMap<>(VerifyFixtures.env("acme/app", ref));
    env.put("GITHUB_SERVER_URL", serverUrl);
    env.put("RUNNER_ENVIRONMENT", "github-hosted");
    env.putAll(http.githubActionsEnv());
    return env;
  }

  /**
   * A simulated GitHub Actions job: one token fetched from the endpoint signs, and with the
   * environment describes the run (provenance); the certificate and the provenance agree; attached;
   * admitted by the workflow identity and the provenance rule.
   */
  @Test
  void aGithubActionsRunSignsProvenanceFromItsEnvironmentAndTokenClaims() throws Exception {
    Map<String, String> env = jobEnv("https://github.com", "refs/heads/main");
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      int fulcioBefore = http.fulcioCalls();
      String token = TokenSource.githubActions(env).token();
      KeylessSigner signer = KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
          .tokenSource(TokenSource.of(token)).build();
      SlsaProvenance provenance = KeylessSigner.gitHubActionsProvenance(env, token);
      SigstoreBundle bundle = signer.signDsse(Statement.of(List.of(Subject.of("app", image.digest())), provenance));
      KeylessSigner.checkProvenance(bundle, provenance);
      assertThat(http.fulcioCalls()).isEqualTo(fulcioBefore + 1);

      Map<String, Object> claims = TokenSource.claims(token);
      assertThat(claims).containsEntry("repository", "acme/app").containsEntry("ref", "refs/heads/main");
      SlsaProvenance.GitHubWorkflow w = provenance.gitHubWorkflow().orElseThrow();
      Map<String, String> ext = dev.attest.verify.internal.keyless.KeylessBundleVerifier
          .identityOf(bundle.verificationMaterial().leafCertificate().orElseThrow()).extensions();
      assertThat(w.repository()).isEqualTo("https://github.com/acme/app")
          .isEqualTo(ext.get("1.3.6.1.4.1.57264.1.12"));
      assertThat(w.ref()).isEqualTo("refs/heads/main").isEqualTo(ext.get("1.3.6.1.4.1.57264.1.14"));
      assertThat(provenance.builderId())
          .isEqualTo("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main")
          .isEqualTo(ext.get("1.3.6.1.4.1.57264.1.9"))
          .isEqualTo(http.identity().san());
      assertThat(provenance.gitHubInternalParameter("runner_environment")).hasValue("github-hosted");

      String cosignSign = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"digest\":{\"sha256\":\""
          + image.digest().hex() + "\"}}],\"predicateType\":\"" + Attestations.COSIGN_SIGN_PREDICATE_TYPE
          + "\",\"predicate\":{}}";
      Attestations.on(registry, "app", image.digest())
          .bundle(signer.signDsse(Statement.parse(cosignSign.getBytes(StandardCharsets.US_ASCII))).bytes())
          .bundle(bundle.bytes())
          .attach();
      Policy policy = Policy.builder("keyless")
          .trust("ci", Trust.ofKeyless(trustedRoot, expected().withRunnerEnvironment("github-hosted")))
          .signedBy("ci")
          .attestation(AttestationRule.slsa("ci",
              Policy.SlsaRule.builders(http.identity().san()).withSource("https://github.com/acme/app", "refs/heads/main")))
          .build();
      try (PolicyVerifier v = PolicyVerifier.builder(policy).registry(registry).clock(VerifyFixtures.CLOCK).build()) {
        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
      }
    }
  }

  /** Provenance that does not describe the certified run is refused before anything is attached. */
  @Test
  void provenanceDisagreeingWithTheCertificateIsRefusedBeforeAttaching() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Map<String, String> env = jobEnv("https://github.com", "refs/heads/feature");
      String token = TokenSource.githubActions(env).token(); // the token is for refs/heads/main
      KeylessSigner signer = KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
          .tokenSource(TokenSource.of(token)).build();

      // built from the environment alone, ignoring the token's claims
      SlsaProvenance fromEnv = SlsaProvenance.fromGitHubActions(env);
      SigstoreBundle b1 = signer.signDsse(Statement.of(List.of(Subject.of("app", image.digest())), fromEnv));
      assertThatThrownBy(() -> KeylessSigner.checkProvenance(b1, fromEnv))
          .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.SIGNING))
          .hasMessageContaining("source repository ref (1.3.6.1.4.1.57264.1.14) is 'refs/heads/main'")
          .hasMessageContaining("externalParameters.workflow.ref is 'refs/heads/feature'");

      // the claims win over GITHUB_REF: only the server URL (not in the token) can disagree
      SlsaProvenance merged = KeylessSigner.gitHubActionsProvenance(env, token);
      assertThat(merged.gitHubWorkflow().orElseThrow().ref()).isEqualTo("refs/heads/main");
      KeylessSigner.checkProvenance(signer.signDsse(
          Statement.of(List.of(Subject.of("app", image.digest())), merged)), merged);
      SlsaProvenance ghes = KeylessSigner.gitHubActionsProvenance(jobEnv("https://ghe.example.com", "refs/heads/main"),
          token);
      SigstoreBundle b2 = signer.signDsse(Statement.of(List.of(Subject.of("app", image.digest())), ghes));
      assertThatThrownBy(() -> KeylessSigner.checkProvenance(b2, ghes))
          .isInstanceOf(KeylessSigningException.class)
          .hasMessageContaining("source repository URI (1.3.6.1.4.1.57264.1.12) is 'https://github.com/acme/app'")
          .hasMessageContaining("workflow.repository is 'https://ghe.example.com/acme/app'");

      // another repository's reusable workflow signed: the builder ids differ
      SlsaProvenance otherBuilder = SlsaProvenance.fromGitHubActionsToken(env,
          Map.of("ref", "refs/heads/main",
              "workflow_ref", "acme/app/.github/workflows/release.yml@refs/heads/main", "job_workflow_ref", "evil/ci/.github/workflows/build.yml@refs/heads/main"));
      SigstoreBundle b3 = signer.signDsse(Statement.of(List.of(Subject.of("app", image.digest())), otherBuilder));
      assertThatThrownBy(() -> KeylessSigner.checkProvenance(b3, otherBuilder))
          .isInstanceOf(KeylessSigningException.class)
          .hasMessageContaining("build signer URI (1.3.6.1.4.1.57264.1.9) is "
              + "'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'")
          .hasMessageContaining("runDetails.builder.id is 'https://github.com/evil/ci/.github/workflows/build.yml@refs/heads/main'");

      assertThat(Attestations.read(registry, "app", image.digest())).isEmpty();
    }
  }

  @Test
  void claimsOfABadTokenAreRefused() {
    assertThatThrownBy(() -> TokenSource.claims("a." + java.util.Base64.getUrlEncoder().withoutPadding()
            .encodeToString("[1]".getBytes(StandardCharsets.UTF_8)) + ".c"))
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.TOKEN))
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> KeylessSigner.gitHubActionsProvenance(Map.of(), http.token("sigstore")))
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.SIGNING))
        .hasMessageContaining("missing GITHUB_SERVER_URL");
  }

  @Test
  void withoutTheGithubActionsVariablesTheTokenStepFails() throws Exception {
    KeylessSigner signer = KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
        .tokenSource(TokenSource.githubActions(Map.of())).build();
    assertThatThrownBy(() -> signer.signMessage(Digest.sha256(new byte[] {1})))
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.TOKEN))
        .hasMessageContaining("ACTIONS_ID_TOKEN_REQUEST_URL")
        .hasMessageContaining("id-token: write");
  }

  @Test
  void aRefusedTokenRequestNamesTheTokenStepAndTheAnswer() throws Exception {
    Map<String, String> env = Map.of(
        "ACTIONS_ID_TOKEN_REQUEST_URL", http.url() + "/token",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong");
    KeylessSigner signer = KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
        .tokenSource(TokenSource.githubActions(env)).build();
    assertThatThrownBy(() -> signer.signMessage(Digest.sha256(new byte[] {1})))
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.TOKEN))
        .hasMessageContaining("answered 401")
        .hasMessageContaining("bad request token");
  }

  @Test
  void aTokenFromAFileOrGivenDirectlyIsUsed() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, http.token("sigstore") + "\n");
    Digest d = Digest.sha256("file".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
        .tokenSource(TokenSource.file(file)).build().signMessage(d);
    assertThat(KeylessBundleVerifier.of(trustedRoot).verifyMessageSignature(b.bytes(), d, expected()).ok())
        .isTrue();

    assertThatThrownBy(() -> KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
            .tokenSource(TokenSource.of(http.token("not-sigstore"))).build().signMessage(d))
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.FULCIO))
        .hasMessageContaining("answered 401")
        .hasMessageContaining("audience is not sigstore");

    assertThatThrownBy(() -> TokenSource.of("not a jwt").token())
        .isInstanceOfSatisfying(KeylessSigningException.class, e -> assertThat(e.step()).isEqualTo(Step.TOKEN))
        .hasMessageContaining("not a JWT");
  }

  @Test
  void theEndpointsComeFromASigningConfig() throws Exception {
    Path config = dir.resolve("signing_config.json");
    Files.writeString(config, """
        {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
         "caUrls":[{"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "oidcUrls":[],
         "rekorTlogUrls":[
           {"url":"http://127.0.0.1:9/v2-later","majorApiVersion":2,"validFor":{"start":"2099-01-01T00:00:00Z"}},
           {"url":"http://127.0.0.1:9/old","majorApiVersion":1,
            "validFor":{"start":"2020-01-01T00:00:00Z","end":"2021-01-01T00:00:00Z"}},
           {"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "tsaUrls":[],
         "rekorTlogConfig":{"selector":"ANY"},"tsaConfig":{"selector":"ANY"}}
        """.formatted(http.url()));
    Digest d = Digest.sha256("config".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = KeylessSigner.builder().signingConfig(config)
        .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build().signMessage(d);
    assertThat(KeylessBundleVerifier.of(trustedRoot).verifyMessageSignature(b.bytes(), d, expected()).ok())
        .isTrue();

    Path v2only = dir.resolve("v2.json");
    Files.writeString(v2only, """
        {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
         "caUrls":[{"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "rekorTlogUrls":[{"url":"%1$s","majorApiVersion":2,"validFor":{"start":"2023-01-01T00:00:00Z"}}]}
        """.formatted(http.url()));
    assertThatThrownBy(() -> KeylessSigner.builder().signingConfig(v2only).tokenSource(TokenSource.of("a.b.c")).build())
        .isInstanceOf(KeylessSigningException.class)
        .hasMessageContaining("the selected Rekor v2 log(s) give no signed time, and tsaUrls offers no timestamp"
            + " authority");
  }

  @Test
  void anAllSelectorLogsInOneLogPerOperator() throws Exception {
    try (SigstoreHttpStack second = SigstoreHttpStack.start(STACK)) {
      Path config = dir.resolve("all.json");
      Files.writeString(config, """
          {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
           "caUrls":[{"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"},"operator":"a"}],
           "rekorTlogUrls":[
             {"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"},"operator":"a"},
             {"url":"%2$s","majorApiVersion":1,"validFor":{"start":"2024-01-01T00:00:00Z"},"operator":"b"}],
           "rekorTlogConfig":{"selector":"ALL"}}
          """.formatted(http.url(), second.url()));
      Digest d = Digest.sha256("two logs".getBytes(StandardCharsets.UTF_8));
      SigstoreBundle b = KeylessSigner.builder().signingConfig(config)
          .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build().signMessage(d);
      // Each entry's inclusion proof was checked when it was logged; the bundle carries both.
      assertThat(b.verificationMaterial().tlogEntries()).hasSize(2);
      // And the verifier checks both (ADR 0030).
      KeylessResult both = KeylessBundleVerifier.of(trustedRoot).verifyMessageSignature(b.bytes(), d, expected());
      assertThat(both.ok()).as(both.reason()).isTrue();

      Files.writeString(config, Files.readString(config).replace("\"ALL\"", "\"EXACT\",\"count\":3"));
      assertThatThrownBy(() -> KeylessSigner.builder().signingConfig(config)
              .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build())
          .isInstanceOf(KeylessSigningException.class)
          .hasMessageContaining("EXACT(3)");
    }
  }
}
