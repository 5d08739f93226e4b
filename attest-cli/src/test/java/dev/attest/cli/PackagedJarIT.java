package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.PackagedJar.Run;
import dev.attest.core.Keys;
import dev.attest.core.SlsaProvenance;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.testing.SigstoreTestStack;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.io.InputStream;
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

    Path other = SigstoreTestStack.create("other").writeTrustedRoot(dir.resolve("other_root.json"));
    jar.run("verify-blob", f("notes.txt"), "--bundle", f("notes.sigstore.json"), "--certificate-identity", CI.san(),
        "--certificate-oidc-issuer", SigstoreTestStack.GITHUB_ISSUER, "--trusted-root", other.toString())
        .failsWith(Main.INVALID);
  }

  // ------------------------------------------------------------ sign, attest, verify on a registry

  @Test
  void signAttestAndVerifyAnImage() throws Exception {
    KeyPair key = Keys.generateP256();
    Files.write(dir.resolve("attest.key"), Keys.writePrivateKeyPem(key.getPrivate()));
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(key.getPublic()));
    Files.write(dir.resolve("provenance.json"), SlsaProvenance.fromGitHubActions(ImageCommandsTest.RUN, (String) null).json());
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("demo/example-trivy-report.json")) {
      Files.write(dir.resolve("trivy.json"), in.readAllBytes());
    }
    Files.writeString(dir.resolve("policy.yaml"), """
        name: packaged
        trust: {k: {publicKeys: [{path: attest.pub}]}}
        signature: {trust: k}
        attestations:
          - predicateType: https://slsa.dev/provenance/v1
            trust: k
            slsa: {builderIds: ["https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"]}
          - predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
            trust: k
            vulnerabilities: {max: {CRITICAL: 0}}
        """);
    var image = TestImages.pushImage(registry, "jar/app", "v1");
    String ref = registry.host() + "/jar/app@" + image.digest();
    PackagedJar jar = jar();

    Run before = jar.run("verify", ref, "--policy", f("policy.yaml")).failsWith(Main.INVALID);
    assertThat(before.out()).contains("decision: DENY");

    Run sign = jar.run("sign", registry.host() + "/jar/app:v1", "--key", f("attest.key")).succeeds();
    assertThat(sign.out()).contains("Attached 1 referrer(s) to " + ref);
    Run attest = jar.run("attest", ref, "--provenance", f("provenance.json"), "--vuln", f("trivy.json"),
        "--key", f("attest.key"), "--output", "json").succeeds();
    assertThat(JSON.readTree(attest.out()).get("referrers")).hasSize(2);

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
