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
 * sigstore-js ({@code @sigstore/verify}, trust material from the stack's {@code trusted_root.json})
 * verifies the bundles {@link KeylessSigner} makes over HTTP, and refuses another identity.
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
    if (node == null || dir == null || !Files.isDirectory(dir.resolve("node_modules/@sigstore/verify"))) {
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
