package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.core.Digest;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sigstore-js and attest, each verifying what the other signs against the HTTP test stack.
 *
 * <ul>
 *   <li>sigstore-js ({@code @sigstore/verify}, trust material from the stack's {@code
 *       trusted_root.json}) verifies the bundles {@link KeylessSigner} makes, on Rekor v1 and on
 *       Rekor v2 with an RFC 3161 timestamp, and refuses another identity or artifact;
 *   <li>attest verifies what sigstore-js ({@code @sigstore/sign}, driven by a signing config
 *       naming the stack's Fulcio, Rekor and TSA, and a token of the stack's OIDC issuer) signs:
 *       message signatures and DSSE, on Rekor v1 and v2. sigstore-js can: it has a Rekor v2 client
 *       ({@code /api/v2/log/entries}, {@code hashedrekord} and {@code dsse} 0.0.2) and asks the
 *       TSA with Sigstore timestamp-authority's JSON request, which the stack's TSA also serves.
 *       It supports only the {@code ANY} selector, so it writes one log entry.
 * </ul>
 */
class SigstoreJsKeylessIT {
  static final SigstoreTestStack STACK = SigstoreTestStack.create("js");
  static SigstoreHttpStack http;
  static Path dir;
  static Path node;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    dir = interopDir();
    node = onPath("node");
    if (node == null || dir == null || !Files.isDirectory(dir.resolve("node_modules/@sigstore/verify"))
        || !Files.isDirectory(dir.resolve("node_modules/@sigstore/sign"))) {
      String msg = "sigstore-js interop: node or interop/sigstore-js/node_modules missing (cd interop/sigstore-js"
          + " && npm ci)";
      if ("true".equalsIgnoreCase(System.getProperty("attest.it.require"))
          || "true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(msg);
      }
      assumeTrue(false, msg);
    }
    http = SigstoreHttpStack.start(STACK);
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
  }

  static KeylessSigner signer() throws Exception {
    return KeylessSigner.builder().fulcio(http.url()).rekor(http.url())
        .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build();
  }

  static String verify(SigstoreBundle b, String san, byte[] artifact) throws Exception {
    Path bundle = Files.write(tmp.resolve("bundle-" + System.nanoTime() + ".json"), b.bytes());
    Path root = STACK.writeTrustedRoot(tmp.resolve("trusted_root.json"));
    List<String> cmd = new ArrayList<>(List.of(node.toString(), "--no-warnings",
        dir.resolve("verify-keyless-bundle.mjs").toString(), bundle.toString(), root.toString(),
        SigstoreTestStack.GITHUB_ISSUER, san));
    if (artifact != null) {
      cmd.add(Files.write(tmp.resolve("artifact"), artifact).toString());
    }
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  @Test
  void aKeylessDsseBundleVerifiesInSigstoreJs() throws Exception {
    Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = signer().signDsse(Statement.of(List.of(Subject.of("app", image)), VerifyFixtures.provenance()));
    assertThat(verify(b, http.identity().san(), null)).isEqualTo("OK");
    assertThat(verify(b, "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main", null))
        .startsWith("FAILED");
  }

  @Test
  void aKeylessMessageSignatureVerifiesInSigstoreJs() throws Exception {
    byte[] blob = "release.tar.gz".getBytes(StandardCharsets.UTF_8);
    SigstoreBundle b = signer().signMessage(Digest.sha256(blob));
    assertThat(verify(b, http.identity().san(), blob)).isEqualTo("OK");
    assertThat(verify(b, http.identity().san(), "other".getBytes(StandardCharsets.UTF_8))).startsWith("FAILED");
  }

  // ------------------------------------------------------------ Rekor v2 with a timestamp

  static KeylessSigner v2Signer() throws Exception {
    return KeylessSigner.builder().fulcio(http.url()).rekorV2(http.rekorV2Url()).timestampAuthority(http.tsaUrl())
        .tokenSource(TokenSource.githubActions(http.githubActionsEnv())).build();
  }

  @Test
  void aMessageSignatureOnRekorV2WithATimestampVerifiesInSigstoreJs() throws Exception {
    byte[] blob = "release-v2.tar.gz".getBytes(StandardCharsets.UTF_8);
    SigstoreBundle b = v2Signer().signMessage(Digest.sha256(blob));
    assertThat(b.verificationMaterial().tlogEntries().get(0).version()).isEqualTo("0.0.2");
    assertThat(b.verificationMaterial().rfc3161Timestamps()).hasSize(1);
    assertThat(verify(b, http.identity().san(), blob)).isEqualTo("OK");
    assertThat(verify(b, http.identity().san(), "other".getBytes(StandardCharsets.UTF_8))).startsWith("FAILED");
  }

  @Test
  void aDsseBundleOnRekorV2WithATimestampVerifiesInSigstoreJs() throws Exception {
    Digest image = Digest.sha256("image v2".getBytes(StandardCharsets.UTF_8));
    SigstoreBundle b = v2Signer().signDsse(Statement.of(List.of(Subject.of("app", image)), VerifyFixtures.provenance()));
    assertThat(b.verificationMaterial().tlogEntries().get(0).kind()).isEqualTo("hashedrekord");
    assertThat(verify(b, http.identity().san(), null)).isEqualTo("OK");
    assertThat(verify(b, "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main", null))
        .startsWith("FAILED");
  }

  // ------------------------------------------------------------ what sigstore-js signs

  static String signingConfig(String rekorUrl, int rekorVersion) {
    return """
        {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
         "caUrls":[{"url":"%1$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "rekorTlogUrls":[{"url":"%2$s","majorApiVersion":%3$d,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "rekorTlogConfig":{"selector":"ANY"},
         "tsaUrls":[{"url":"%4$s","majorApiVersion":1,"validFor":{"start":"2023-01-01T00:00:00Z"}}],
         "tsaConfig":{"selector":"ANY"}}
        """.formatted(http.url(), rekorUrl, rekorVersion, http.tsaUrl());
  }

  /** sigstore-js signs {@code artifact} (as a DSSE payload when {@code payloadType} is given): the bundle. */
  static byte[] sigstoreJsSigns(int rekorVersion, byte[] artifact, String payloadType) throws Exception {
    Path config = Files.writeString(tmp.resolve("signing_config-" + System.nanoTime() + ".json"),
        signingConfig(rekorVersion == 2 ? http.rekorV2Url() : http.url(), rekorVersion));
    Path token = Files.writeString(tmp.resolve("token-" + System.nanoTime()), http.token("sigstore"));
    Path in = Files.write(tmp.resolve("artifact-" + System.nanoTime()), artifact);
    Path out = tmp.resolve("js-bundle-" + System.nanoTime() + ".json");
    List<String> cmd = new ArrayList<>(List.of(node.toString(), "--no-warnings",
        dir.resolve("sign-keyless.mjs").toString(), config.toString(), token.toString(), in.toString(),
        out.toString()));
    if (payloadType != null) {
      cmd.add(payloadType);
    }
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(said).as("sigstore-js signing").isEqualTo("OK");
    return Files.readAllBytes(out);
  }

  static dev.attest.verify.internal.keyless.KeylessBundleVerifier attest() throws Exception {
    return dev.attest.verify.internal.keyless.KeylessBundleVerifier.of(
        STACK.writeTrustedRoot(tmp.resolve("trusted_root.json")));
  }

  static Policy.KeylessIdentity identity(String san) {
    return Policy.KeylessIdentity.exact(SigstoreTestStack.GITHUB_ISSUER, san);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "Rekor v{0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
  void attestVerifiesAMessageSignatureSigstoreJsSigns(int rekorVersion) throws Exception {
    byte[] blob = ("signed by sigstore-js on v" + rekorVersion).getBytes(StandardCharsets.UTF_8);
    byte[] bundle = sigstoreJsSigns(rekorVersion, blob, null);
    SigstoreBundle parsed = SigstoreBundle.parse(bundle);
    assertThat(parsed.verificationMaterial().tlogEntries()).singleElement()
        .satisfies(e -> assertThat(e.version()).isEqualTo(rekorVersion == 2 ? "0.0.2" : "0.0.1"));
    assertThat(parsed.verificationMaterial().rfc3161Timestamps()).hasSize(1);
    var options = new dev.attest.verify.internal.keyless.SigstoreOptions(LogRequirement.REQUIRED,
        LogRequirement.REQUIRED, 1);
    var ok = attest().verifyMessageSignature(bundle,
        dev.attest.verify.internal.keyless.ArtifactDigests.of(blob), identity(http.identity().san()), options);
    assertThat(ok.ok()).as(ok.reason()).isTrue();
    var other = attest().verifyMessageSignature(bundle,
        dev.attest.verify.internal.keyless.ArtifactDigests.of("other".getBytes(StandardCharsets.UTF_8)),
        identity(http.identity().san()), options);
    assertThat(other.ok()).isFalse();
    var someoneElse = attest().verifyMessageSignature(bundle,
        dev.attest.verify.internal.keyless.ArtifactDigests.of(blob),
        identity("https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main"), options);
    assertThat(someoneElse.ok()).isFalse();
    assertThat(someoneElse.reason()).contains("certificate SAN is");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "Rekor v{0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
  void attestVerifiesADsseStatementSigstoreJsSigns(int rekorVersion) throws Exception {
    Digest image = Digest.sha256(("image signed by sigstore-js " + rekorVersion).getBytes(StandardCharsets.UTF_8));
    Statement statement = Statement.of(List.of(Subject.of("app", image)), VerifyFixtures.provenance());
    byte[] bundle = sigstoreJsSigns(rekorVersion, statement.bytes(), Statement.PAYLOAD_TYPE);
    SigstoreBundle parsed = SigstoreBundle.parse(bundle);
    assertThat(parsed.verificationMaterial().tlogEntries()).singleElement()
        .satisfies(e -> assertThat(e.kind() + " " + e.version()).isEqualTo(rekorVersion == 2 ? "dsse 0.0.2" : "dsse 0.0.1"));
    var options = new dev.attest.verify.internal.keyless.SigstoreOptions(LogRequirement.REQUIRED,
        LogRequirement.REQUIRED, 1);
    var ok = attest().verifyDsse(bundle, image, dev.attest.core.SlsaProvenance.PREDICATE_TYPE,
        identity(http.identity().san()), options);
    assertThat(ok.ok()).as(ok.reason()).isTrue();
    var otherImage = attest().verifyDsse(bundle, Digest.sha256(new byte[] {1}),
        dev.attest.core.SlsaProvenance.PREDICATE_TYPE, identity(http.identity().san()), options);
    assertThat(otherImage.ok()).isFalse();
  }

  private static Path interopDir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path c = p.resolve("interop/sigstore-js");
      if (Files.isRegularFile(c.resolve("package.json"))) {
        return c;
      }
    }
    return null;
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path c = Path.of(d, name);
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    return null;
  }
}
