package dev.attest.cli;

import static dev.attest.cli.CliTestSupport.run;
import static dev.attest.cli.CliTestSupport.runWithStdin;
import static dev.attest.cli.CliTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.CliTestSupport.Result;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
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

  // ------------------------------------------------------------ help, version, usage

  @ParameterizedTest
  @ValueSource(strings = {
    "", "digest", "resolve", "tree", "keys", "keys generate", "keys import-cosign", "sign-blob",
    "verify-blob", "policy", "policy export", "registry", "registry serve", "demo", "sign", "attest", "verify",
    "promote", "admission", "admission serve"
  })
  void everyCommandHasHelp(String command) {
    String[] words = command.isEmpty() ? new String[0] : command.split(" ");
    String[] args = java.util.Arrays.copyOf(words, words.length + 1);
    args[words.length] = "--help";
    Result r = run(args);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Usage: attest" + (command.isEmpty() ? "" : " " + command)).contains("--help");
  }

  /** The command list is an index: one line per command, the details stay in each command's --help. */
  @Test
  void topLevelHelpGivesOneLinePerCommand() {
    Result r = run("--help");
    assertThat(r.exitCode()).isZero();
    String out = r.out();
    List<String> list = out.substring(out.indexOf("Commands:")).lines().skip(1)
        .takeWhile(l -> !l.isBlank()).toList();
    assertThat(list).allSatisfy(l -> assertThat(l).matches("  [a-z-]+ +\\S.*").hasSizeLessThanOrEqualTo(80));
    assertThat(list).extracting(l -> l.trim().split(" ")[0]).contains(
        "digest", "resolve", "tree", "sign", "attest", "verify", "promote", "keys", "sign-blob", "verify-blob",
        "policy", "registry", "admission", "demo", "help");
    Result sign = run("sign", "--help");
    assertThat(sign.out()).contains("cosign sign --new-bundle-format");
  }

  @Test
  void versionNamesTheBuild() {
    Result r = run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("attest 0.");
    assertThat(run("keys", "generate", "--version").out()).isEqualTo(r.out());
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run().exitCode()).isEqualTo(2);
    assertThat(run("no-such-command").exitCode()).isEqualTo(2);
    Result missing = run("digest");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required parameter");
    assertThat(run("resolve", "--output", "xml", "a/b:c").exitCode()).isEqualTo(2);
    assertThat(run("policy", "export", "--policy", "p.yaml", "--to", "opa").exitCode()).isEqualTo(2);
    Result badRef = run("resolve", "NOT A REF");
    assertThat(badRef.exitCode()).isEqualTo(2);
    assertThat(badRef.err()).contains("invalid image reference");
  }

  // ------------------------------------------------------------ digest

  @Test
  void digestOfAFileAndOfStdin() throws Exception {
    Path f = dir.resolve("f.txt");
    Files.writeString(f, "hello\n");
    String expected = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8("hello\n")));

    Result r = run("digest", f.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().strip()).isEqualTo(expected);

    Result stdin = runWithStdin(utf8("hello\n"), "digest", "-");
    assertThat(stdin.out().strip()).isEqualTo(expected);

    JsonNode json = JSON.readTree(run("digest", "--output", "json", f.toString()).out());
    assertThat(json.get("digest").asText()).isEqualTo(expected);

    Result none = run("digest", dir.resolve("missing").toString());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("no such file");
  }

  // ------------------------------------------------------------ resolve

  @Test
  void resolvePrintsTheDigestOfATag() throws Exception {
    ImageManifest image = TestImages.pushImage(registry, "app/resolve", "v1");
    Result r = run("resolve", registry.host() + "/app/resolve:v1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().strip()).isEqualTo(image.digest().toString());

    JsonNode json = JSON.readTree(run("resolve", "--output", "json", registry.host() + "/app/resolve:v1").out());
    assertThat(json.get("digest").asText()).isEqualTo(image.digest().toString());
    assertThat(json.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void registryFailuresExitThree() {
    Result unknownTag = run("resolve", "--retries", "0", registry.host() + "/app/resolve:nope");
    assertThat(unknownTag.exitCode()).as(unknownTag.toString()).isEqualTo(3);

    Result unreachable = run("resolve", "--retries", "0", "127.0.0.1:1/app:v1");
    assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(3);
    assertThat(unreachable.err()).contains("127.0.0.1:1");
  }

  // ------------------------------------------------------------ keys

  @Test
  void keysGenerateWritesAPairAndNeverOverwrites() throws Exception {
    Result r = run("keys", "generate", "--out-dir", dir.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    KeyPair kp = Keys.readPrivateKeyPem(Files.readAllBytes(dir.resolve("attest.key")));
    assertThat(Files.readString(dir.resolve("attest.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Keys.readPublicKeyPem(Files.readAllBytes(dir.resolve("attest.pub")))).isEqualTo(kp.getPublic());
    assertThat(r.out()).contains(Keys.hint(kp.getPublic()));

    byte[] before = Files.readAllBytes(dir.resolve("attest.key"));
    Result again = run("keys", "generate", "--out-dir", dir.toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("refusing to overwrite");
    assertThat(Files.readAllBytes(dir.resolve("attest.key"))).isEqualTo(before);
  }

  @Test
  void keysGenerateCreatesItsOutputDirectory() throws Exception {
    Path nested = dir.resolve("new/keys");
    Result r = run("keys", "generate", "--out-dir", nested.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(nested.resolve("attest.key")).isRegularFile();
    assertThat(nested.resolve("attest.pub")).isRegularFile();

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result notADir = run("keys", "generate", "--out-dir", file.toString());
    assertThat(notADir.exitCode()).isEqualTo(2);
    assertThat(notADir.err()).contains("not a directory: " + file);
  }

  @Test
  void keysImportCosignDecryptsToPkcs8() throws Exception {
    KeyPair kp = Keys.generateP256();
    Path cosign = dir.resolve("cosign.key");
    Files.write(cosign, Keys.writeCosignPrivateKey(kp, utf8("s3cret")));
    Path out = dir.resolve("imported.key");

    Result wrong = runWithStdin(utf8("nope\n"), "keys", "import-cosign", cosign.toString(), "--password-stdin", "--out", out.toString());
    assertThat(wrong.exitCode()).isEqualTo(2);
    assertThat(out).doesNotExist();

    Result r = runWithStdin(utf8("s3cret\n"), "keys", "import-cosign", cosign.toString(), "--password-stdin", "--out", out.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(Keys.readPrivateKeyPem(Files.readAllBytes(out)).getPublic()).isEqualTo(kp.getPublic());

    Result both = run("keys", "import-cosign", cosign.toString(), "--password-stdin", "--password-env", "X");
    assertThat(both.exitCode()).isEqualTo(2);
  }

  // ------------------------------------------------------------ sign-blob, verify-blob

  @Test
  void signBlobThenVerifyBlob() throws Exception {
    assertThat(run("keys", "generate", "--out-dir", dir.toString()).exitCode()).isZero();
    Path file = dir.resolve("artifact.bin");
    Files.write(file, utf8("release artifact"));
    Path bundle = dir.resolve("artifact.sigstore.json");

    Result sign = run("sign-blob", file.toString(), "--key", dir.resolve("attest.key").toString(), "--bundle", bundle.toString());
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    SigstoreBundle parsed = SigstoreBundle.parse(Files.readAllBytes(bundle));
    assertThat(parsed.mediaType()).isEqualTo(SigstoreBundle.MEDIA_TYPE_V0_3);
    assertThat(parsed.messageSignature().orElseThrow().digest()).contains(Digest.sha256(utf8("release artifact")));

    String pub = dir.resolve("attest.pub").toString();
    Result ok = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", pub);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("Verified OK");

    Result byDigest = run("verify-blob", Digest.sha256(utf8("release artifact")).toString(), "--bundle", bundle.toString(), "--key", pub);
    assertThat(byDigest.exitCode()).as(byDigest.toString()).isZero();

    Files.write(file, utf8("release artifacT"));
    Result changed = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", pub);
    assertThat(changed.exitCode()).isEqualTo(1);
    assertThat(changed.out()).contains("INVALID").contains("the bundle signs");

    Path other = dir.resolve("other.pub");
    Files.write(other, Keys.writePublicKeyPem(Keys.generateP256().getPublic()));
    Result wrongKey = run("verify-blob", "--output", "json", Digest.sha256(utf8("release artifact")).toString(),
        "--bundle", bundle.toString(), "--key", other.toString());
    assertThat(wrongKey.exitCode()).isEqualTo(1);
    JsonNode json = JSON.readTree(wrongKey.out());
    assertThat(json.get("valid").asBoolean()).isFalse();
    assertThat(json.get("reason").asText()).contains("does not verify");
  }

  /** --key-details (ADR 0030): a key restricted to one registry algorithm; a mismatch is a usage error. */
  @Test
  void verifyBlobKeyDetails() throws Exception {
    assertThat(run("keys", "generate", "--out-dir", dir.toString()).exitCode()).isZero();
    Path file = dir.resolve("artifact.bin");
    Files.write(file, utf8("release artifact"));
    Path bundle = dir.resolve("artifact.sigstore.json");
    assertThat(run("sign-blob", file.toString(), "--key", dir.resolve("attest.key").toString(), "--bundle",
        bundle.toString()).exitCode()).isZero();
    String pub = dir.resolve("attest.pub").toString();
    Result ok = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", pub, "--key-details",
        "PKIX_ECDSA_P256_SHA_256");
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    Result misfit = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", pub, "--key-details",
        "PKIX_ECDSA_P384_SHA_384");
    assertThat(misfit.exitCode()).as(misfit.toString()).isEqualTo(2);
    assertThat(misfit.err()).contains("--key-details PKIX_ECDSA_P384_SHA_384", "does not match");
    Result unknown = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", pub, "--key-details",
        "PKIX_ECDSA_P256_HMAC_SHA_256");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("not one attest verifies");
    Result keyless = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key-details",
        "PKIX_ECDSA_P256_SHA_256", "--certificate-identity", "a@b", "--certificate-oidc-issuer", "https://i");
    assertThat(keyless.exitCode()).isEqualTo(2);
  }

  @Test
  void verifyBlobChecksDsseBundlesAndTheirSubject() throws Exception {
    KeyPair kp = Keys.generateP256();
    Path pub = dir.resolve("k.pub");
    Files.write(pub, Keys.writePublicKeyPem(kp.getPublic()));
    Digest subject = Digest.sha256(utf8("the image"));
    Statement st = Statement.of(List.of(Subject.of("example", subject)), "https://example.com/p", utf8("{\"a\":1}"));
    SigstoreBundle b = SigstoreBundle.ofDsse(DsseEnvelope.sign(st, Keys.signer(kp)), Keys.hint(kp.getPublic()));
    Path bundle = dir.resolve("b.json");
    Files.write(bundle, b.bytes());

    assertThat(run("verify-blob", subject.toString(), "--bundle", bundle.toString(), "--key", pub.toString()).exitCode()).isZero();
    Result other = run("verify-blob", Digest.sha256(utf8("x")).toString(), "--bundle", bundle.toString(), "--key", pub.toString());
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.out()).contains("subjects do not include");

    Files.writeString(bundle, "{\"mediaType\": 1}");
    Result malformed = run("verify-blob", subject.toString(), "--bundle", bundle.toString(), "--key", pub.toString());
    assertThat(malformed.exitCode()).isEqualTo(1);
  }

  // ------------------------------------------------------------ tree

  @Test
  void treeShowsReferrersOfTheIndexItsPlatformsAndOfReferrers() throws Exception {
    String repo = "app/tree";
    ImageIndex index = TestImages.pushIndex(registry, repo, "v1", TestImages.Format.OCI,
        List.of(Platform.of("linux", "amd64"), Platform.of("linux", "arm64")));
    Descriptor indexDesc = Descriptor.of(MediaTypes.OCI_INDEX, index.digest(), index.size());
    ImageManifest provenance = referrer(repo, indexDesc, "https://slsa.dev/provenance/v1");
    referrer(repo, Descriptor.of(MediaTypes.OCI_MANIFEST, provenance.digest(), provenance.size()), null);
    Descriptor child = index.manifests().get(0);
    referrer(repo, Descriptor.of(child.mediaType(), child.digest(), child.size()), "https://cyclonedx.org/bom");

    Result text = run("tree", registry.host() + "/" + repo + ":v1");
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out())
        .contains(index.digest().toString())
        .contains("linux/amd64 " + child.digest())
        .contains("predicateType=https://slsa.dev/provenance/v1")
        .contains("predicateType=https://cyclonedx.org/bom")
        .contains("    └── " + MediaTypes.SIGSTORE_BUNDLE_V03);

    JsonNode json = JSON.readTree(run("tree", "--format", "json", registry.host() + "/" + repo + ":v1").out());
    assertThat(json.get("digest").asText()).isEqualTo(index.digest().toString());
    JsonNode children = json.get("children");
    assertThat(children).hasSize(3);
    JsonNode prov = children.get(2);
    assertThat(prov.get("role").asText()).isEqualTo("referrer");
    assertThat(prov.get("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(prov.get("children")).hasSize(1);
    assertThat(children.get(0).get("children").get(0).get("predicateType").asText()).isEqualTo("https://cyclonedx.org/bom");

    Result dot = run("tree", "--format", "dot", registry.host() + "/" + repo + ":v1");
    assertThat(dot.out()).startsWith("digraph referrers {").contains("\"" + provenance.digest() + "\" -> \"" + index.digest() + "\"");
  }

  private static ImageManifest referrer(String repo, Descriptor subject, String predicateType) {
    byte[] content = utf8("{\"n\":" + COUNTER.incrementAndGet() + "}");
    Descriptor layer = registry.putBlob(repo, MediaTypes.SIGSTORE_BUNDLE_V03, content);
    registry.putBlob(repo, MediaTypes.OCI_EMPTY, Descriptor.emptyBytes());
    ImageManifest.Builder b = ImageManifest.builder()
        .artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
        .config(Descriptor.EMPTY)
        .layer(layer)
        .subject(subject);
    if (predicateType != null) {
      b.annotation("dev.sigstore.bundle.predicateType", predicateType);
    }
    return registry.putManifest(repo, null, b.build());
  }

  private static final AtomicInteger COUNTER = new AtomicInteger();

  // ------------------------------------------------------------ policy export

  @Test
  void policyExportRendersBothEngines() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    try (InputStream in = CommandsTest.class.getClassLoader().getResourceAsStream("demo/policy.yaml")) {
      Files.write(policy, in.readAllBytes());
    }
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(Keys.generateP256().getPublic()));

    Result kyverno = run("policy", "export", "--policy", policy.toString(), "--to", "kyverno");
    assertThat(kyverno.exitCode()).as(kyverno.toString()).isZero();
    assertThat(kyverno.out()).contains("ImageValidatingPolicy").contains("attest-demo");

    Result pc = run("policy", "export", "--policy", policy.toString(), "--to", "policy-controller");
    assertThat(pc.exitCode()).as(pc.toString()).isZero();
    assertThat(pc.out()).contains("ClusterImagePolicy").contains("signatureFormat: bundle");
    // What policy-controller cannot enforce is on stderr; --strict makes it an error with no output.
    assertThat(pc.err()).contains("not enforced by policy-controller: tag-only references are not rejected");
    assertThat(pc.out() + pc.err()).doesNotContain(dir.toString());
    Result strict = run("policy", "export", "--policy", policy.toString(), "--to", "policy-controller", "--strict");
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.out()).isEmpty();
    assertThat(strict.err()).contains("cannot be enforced by policy-controller (--strict)");

    Files.writeString(policy, "name: x\nunknownKey: 1\n");
    Result bad = run("policy", "export", "--policy", policy.toString(), "--to", "kyverno");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("unknownKey");
  }

  // ------------------------------------------------------------ registry serve

  @Test
  void registryServeAnswersUntilInterrupted() throws Exception {
    java.io.StringWriter out = new java.io.StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread t = new Thread(() -> code.set(Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
        "registry", "serve", "--port", "0", "--no-referrers-api", "--output", "json")));
    t.start();
    JsonNode info = null;
    for (int i = 0; i < 200 && info == null; i++) {
      String s = out.toString();
      if (s.contains("}")) {
        info = JSON.readTree(s);
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(info).as("serve printed its address").isNotNull();
    assertThat(info.get("referrersApi").asBoolean()).isFalse();
    URI v2 = URI.create(info.get("url").asText()).resolve("/v2/");
    HttpURLConnection c = (HttpURLConnection) v2.toURL().openConnection();
    assertThat(c.getResponseCode()).isEqualTo(200);
    c.disconnect();

    t.interrupt();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(code.get()).isZero();
  }

  static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  @Test
  void verifyTimeoutIsADuration() {
    String ref = "127.0.0.1:1/x/y@sha256:" + "0".repeat(64);
    for (String bad : new String[] {"soon", "0s", "", "2h", "-1s", "10"}) {
      Result r = run("verify", ref, "--policy", "missing.yaml", "--timeout", bad);
      assertThat(r.exitCode()).as(bad + ": " + r).isEqualTo(2);
      assertThat(r.err()).as(bad).contains("--timeout");
    }
    for (String good : new String[] {"1m30s", "500ms", "2m", "45s"}) {
      Result r = run("verify", ref, "--policy", "missing.yaml", "--timeout", good);
      assertThat(r.err()).as(good).doesNotContain("--timeout").contains("policy not found");
    }
  }
}
