package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.PackagedJar.Run;
import dev.attest.core.Keys;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that touches crypto, run as users run it: {@code java -jar attest.jar} in its own
 * process, against attest-verify's Sigstore test stack and an embedded registry. The reactor
 * classpath the unit tests see is not the shaded jar (a dependency scope once left BouncyCastle's
 * TSP classes out of it and every keyless verification crashed), so these tests assert exit codes
 * and output of the jar itself, and that no failure prints a stack trace.
 */
class PackagedJarIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final SigstoreTestStack STACK = SigstoreTestStack.create();
  static final Identity CI = Identity.githubActions("acme/app", "refs/heads/main", ".github/workflows/release.yml");
  static EmbeddedRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    registry = EmbeddedRegistry.builder().inMemory().build().start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private String f(String name) {
    return dir.resolve(name).toString();
  }

  private PackagedJar jar() throws Exception {
    return new PackagedJar(dir);
  }

  // ------------------------------------------------------------ keys, sign-blob, verify-blob

  @Test
  void keysSignBlobAndKeyedVerifyBlob() throws Exception {
    PackagedJar jar = jar();
    jar.run("keys", "generate", "--out-dir", dir.toString()).succeeds();
    Files.writeString(dir.resolve("artifact.txt"), "release artifact\n");

    Run sign = jar.run("sign-blob", f("artifact.txt"), "--key", f("attest.key"), "--bundle", f("a.sigstore.json"))
        .succeeds();
    assertThat(sign.out()).contains("Signed " + f("artifact.txt"));

    Run ok = jar.run("verify-blob", f("artifact.txt"), "--bundle", f("a.sigstore.json"), "--key", f("attest.pub"))
        .succeeds();
    assertThat(ok.out()).startsWith("Verified OK: sha256:");

    Files.writeString(dir.resolve("artifact.txt"), "release artifact!\n");
    Run changed = jar.run("verify-blob", f("artifact.txt"), "--bundle", f("a.sigstore.json"), "--key", f("attest.pub"))
        .failsWith(Main.INVALID);
    assertThat(changed.out()).startsWith("INVALID: ");
  }

  @Test
  void keysImportCosignReadsAnEncryptedCosignKey() throws Exception {
    KeyPair kp = Keys.generateP256();
    Files.write(dir.resolve("cosign.key"), Keys.writeCosignPrivateKey(kp, "s3cret".getBytes(StandardCharsets.UTF_8)));
    PackagedJar jar = jar().env(Map.of("COSIGN_PASSWORD", "s3cret"));

    Run wrong = jar.runWithStdin("nope\n".getBytes(StandardCharsets.UTF_8), "keys", "import-cosign", f("cosign.key"),
        "--password-stdin", "--out", f("imported.key")).failsWith(Main.USAGE);
    assertThat(wrong.errLine()).startsWith("attest import-cosign: ");
    assertThat(dir.resolve("imported.key")).doesNotExist();

    jar.run("keys", "import-cosign", f("cosign.key"), "--password-env", "COSIGN_PASSWORD", "--out", f("imported.key"))
        .succeeds();
    assertThat(Keys.readPrivateKeyPem(Files.readAllBytes(dir.resolve("imported.key"))).getPublic())
        .isEqualTo(kp.getPublic());
  }

  @Test
  void keylessVerifyBlobChecksIdentityIssuerAndRoot() throws Exception {
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Files.writeString(dir.resolve("notes.txt"), "release notes\n");
    Files.write(dir.resolve("notes.sigstore.json"), STACK.signBlob(Files.readAllBytes(dir.resolve("notes.txt")), CI).bytes());
    PackagedJar jar = jar();

    Run ok = jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"), "--certificate-identity",
        CI.san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", root.toString())
        .succeeds();
    assertThat(ok.out()).contains("Verified OK").contains("signed by " + CI.san());

    Run wrongIssuer = jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"),
        "--certificate-identity", CI.san(), "--certificate-oidc-issuer", "https://accounts.google.com",
        "--trusted-root", root.toString(), "--output", "json").failsWith(Main.INVALID);
    JsonNode j = JSON.readTree(wrongIssuer.out());
    assertThat(j.get("valid").asBoolean()).isFalse();
    assertThat(j.get("reason").asText()).contains("issuer");

    Run regexp = jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"),
        "--certificate-identity-regexp", "https://github\\.com/acme/.*", "--certificate-oidc-issuer-regexp",
        "https://token\\.actions\\.githubusercontent\\.com", "--trusted-root", root.toString()).succeeds();
    assertThat(regexp.out()).contains("Verified OK");
    jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"), "--certificate-identity-regexp", "(",
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", root.toString())
        .failsWith(Main.USAGE);

    Path other = SigstoreTestStack.create("other").writeTrustedRoot(dir.resolve("other_root.json"));
    jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"), "--certificate-identity", CI.san(),
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", other.toString())
        .failsWith(Main.INVALID);
  }

  @Test
  void keylessVerifyBlobOfARealRekorV2BundleWithATimestamp() throws Exception {
    // Vector 03: public-good Rekor v2 hashedrekord 0.0.2 with an RFC 3161 timestamp (see vectors/README.md).
    Path v = dir.resolve("v03");
    Files.createDirectories(v);
    for (String name : new String[] {"artifact.txt", "bundle.sigstore.json", "trusted_root.json"}) {
      try (var in = getClass().getResourceAsStream("/vectors/03-rekor2-hashedrekord-prod/" + name)) {
        Files.write(v.resolve(name), in.readAllBytes());
      }
    }
    PackagedJar jar = jar();
    String[] common = {"--bundle", v.resolve("bundle.sigstore.json").toString(), "--certificate-oidc-issuer",
        "https://github.com/login/oauth", "--trusted-root", v.resolve("trusted_root.json").toString()};
    Run ok = jar.run(concat(new String[] {"verify-blob", v.resolve("artifact.txt").toString(),
        "--certificate-identity", "brian@dehamer.com"}, common)).succeeds();
    assertThat(ok.out()).contains("Verified OK").contains("brian@dehamer.com");
    Run other = jar.run(concat(new String[] {"verify-blob", v.resolve("artifact.txt").toString(),
        "--certificate-identity", "someone@example.com"}, common)).failsWith(Main.INVALID);
    assertThat(other.out()).contains("SAN");
    Files.writeString(v.resolve("artifact.txt"), "goodbye, world!");
    jar.run(concat(new String[] {"verify-blob", v.resolve("artifact.txt").toString(),
        "--certificate-identity", "brian@dehamer.com"}, common)).failsWith(Main.INVALID);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void keylessSignBlobWithASigningConfigThenVerifyBlob() throws Exception {
    try (SigstoreHttpStack http = SigstoreHttpStack.start(STACK)) {
      Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
      Files.writeString(dir.resolve("signing_config.json"), """
          {"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
           "caUrls": [{"url": "%1$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}, "operator": "test"}],
           "oidcUrls": [],
           "rekorTlogUrls": [
             {"url": "%2$s", "majorApiVersion": 2, "validFor": {"start": "2025-01-01T00:00:00Z"}, "operator": "test"},
             {"url": "%1$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}, "operator": "test"}],
           "tsaUrls": [{"url": "%3$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}, "operator": "test"}],
           "rekorTlogConfig": {"selector": "ANY"},
           "tsaConfig": {"selector": "ANY"}}
          """.formatted(http.url(), http.rekorV2Url(), http.tsaUrl()));
      Files.writeString(dir.resolve("artifact.txt"), "keyless artifact\n");
      PackagedJar jar = jar().env(http.githubActionsEnv());

      Run sign = jar.run("sign-blob", f("artifact.txt"), "--bundle", f("artifact.sigstore.json"), "--signing-config",
          f("signing_config.json")).succeeds();
      assertThat(sign.out()).contains("certificate for " + http.identity().san());
      assertThat(http.fulcioCalls()).isEqualTo(1);
      // The config's highest Rekor API version wins: a v2 entry, its time from the TSA.
      var signed = dev.attest.core.SigstoreBundle.parse(Files.readAllBytes(dir.resolve("artifact.sigstore.json")));
      assertThat(signed.verificationMaterial().tlogEntries()).singleElement()
          .satisfies(e -> assertThat(e.kind() + " " + e.version()).isEqualTo("hashedrekord 0.0.2"));
      assertThat(signed.verificationMaterial().rfc3161Timestamps()).hasSize(1);

      Run ok = jar.run("verify-blob", f("artifact.txt"), "--bundle", f("artifact.sigstore.json"),
          "--certificate-identity", http.identity().san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER,
          "--trusted-root", root.toString()).succeeds();
      assertThat(ok.out()).contains("Verified OK");

      // A token Fulcio refuses (another audience) fails at Fulcio: exit code 3, one line, nothing written.
      PackagedJar badToken = jar().env(Map.of("TOKEN", http.token("not-sigstore")));
      Run refused = badToken.run("sign-blob", f("artifact.txt"), "--bundle", f("refused.json"), "--signing-config",
          f("signing_config.json"), "--identity-token-env", "TOKEN").failsWith(Main.FAILURE);
      assertThat(refused.errLine()).contains("401");
      assertThat(dir.resolve("refused.json")).doesNotExist();

      // No token source outside GitHub Actions, a config with no log attest can sign to, both --key and keyless: usage.
      jar().run("sign-blob", f("artifact.txt"), "--bundle", f("x.json"), "--signing-config", f("signing_config.json"))
          .failsWith(Main.USAGE);
      Files.writeString(dir.resolve("v2-no-tsa.json"), Files.readString(dir.resolve("signing_config.json"))
          .replaceFirst("\"tsaUrls\": \\[[^\\]]*\\]", "\"tsaUrls\": []"));
      Run v2NoTsa = jar.run("sign-blob", f("artifact.txt"), "--bundle", f("x.json"), "--signing-config",
          f("v2-no-tsa.json")).failsWith(Main.USAGE);
      assertThat(v2NoTsa.errLine()).contains("give no signed time");
      assertThat(dir.resolve("x.json")).doesNotExist();
      jar.run("keys", "generate", "--out-dir", dir.toString()).succeeds();
      jar.run("sign-blob", f("artifact.txt"), "--bundle", f("x.json"), "--key", f("attest.key"), "--signing-config",
          f("signing_config.json")).failsWith(Main.USAGE);
    }
  }

  @Test
  void keylessSignThenVerifyWithAKeylessPolicy() throws Exception {
    try (SigstoreHttpStack http = SigstoreHttpStack.start(STACK)) {
      STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
      Files.writeString(dir.resolve("signing_config.json"), """
          {"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
           "caUrls": [{"url": "%1$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}}],
           "rekorTlogUrls": [{"url": "%1$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}}],
           "rekorTlogConfig": {"selector": "ANY"}}
          """.formatted(http.url()));
      Files.writeString(dir.resolve("policy.yaml"), """
          name: keyless
          trust:
            ci:
              trustedRoot: trusted_root.json
              keyless:
                - issuer: %s
                  subjectRegExp: https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/.*
          signature: {trust: ci}
          """.formatted(SigstoreTestStack.GITHUB_ISSUER));
      var image = TestImages.pushImage(registry, "jar/keyless", "v1");
      String ref = registry.host() + "/jar/keyless@" + image.digest();
      PackagedJar jar = jar().env(http.githubActionsEnv());

      jar.run("verify", ref, "--policy", f("policy.yaml")).failsWith(Main.INVALID);
      Run sign = jar.run("sign", registry.host() + "/jar/keyless:v1", "--signing-config", f("signing_config.json"))
          .succeeds();
      assertThat(sign.out()).contains("Attached 1 referrer(s) to " + ref);
      Run ok = jar.run("verify", ref, "--policy", f("policy.yaml")).succeeds();
      assertThat(ok.out()).contains("decision: ALLOW");

      // Signed by another workflow: the policy's identity does not match.
      http.workflow("acme/app", "refs/heads/main", ".github/workflows/other.yml");
      var other = TestImages.pushImage(registry, "jar/keyless", "v2");
      String otherRef = registry.host() + "/jar/keyless@" + other.digest();
      jar.run("sign", otherRef, "--signing-config", f("signing_config.json")).succeeds();
      Run deny = jar.run("verify", otherRef, "--policy", f("policy.yaml")).failsWith(Main.INVALID);
      assertThat(deny.out()).contains("decision: DENY");
      jar.run("sign", otherRef, "--signing-config", f("signing_config.json"), "--recursive").failsWith(Main.USAGE);
    }
  }

  /**
   * Keyless {@code attest attest} and {@code sign} to a Rekor v2 log with a timestamp, checked
   * against the trusted root before the push ({@code --trusted-root}), then admitted by {@code
   * attest verify} under a keyless policy that also requires a signed timestamp.
   */
  @Test
  void keylessAttestOnRekorV2WithATimestampThenVerify() throws Exception {
    try (SigstoreHttpStack http = SigstoreHttpStack.start(STACK)) {
      ImageCommandsTest.writeInputs(dir);
      Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
      Files.writeString(dir.resolve("signing_config.json"), """
          {"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
           "caUrls": [{"url": "%1$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}}],
           "rekorTlogUrls": [{"url": "%2$s", "majorApiVersion": 2, "validFor": {"start": "2023-01-01T00:00:00Z"}}],
           "rekorTlogConfig": {"selector": "ANY"},
           "tsaUrls": [{"url": "%3$s", "majorApiVersion": 1, "validFor": {"start": "2023-01-01T00:00:00Z"}}],
           "tsaConfig": {"selector": "ANY"}}
          """.formatted(http.url(), http.rekorV2Url(), http.tsaUrl()));
      Files.writeString(dir.resolve("keyless-policy.yaml"), """
          name: keyless-v2
          trust:
            ci:
              trustedRoot: trusted_root.json
              signedTimestamps: 1
              keyless:
                - issuer: %s
                  subject: %s
          signature: {trust: ci}
          attestations:
            - predicateType: https://slsa.dev/provenance/v1
              trust: ci
              slsa: {builderIds: ["https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"]}
            - predicateType: https://cyclonedx.org/bom
              trust: ci
            - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
              trust: ci
              vulnerabilities: {max: {CRITICAL: 0}}
          """.formatted(SigstoreTestStack.GITHUB_ISSUER, http.identity().san()));
      var image = TestImages.pushImage(registry, "jar/keyless-v2", "v1");
      String ref = registry.host() + "/jar/keyless-v2@" + image.digest();
      PackagedJar jar = jar().env(http.githubActionsEnv());
      String[] keyless = {"--signing-config", f("signing_config.json"), "--trusted-root", root.toString()};

      Run attest = jar.run(concat(new String[] {"attest", ref, "--provenance", f("provenance.json"), "--sbom",
          f("bom.json"), "--vuln", f("trivy.json"), "--output", "json"}, keyless)).succeeds();
      assertThat(JSON.readTree(attest.out()).get("referrers")).hasSize(3);
      assertThat(http.tsaCalls()).isEqualTo(3);
      jar.run("verify", ref, "--policy", f("keyless-policy.yaml")).failsWith(Main.INVALID); // no signature yet
      jar.run(concat(new String[] {"sign", ref}, keyless)).succeeds();
      Run ok = jar.run("verify", ref, "--policy", f("keyless-policy.yaml")).succeeds();
      assertThat(ok.out()).contains("decision: ALLOW");

      // A TSA the trusted root does not list: refused before anything is pushed (exit 3, one line).
      var other = TestImages.pushImage(registry, "jar/keyless-v2", "v2");
      String otherRef = registry.host() + "/jar/keyless-v2@" + other.digest();
      http.tsaFault(SigstoreTestStack.TsaFault.UNTRUSTED);
      Run refused = jar.run(concat(new String[] {"attest", otherRef, "--provenance", f("provenance.json")}, keyless))
          .failsWith(Main.FAILURE);
      assertThat(refused.errLine()).contains("timestamp");
      http.tsaFault(SigstoreTestStack.TsaFault.NONE);
      // A log whose checkpoint another key signed: the finished bundle fails the trusted root (exit 3, one line).
      http.v2Fault(SigstoreTestStack.V2Fault.WRONG_CHECKPOINT_KEY);
      Run untrustedLog = jar.run(concat(new String[] {"sign", otherRef}, keyless)).failsWith(Main.FAILURE);
      assertThat(untrustedLog.errLine()).contains("does not verify against the trusted root").contains("checkpoint");
      http.v2Fault(SigstoreTestStack.V2Fault.NONE);
      Run none = jar.run("verify", otherRef, "--policy", f("keyless-policy.yaml")).failsWith(Main.INVALID);
      assertThat(none.out()).contains("decision: DENY");

      // Usage: --key with keyless options, --recursive keyless.
      jar.run("attest", ref, "--provenance", f("provenance.json"), "--key", f("attest.key"), "--trusted-root",
          root.toString()).failsWith(Main.USAGE);
      jar.run(concat(new String[] {"attest", ref, "--provenance", f("provenance.json"), "--recursive"}, keyless))
          .failsWith(Main.USAGE);
    }
  }

  // ------------------------------------------------------------ sign, attest, verify on a registry

  @Test
  void signAttestAndVerifyAnImage() throws Exception {
    ImageCommandsTest.writeInputs(dir);
    var image = TestImages.pushImage(registry, "jar/app", "v1");
    String ref = registry.host() + "/jar/app@" + image.digest();
    PackagedJar jar = jar();

    Run before = jar.run("verify", ref, "--policy", f("policy.yaml")).failsWith(Main.INVALID);
    assertThat(before.out()).contains("decision: DENY");

    Run sign = jar.run("sign", registry.host() + "/jar/app:v1", "--key", f("attest.key")).succeeds();
    assertThat(sign.out()).contains("Attached 1 referrer(s) to " + ref);
    Run attest = jar.run("attest", ref, "--provenance", f("provenance.json"), "--sbom", f("bom.json"),
        "--vuln", f("trivy.json"), "--key", f("attest.key"), "--output", "json").succeeds();
    assertThat(JSON.readTree(attest.out()).get("referrers")).hasSize(3);

    Run ok = jar.run("verify", ref, "--policy", f("policy.yaml")).succeeds();
    assertThat(ok.out()).contains("decision: ALLOW");

    // Another key's policy denies the same image.
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(Keys.generateP256().getPublic()));
    Run deny = jar.run("verify", ref, "--policy", f("policy.yaml")).failsWith(Main.INVALID);
    assertThat(deny.out()).contains("decision: DENY");
  }

  // ------------------------------------------------------------ failures: one line, documented code

  @Test
  void failuresAreOneLineWithTheirExitCode() throws Exception {
    PackagedJar jar = jar();
    Path root = STACK.writeTrustedRoot(dir.resolve("trusted_root.json"));
    Files.writeString(dir.resolve("notes.txt"), "notes\n");
    Files.write(dir.resolve("b.json"), STACK.signBlob(Files.readAllBytes(dir.resolve("notes.txt")), CI).bytes());
    String[] keyless = {"--certificate-identity", CI.san(), "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER};

    // A missing file, key or bundle is a usage error.
    jar.run("verify-blob", f("missing.txt"), "--bundle", f("b.json"), keyless[0], keyless[1], keyless[2], keyless[3],
        "--trusted-root", root.toString()).failsWith(Main.USAGE);
    jar.run("sign-blob", f("notes.txt"), "--key", f("missing.key"), "--bundle", f("out.json")).failsWith(Main.USAGE);
    jar.run("verify-blob", f("notes.txt"), "--bundle", f("missing.json"), "--key", f("missing.pub"))
        .failsWith(Main.USAGE);
    jar.run("verify-blob", f("notes.txt"), "--no-such-option").failsWith(Main.USAGE);

    // A corrupt trusted root: truncated JSON, and a certificate that is not DER.
    Files.writeString(dir.resolve("truncated_root.json"), Files.readString(root).substring(0, 100));
    jar.run("verify-blob", f("notes.txt"), "--bundle", f("b.json"), keyless[0], keyless[1], keyless[2], keyless[3],
        "--trusted-root", f("truncated_root.json")).failsWith(Main.USAGE);
    Files.writeString(dir.resolve("bad_cert_root.json"),
        Files.readString(root).replaceFirst("\"rawBytes\"\\s*:\\s*\"[^\"]+\"", "\"rawBytes\": \"MAMCAQE=\""));
    Run badCert = jar.run("verify-blob", f("notes.txt"), "--bundle", f("b.json"), keyless[0], keyless[1], keyless[2],
        keyless[3], "--trusted-root", f("bad_cert_root.json"));
    badCert.assertNoStackTrace();
    assertThat(badCert.exitCode()).as(badCert.toString()).isIn(Main.INVALID, Main.USAGE);

    // Bundles that make parsers throw are invalid, with a reason, not a crash.
    String bundle = Files.readString(dir.resolve("b.json"));
    Map<String, String> broken = Map.of(
        "not-json.json", "{\"mediaType\": ",
        "array.json", "[1, 2, 3]",
        "cert-garbage.json", bundle.replaceFirst("(\"certificate\"\\s*:\\s*\\{\\s*\"rawBytes\"\\s*:\\s*\")[^\"]+\"", "$1MIIBAAAA\""),
        "cert-not-base64.json", bundle.replaceFirst("(\"certificate\"\\s*:\\s*\\{\\s*\"rawBytes\"\\s*:\\s*\")[^\"]+\"", "$1!!!\""),
        "body-garbage.json", bundle.replaceFirst("(\"canonicalizedBody\"\\s*:\\s*\")[^\"]+\"", "$1e30=\""),
        "deep.json", "[".repeat(100_000) + "]".repeat(100_000));
    for (Map.Entry<String, String> b : broken.entrySet()) {
      Files.writeString(dir.resolve(b.getKey()), b.getValue());
      Run r = jar.run("verify-blob", f("notes.txt"), "--bundle", f(b.getKey()), keyless[0], keyless[1], keyless[2],
          keyless[3], "--trusted-root", root.toString());
      r.assertNoStackTrace();
      assertThat(r.exitCode()).as(b.getKey() + ": " + r).isIn(Main.INVALID, Main.USAGE);
    }

    // An Error inside a command (here: no memory for the file sign-blob reads) is one line and exit code 3.
    Files.write(dir.resolve("k.key"), Keys.writePrivateKeyPem(Keys.generateP256().getPrivate()));
    try (var big = Files.newOutputStream(dir.resolve("big.bin"))) {
      byte[] mib = new byte[1 << 20];
      for (int i = 0; i < 96; i++) {
        big.write(mib);
      }
    }
    Run oom = jar().jvm("-Xmx48m").run("sign-blob", f("big.bin"), "--key", f("k.key"), "--bundle", f("big.json"))
        .failsWith(Main.FAILURE);
    assertThat(oom.errLine()).startsWith("attest").contains("out of memory");

    // An unreachable registry is exit code 3.
    try (var s = new java.net.ServerSocket(0)) {
      int closed = s.getLocalPort();
      s.close();
      jar.run("sign", "127.0.0.1:" + closed + "/x/y@sha256:" + "0".repeat(64), "--key", f("k.key"), "--retries", "0")
          .failsWith(Main.FAILURE);
    }
  }
}
