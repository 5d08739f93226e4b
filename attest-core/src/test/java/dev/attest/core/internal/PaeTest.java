package dev.attest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PaeTest {

  @Test
  void specGoldenVector() {
    byte[] pae = Pae.encode("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
    assertThat(pae)
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void lengthsAreByteLengthsNotCharacterCounts() {
    String text = "héllo wörld ✓"; // 13 chars, 17 UTF-8 bytes
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    assertThat(text).hasSize(13);
    assertThat(payload).hasSize(17);

    byte[] pae = Pae.encode("application/vnd.in-toto+json", payload);

    byte[] expectedPrefix = "DSSEv1 28 application/vnd.in-toto+json 17 ".getBytes(StandardCharsets.US_ASCII);
    byte[] expected = new byte[expectedPrefix.length + payload.length];
    System.arraycopy(expectedPrefix, 0, expected, 0, expectedPrefix.length);
    System.arraycopy(payload, 0, expected, expectedPrefix.length, payload.length);
    assertThat(pae).isEqualTo(expected);
  }

  @Test
  void nonAsciiPayloadTypeIsCountedInBytes() {
    byte[] pae = Pae.encode("tÿpe", new byte[0]);
    assertThat(pae).isEqualTo("DSSEv1 5 tÿpe 0 ".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void payloadThatIsNotUtf8StaysExact() {
    byte[] payload = {(byte) 0xff, 0x00, (byte) 0xc3};
    byte[] pae = Pae.encode("x", payload);
    assertThat(pae).endsWith(new byte[] {' ', '3', ' ', (byte) 0xff, 0x00, (byte) 0xc3});
  }
}
