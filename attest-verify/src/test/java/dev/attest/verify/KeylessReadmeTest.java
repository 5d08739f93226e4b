package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.attest.verify.testing.SigstoreHttpStack;
import dev.attest.verify.testing.SigstoreTestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KEYLESS.md's Java, copied verbatim below, signs and attaches against the HTTP test stack. */
class KeylessReadmeTest {
  static final Path README = Path.of("KEYLESS.md");
  static final Path SELF = Path.of("src/test/java/dev/attest/verify/KeylessReadmeTest.java");

  /** The README code: compiled here; it needs a real GitHub Actions job to run. */
  static void readme(Registry registry, String repository, Digest digest, Statement imageSignature)
      throws Exception {
    // BEGIN KEYLESS.md
    String token = TokenSource.githubActions().token(); // fetched once, signs everything below
    KeylessSigner signer = KeylessSigner.builder()
        .sigstorePublicGood() // or .signingConfig(path), or .fulcio(url).rekor(url)
        .tokenSource(TokenSource.of(token))
        .build();
    SlsaProvenance provenance = KeylessSigner.gitHubActionsProvenance(System.getenv(), token);
    SigstoreBundle signed = signer.signDsse(Statement.of(List.of(Subject.of(repository, digest)), provenance));
    KeylessSigner.checkProvenance(signed, provenance); // certificate and provenance name the same run
    Attestations.on(registry, repository, digest)
        .bundle(signer.signDsse(imageSignature).bytes())
        .bundle(signed.bytes())
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
      Map<String, String> env = new HashMap<>(VerifyFixtures.env("acme/app", "refs/heads/main"));
      env.putAll(http.githubActionsEnv());
      String token = TokenSource.githubActions(env).token();
      KeylessSigner signer = KeylessSigner.builder()
          .fulcio(http.url()).rekor(http.url())
          .tokenSource(TokenSource.of(token))
          .build();
      SlsaProvenance provenance = KeylessSigner.gitHubActionsProvenance(env, token);
      SigstoreBundle signed = signer.signDsse(Statement.of(List.of(Subject.of("acme/app", image.digest())), provenance));
      KeylessSigner.checkProvenance(signed, provenance);
      Attestations.on(registry, "acme/app", image.digest())
          .bundle(signed.bytes())
          .attach();
      assertThat(Attestations.read(registry, "acme/app", image.digest())).hasSize(1);
      assertThat(provenance.builderId()).isEqualTo(http.identity().san());
      assertThat(new String(Files.readAllBytes(README), StandardCharsets.UTF_8)).contains("id-token: write");
    }
  }
}
