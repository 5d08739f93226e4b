package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Descriptor;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A project that imports attest-bom and declares attest-core without a version. */
class BomConsumerTest {

  @Test
  void usesTheApiThroughTheBom() throws Exception {
    Digest d = Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII));
    assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.toString());

    ImageManifest m = ImageManifest.builder()
        .artifactType("application/example")
        .config(Descriptor.EMPTY)
        .build();
    assertEquals(m.digest(), Manifest.parse(m.bytes()).digest());
  }
}
