package dev.attest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private final byte[] key = new byte[32];
  private final byte[] nonce = new byte[24];

  SecretBoxTest() {
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
    }
    for (int i = 0; i < 24; i++) {
      nonce[i] = (byte) (100 + i);
    }
  }

  @Test
  void sealsTagFirstAndOpens() {
    byte[] msg = "a message longer than thirty-two bytes, to cross a block".getBytes(StandardCharsets.UTF_8);
    byte[] box = SecretBox.seal(key, nonce, msg);
    assertThat(box).hasSize(msg.length + 16);
    assertThat(SecretBox.open(key, nonce, box)).isEqualTo(msg);
  }

  @Test
  void tamperedBoxOrWrongKeyDoesNotOpen() {
    byte[] box = SecretBox.seal(key, nonce, new byte[] {1, 2, 3});
    byte[] tampered = box.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThat(SecretBox.open(key, nonce, tampered)).isNull();
    byte[] otherKey = key.clone();
    otherKey[0] ^= 1;
    assertThat(SecretBox.open(otherKey, nonce, box)).isNull();
    assertThat(SecretBox.open(key, nonce, new byte[5])).isNull();
  }
}
