package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Digest;
import dev.attest.verify.BlobVerifier;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless verification from a project that only imports attest-bom and declares attest-verify:
 * the runtime classpath Maven resolves for users (no test-scope extras such as BouncyCastle's
 * PKIX added by hand) must hold everything a keyless check loads.
 */
class KeylessConsumerTest {
  @TempDir Path dir;

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = KeylessConsumerTest.class.getResourceAsStream("/keyless/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void verifiesAKeylessBundleOnThePlainRuntimeClasspath() throws Exception {
    Path root = dir.resolve("trusted_root.json");
    Files.write(root, resource("trusted_root.json"));
    List<String> identity = new String(resource("identity.txt"), StandardCharsets.UTF_8).lines().toList();
    byte[] bundle = resource("artifact.sigstore.json");
    Digest artifact = Digest.sha256(resource("artifact.txt"));

    BlobVerifier verifier = BlobVerifier.keyless(root, identity.get(0), identity.get(1));
    BlobVerifier.Result ok = verifier.verify(bundle, artifact);
    assertTrue(ok.valid(), ok.reason());
    assertEquals(identity.get(0), ok.signer());

    BlobVerifier.Result other = verifier.verify(bundle, Digest.sha256("another artifact".getBytes(StandardCharsets.UTF_8)));
    assertFalse(other.valid());
    BlobVerifier.Result wrongIssuer = BlobVerifier.keyless(root, identity.get(0), "https://accounts.google.com")
        .verify(bundle, artifact);
    assertFalse(wrongIssuer.valid(), wrongIssuer.reason());
  }
}
