package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.Attestations;
import dev.attest.registry.EmbeddedRegistry;
import dev.attest.registry.Registry;
import dev.attest.registry.TestImages;
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KEYLESS.md's Java, copied verbatim below, signs and attaches against the HTTP test stack. */
class KeylessReadmeTest {
  static final Path README = Path.of("KEYLESS.md");
  static final Path SELF = Path.of("src/test/java/dev/attest/verify/KeylessReadmeTest.java");

  /** The README code: compiled here; it needs a real GitHub Actions job to run. */
  static void readme(Registry registry, String repository, Digest digest, Statement imageSignature,
      Statement provenance) throws Exception {
    // BEGIN KEYLESS.md
    KeylessSigner signer = KeylessSigner.builder()
        .sigstorePublicGood() // or .signingConfig(path), or .fulcio(url).rekor(url)
        .tokenSource(TokenSource.githubActions())
        .build();
    Attestations.on(registry, repository, digest)
        .bundle(signer.signDsse(imageSignature).bytes())
        .bundle(signer.signDsse(provenance).bytes())
        .attach();
    // END KEYLESS.md
  }

  @Test
  void theJavaInTheReadmeIsTheJavaThisTestCompiles() throws Exception {
    String java = VerifyReadmeTest.block(Files.readString(README), "java");
    List<String> src = Files.readAllLines(SELF);
    int from = src.indexOf("    // BEGIN KEYLESS.md");
    int to = src.indexOf("    // END KEYLESS.md");
    assertThat(java).isEqualTo(VerifyReadmeTest.stripIndent(src.subList(from + 1, to)));
  }

  /** The same calls, against the local stack: the endpoints and environment are the only change. */
  @Test
  void theReadmeFlowSignsAndAttachesAgainstTheLocalStack() throws Exception {
    SigstoreTestStack stack = SigstoreTestStack.create("readme");
    try (SigstoreHttpStack http = SigstoreHttpStack.start(stack);
        EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "acme/app", "v1");
      KeylessSigner signer = KeylessSigner.builder()
          .fulcio(http.url()).rekor(http.url())
          .tokenSource(TokenSource.githubActions(http.githubActionsEnv()))
          .build();
      Statement provenance = Statement.of(List.of(Subject.of("acme/app", image.digest())), VerifyFixtures.provenance());
      Attestations.on(registry, "acme/app", image.digest())
          .bundle(signer.signDsse(provenance).bytes())
          .attach();
      assertThat(Attestations.read(registry, "acme/app", image.digest())).hasSize(1);
      assertThat(new String(Files.readAllBytes(README), StandardCharsets.UTF_8)).contains("id-token: write");
    }
  }
}
