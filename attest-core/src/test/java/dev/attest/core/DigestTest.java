package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {
  // FIPS 180-2 / NIST test vectors.
  static final String SHA256_EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static final String SHA256_ABC = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  static final String SHA512_ABC =
      "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
  static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

  static Stream<Arguments> valid() {
    return Stream.of(
        arguments(SHA256_EMPTY, Digest.Algorithm.SHA256),
        arguments(SHA256_ABC, Digest.Algorithm.SHA256),
        arguments("sha256:" + "0".repeat(64), Digest.Algorithm.SHA256),
        arguments(SHA512_ABC, Digest.Algorithm.SHA512),
        arguments("sha512:" + "f".repeat(128), Digest.Algorithm.SHA512));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("valid")
  void parsesCanonicalDigests(String text, Digest.Algorithm algorithm) {
    Digest d = Digest.parse(text);
    assertThat(d.algorithm()).isEqualTo(algorithm);
    assertThat(d.hex()).isEqualTo(text.substring(text.indexOf(':') + 1));
    assertThat(d.toString()).isEqualTo(text);
    assertThat(d.hash()).hasSize(algorithm.hexLength() / 2);
  }

  static Stream<Arguments> invalid() {
    String hex64 = SHA256_ABC.substring(7);
    return Stream.of(
        arguments("", "invalid digest: empty string"),
        arguments(hex64, "missing ':' between algorithm and hex"),
        arguments(":" + hex64, "missing algorithm before ':'"),
        arguments("SHA256:" + hex64, "unsupported digest algorithm 'SHA256': expected sha256 or sha512"),
        arguments("sha384:" + "a".repeat(96), "unsupported digest algorithm 'sha384'"),
        arguments("md5:" + "a".repeat(32), "unsupported digest algorithm 'md5'"),
        arguments("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "unsupported digest algorithm 'sha256+b64u'"),
        arguments("sha256:", "sha256 needs 64 hex characters, got 0"),
        arguments("sha256:" + hex64.substring(1), "sha256 needs 64 hex characters, got 63"),
        arguments("sha256:" + hex64 + "0", "sha256 needs 64 hex characters, got 65"),
        arguments("sha256:" + "a".repeat(128), "sha256 needs 64 hex characters, got 128"),
        arguments("sha512:" + hex64, "sha512 needs 128 hex characters, got 64"),
        arguments("sha256:" + hex64.toUpperCase(), "uppercase hex 'B' at position 0; sha256 digests are lowercase"),
        arguments("sha256:" + hex64.substring(0, 63) + "G", "character 'G' at position 63 is not lowercase hex"),
        arguments("sha256:" + hex64.substring(0, 63) + "\n", "character '\\u000a' at position 63"),
        arguments("sha256: " + hex64.substring(1), "character ' ' at position 0"),
        arguments("sha256:" + hex64 + ":", "character ':' at position 64"),
        arguments("sha256:" + "\u0661".repeat(64), "character '\\u0661' at position 0 is not lowercase hex"),
        arguments("sha256:" + "z".repeat(200), "..."));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalid")
  void rejectsEverythingElseNamingTheProblem(String text, String fragment) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid digest")
        .hasMessageContaining(fragment);
  }

  @Test
  void constructorValidatesLikeParse() {
    assertThatThrownBy(() -> new Digest(Digest.Algorithm.SHA256, "ABC"))
        .hasMessageContaining("uppercase hex 'A'");
    assertThatThrownBy(() -> new Digest(Digest.Algorithm.SHA512, "a".repeat(64)))
        .hasMessageContaining("sha512 needs 128 hex characters, got 64");
  }

  @Test
  void computesFromBytes() {
    assertThat(Digest.sha256(new byte[0])).hasToString(SHA256_EMPTY);
    assertThat(Digest.sha256(ABC)).hasToString(SHA256_ABC);
    assertThat(Digest.of(Digest.Algorithm.SHA512, ABC)).hasToString(SHA512_ABC);
  }

  @Test
  void computesFromStreams() throws IOException {
    assertThat(Digest.sha256(new ByteArrayInputStream(new byte[0]))).hasToString(SHA256_EMPTY);
    assertThat(Digest.sha256(new ByteArrayInputStream(ABC))).hasToString(SHA256_ABC);
    assertThat(Digest.of(Digest.Algorithm.SHA512, new ByteArrayInputStream(ABC))).hasToString(SHA512_ABC);
    // larger than the internal buffer, read in odd chunks
    byte[] big = new byte[200_001];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    assertThat(Digest.sha256(new TrickleInputStream(big, 7_777))).isEqualTo(Digest.sha256(big));
  }

  @Test
  void matchesVerifiesAndRoundTrips() throws Exception {
    Digest abc = Digest.parse(SHA256_ABC);
    assertThat(abc.matches(ABC)).isTrue();
    assertThat(abc.matches(new byte[0])).isFalse();
    abc.verify(ABC, "blob");
    assertThatThrownBy(() -> abc.verify(new byte[0], "blob x"))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessage("blob x: expected " + SHA256_ABC + " but the bytes hash to " + SHA256_EMPTY);
    assertThat(Digest.fromHash(Digest.Algorithm.SHA256, abc.hash())).isEqualTo(abc);
    assertThatThrownBy(() -> Digest.fromHash(Digest.Algorithm.SHA512, abc.hash()))
        .hasMessageContaining("sha512 hash must be 64 bytes, got 32");
    assertThat(abc.tagSchemaTag()).isEqualTo("sha256-" + abc.hex());
    assertThat(abc.shortForm()).isEqualTo("sha256:ba7816bf8f01");
  }

  // --- verifying streams ---

  @Test
  void verifyingStreamPassesMatchingContent() throws IOException {
    try (InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), 3)) {
      assertThat(in.readAllBytes()).isEqualTo(ABC);
      assertThat(in.read()).isEqualTo(-1);
    }
    try (InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), -1)) {
      assertThat(in.readAllBytes()).isEqualTo(ABC);
    }
  }

  @Test
  void verifyingStreamPassesByteByByte() throws IOException {
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), 3);
    assertThat(in.read()).isEqualTo('a');
    assertThat(in.read()).isEqualTo('b');
    assertThat(in.read()).isEqualTo('c');
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void mismatchFailsAtEofNamingBothDigests() throws IOException {
    byte[] other = "abd".getBytes(StandardCharsets.US_ASCII);
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(other), 3);
    byte[] buf = new byte[3];
    assertThat(in.readNBytes(buf, 0, 3)).isEqualTo(3); // the bytes pass; EOF is withheld
    assertThatThrownBy(in::read)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(SHA256_ABC)
        .hasMessageContaining(Digest.sha256(other).toString())
        .cause()
        .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
          assertThat(e.expected()).isEqualTo(SHA256_ABC);
          assertThat(e.actual()).isEqualTo(Digest.sha256(other).toString());
        });
    // and it keeps failing: EOF is never reported
    assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
  }

  @Test
  void mismatchWithUnknownSizeFailsToo() {
    InputStream in = Digest.parse(SHA256_EMPTY).verifying(new ByteArrayInputStream(ABC), -1);
    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(DigestMismatchException.in(e)).isPresent());
  }

  @Test
  void shortBodyFails() {
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream("ab".getBytes(StandardCharsets.US_ASCII)), 3);
    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("declared as 3 bytes but 2 bytes arrived")
        .hasCauseInstanceOf(DigestMismatchException.class);
  }

  @Test
  void shortBodyWithTheRightPrefixStillFails() {
    // the right digest of a 3-byte prefix, but 4 were declared
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), 4);
    assertThatThrownBy(in::readAllBytes).hasMessageContaining("declared as 4 bytes but 3 bytes arrived");
  }

  @Test
  void overLongBodyFailsAsSoonAsTheExtraByteArrives() throws IOException {
    byte[] body = "abcX".getBytes(StandardCharsets.US_ASCII);
    InputStream in = Digest.parse(SHA256_ABC).verifying(new TrickleInputStream(body, 1), 3);
    assertThat(in.read()).isEqualTo('a');
    assertThat(in.read()).isEqualTo('b');
    assertThat(in.read()).isEqualTo('c');
    // the fourth byte is refused on arrival, before any EOF
    assertThatThrownBy(in::read)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("declared as 3 bytes but more than 3 bytes arrived")
        .hasCauseInstanceOf(DigestMismatchException.class);
  }

  @Test
  void overLongBodyFailsBeforeTheSourceEnds() {
    // an endless source: the stream must fail rather than read forever
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 'a';
      }
    };
    InputStream in = Digest.parse(SHA256_ABC).verifying(endless, 3);
    assertThatThrownBy(() -> in.readNBytes(10)).hasMessageContaining("more than 3 bytes arrived");
  }

  @Test
  void skipStillHashes() throws IOException {
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), 3);
    assertThat(in.skip(2)).isEqualTo(2);
    assertThat(in.read()).isEqualTo('c');
    assertThat(in.read()).isEqualTo(-1);

    InputStream bad = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream("xyc".getBytes(StandardCharsets.US_ASCII)), 3);
    assertThat(bad.skip(2)).isEqualTo(2);
    assertThat(bad.read()).isEqualTo('c');
    assertThatThrownBy(bad::read).hasCauseInstanceOf(DigestMismatchException.class);
  }

  @Test
  void skipPastTheEndVerifies() {
    InputStream bad = Digest.parse(SHA256_EMPTY).verifying(new ByteArrayInputStream(ABC), -1);
    assertThatThrownBy(() -> bad.skip(100)).hasCauseInstanceOf(DigestMismatchException.class);
  }

  @Test
  void verifyingRefusesImpossibleSizes() {
    assertThatThrownBy(() -> Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), -2))
        .hasMessageContaining("expected size must be >= 0, or -1 if unknown");
  }

  @Test
  void verifyingStreamDoesNotSupportMark() {
    InputStream in = Digest.parse(SHA256_ABC).verifying(new ByteArrayInputStream(ABC), 3);
    assertThat(in.markSupported()).isFalse();
    assertThatThrownBy(in::reset).isInstanceOf(IOException.class);
  }

  /** Hands out at most {@code chunk} bytes per read, as a network stream may. */
  static final class TrickleInputStream extends InputStream {
    private final byte[] data;
    private final int chunk;
    private int pos;

    TrickleInputStream(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
