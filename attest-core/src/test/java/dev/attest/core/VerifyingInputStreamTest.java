package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
  static final byte[] DATA = "layer bytes".getBytes(StandardCharsets.UTF_8);
  static final Digest D = Digest.sha256(DATA);

  @Test
  void verifiesOnlyTheSameDigestAndSizeBeforeAnyRead() throws Exception {
    VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), D, DATA.length);
    assertThat(in.verifies(D, DATA.length)).isTrue();
    assertThat(in.verifies(D, DATA.length + 1)).isFalse();
    assertThat(in.verifies(Digest.sha256(new byte[0]), DATA.length)).isFalse();
    assertThat(in.read()).isEqualTo(DATA[0] & 0xff);
    // Its hash no longer covers what a new wrapper would see.
    assertThat(in.verifies(D, DATA.length)).isFalse();
  }

  @Test
  void aStreamOfUnknownSizeDoesNotVerifyAKnownSize() {
    VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), D, -1);
    assertThat(in.verifies(D, DATA.length)).isFalse();
  }

  @Test
  void reportsTheRunningTotalAndStillVerifies() throws Exception {
    VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), D, DATA.length);
    java.util.List<Long> seen = new java.util.ArrayList<>();
    in.onProgress(seen::add);
    assertThat(in.verifies(D, DATA.length)).isTrue();
    byte[] buf = new byte[4];
    while (in.read(buf, 0, buf.length) != -1) {
      // drain
    }
    assertThat(seen).containsExactly(4L, 8L, 11L);
  }

  @Test
  void progressDoesNotHideAWrongByte() {
    byte[] wrong = DATA.clone();
    wrong[0] ^= 1;
    VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(wrong), D, DATA.length);
    java.util.List<Long> seen = new java.util.ArrayList<>();
    in.onProgress(seen::add);
    org.assertj.core.api.Assertions.assertThatThrownBy(in::readAllBytes).isInstanceOf(java.io.IOException.class);
    assertThat(seen).last().isEqualTo((long) DATA.length);
  }
}
