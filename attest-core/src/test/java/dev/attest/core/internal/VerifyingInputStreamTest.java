package dev.attest.core.internal;

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
}
