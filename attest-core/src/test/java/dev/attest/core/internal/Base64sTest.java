package dev.attest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.InvalidContentException;
import org.junit.jupiter.api.Test;

class Base64sTest {
  private static final byte[] BYTES = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 0x01};

  @Test
  void acceptsStandardAndUrlSafeWithAndWithoutPadding() throws Exception {
    assertThat(Base64s.decode("+//+AQ==", "f")).isEqualTo(BYTES);
    assertThat(Base64s.decode("+//+AQ", "f")).isEqualTo(BYTES);
    assertThat(Base64s.decode("-__-AQ==", "f")).isEqualTo(BYTES);
    assertThat(Base64s.decode("-__-AQ", "f")).isEqualTo(BYTES);
    assertThat(Base64s.decode("", "f")).isEmpty();
  }

  @Test
  void encodesStandardPadded() {
    assertThat(Base64s.encode(BYTES)).isEqualTo("+//+AQ==");
  }

  @Test
  void malformedBase64IsAPreciseError() {
    assertThatThrownBy(() -> Base64s.decode("aGVs*G8=", "dsseEnvelope.payload"))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage(
            "malformed base64 in dsseEnvelope.payload: character '*' at position 4 is not in the standard or URL-safe alphabet");
    assertThatThrownBy(() -> Base64s.decode("+/-_", "sig"))
        .hasMessageContaining("mixes the standard");
    assertThatThrownBy(() -> Base64s.decode("abcde", "sig"))
        .hasMessageContaining("5 characters cannot encode whole bytes");
    assertThatThrownBy(() -> Base64s.decode("ab=", "sig")).hasMessageContaining("wrong padding");
    assertThatThrownBy(() -> Base64s.decode("ab===", "sig")).hasMessageContaining("wrong padding");
    assertThatThrownBy(() -> Base64s.decode("aGVs bG8=", "sig")).hasMessageContaining("position 4");
  }
}
