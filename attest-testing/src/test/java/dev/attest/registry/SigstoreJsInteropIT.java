package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.Keys;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Signer;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sigstore-js ({@code @sigstore/verify} 4.1.3) verifies the bundles attest writes, with our key
 * registered under the bundle's hint and every threshold at 0; a tampered payload and a wrong key
 * fail there.
 */
class SigstoreJsInteropIT {
  static NodeInterop node;
  static final KeyPair KEY = Keys.generateP256();
  static final Signer SIGNER = Keys.signer(KEY);

  @TempDir Path tmp;

  @BeforeAll
  static void requireNode() {
    node = NodeInterop.require();
  }

  private Path write(String name, byte[] bytes) throws Exception {
    return Files.write(tmp.resolve(name), bytes);
  }

  private NodeInterop.Run verify(byte[] bundle, KeyPair key, String hint, byte[] artifact) throws Exception {
    Path b = write("bundle.json", bundle);
    Path k = write("key.pem", Keys.writePublicKeyPem(key.getPublic()));
    if (artifact == null) {
      return node.run("verify-bundle.mjs", b.toString(), k.toString(), hint);
    }
    return node.run("verify-bundle.mjs", b.toString(), k.toString(), hint, write("artifact", artifact).toString());
  }

  /** A DSSE bundle over a statement about the image, with a non-ASCII predicate to exercise the PAE. */
  private static SigstoreBundle dsseBundle() throws Exception {
    Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
    Statement st = Statement.of(List.of(Subject.of("app", image)), "https://example.com/p/v1",
        "{\"note\":\"grüße, 世界\"}".getBytes(StandardCharsets.UTF_8));
    return SigstoreBundle.ofDsse(DsseEnvelope.sign(st, SIGNER), SIGNER.hint());
  }

  @Test
  void dsseBundleVerifies() throws Exception {
    NodeInterop.Run r = verify(dsseBundle().bytes(), KEY, SIGNER.hint(), null);
    assertThat(r.output()).isEqualTo("OK");
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void imageSignatureBundleVerifies() throws Exception {
    // The bundle Signatures writes (cosign 3's statement), taken from a real attach.
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      var image = TestImages.pushImage(server, "app", "v1");
      AttachResult res = Signatures.on(registry, "app", image.digest()).signWith(SIGNER).attach();
      NodeInterop.Run r = verify(res.referrers().get(0).bundle().bytes(), KEY, SIGNER.hint(), null);
      assertThat(r.output()).isEqualTo("OK");
    }
  }

  @Test
  void messageSignatureBundleVerifies() throws Exception {
    byte[] artifact = "the artifact, e.g. a manifest".getBytes(StandardCharsets.UTF_8);
    byte[] sig = SIGNER.sign(artifact);
    SigstoreBundle b = SigstoreBundle.ofMessageSignature(Digest.sha256(artifact), sig, SIGNER.hint());
    NodeInterop.Run ok = verify(b.bytes(), KEY, SIGNER.hint(), artifact);
    assertThat(ok.output()).isEqualTo("OK");
    assertThat(ok.exitCode()).isZero();

    byte[] other = "another artifact".getBytes(StandardCharsets.UTF_8);
    NodeInterop.Run bad = verify(b.bytes(), KEY, SIGNER.hint(), other);
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.output()).startsWith("FAILED");
    assertThat(bad.output()).contains("SIGNATURE_ERROR");
  }

  @Test
  void tamperedPayloadFails() throws Exception {
    SigstoreBundle b = dsseBundle();
    DsseEnvelope env = b.dsseEnvelope().orElseThrow();
    byte[] payload = env.payload();
    payload[payload.length - 3] ^= 0x01;
    String json = new String(b.bytes(), StandardCharsets.UTF_8).replace(
        Base64.getEncoder().encodeToString(env.payload()), Base64.getEncoder().encodeToString(payload));
    assertThat(json).isNotEqualTo(new String(b.bytes(), StandardCharsets.UTF_8));
    NodeInterop.Run r = verify(json.getBytes(StandardCharsets.UTF_8), KEY, SIGNER.hint(), null);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).startsWith("FAILED").contains("SIGNATURE_ERROR");
  }

  @Test
  void wrongKeyFails() throws Exception {
    KeyPair other = Keys.generateP256();
    // The other key registered under the bundle's hint: the signature must not verify.
    NodeInterop.Run r = verify(dsseBundle().bytes(), other, SIGNER.hint(), null);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).startsWith("FAILED");
    // And our key under another hint is not found at all.
    NodeInterop.Run r2 = verify(dsseBundle().bytes(), KEY, Keys.hint(other.getPublic()), null);
    assertThat(r2.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("SIGNATURE_ERROR");
    assertThat(r2.output()).contains("PUBLIC_KEY_ERROR");
  }
}
