package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DescriptorTest {
  static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
  static final Digest HELLO_DIGEST =
      Digest.parse("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

  @Test
  void emptyDescriptorIsTheSpecValue() {
    assertThat(Descriptor.EMPTY.mediaType()).isEqualTo("application/vnd.oci.empty.v1+json");
    assertThat(Descriptor.EMPTY.digest()).isEqualTo(Digest.sha256(Descriptor.emptyBytes()));
    assertThat(Descriptor.EMPTY.digest())
        .hasToString("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assertThat(Descriptor.EMPTY.size()).isEqualTo(2);
    assertThat(Descriptor.EMPTY.data()).isEqualTo("e30=");
    assertThat(Descriptor.EMPTY.dataBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo("{}".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void ofBytesHashesAndCounts() {
    Descriptor d = Descriptor.ofBytes("text/plain", HELLO);
    assertThat(d.digest()).isEqualTo(HELLO_DIGEST);
    assertThat(d.size()).isEqualTo(5);
    assertThat(d.dataBytes()).isEmpty();
    assertThat(d).hasToString("text/plain " + HELLO_DIGEST + " (5 bytes)");
  }

  @Test
  void negativeSizeIsRefused() {
    assertThatThrownBy(() -> Descriptor.of("text/plain", HELLO_DIGEST, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("descriptor size must not be negative: -1");
  }

  @Test
  void dataMustHashToTheDigest() {
    Descriptor d = Descriptor.of("text/plain", HELLO_DIGEST, 5);
    assertThatThrownBy(() -> d.withData("hellO".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("descriptor data does not hash to " + HELLO_DIGEST)
        .hasMessageContaining("it hashes to " + Digest.sha256("hellO".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void dataMustMatchTheSize() {
    Descriptor d = Descriptor.of("text/plain", HELLO_DIGEST, 6);
    assertThatThrownBy(() -> d.withData(HELLO)).hasMessageContaining("is 5 bytes but size says 6");
  }

  @Test
  void dataMustBeCanonicalBase64() {
    assertThatThrownBy(() -> withData("e30"))
        .hasMessageContaining("is not canonical padded base64");
    assertThatThrownBy(() -> withData("e31=")) // decodes to "{}" as well, with stray bits
        .hasMessageContaining("is not canonical padded base64");
    assertThatThrownBy(() -> withData("e3 0="))
        .hasMessageContaining("is not valid base64");
    assertThatThrownBy(() -> withData("e30-"))
        .hasMessageContaining("is not valid base64");
    assertThat(withData("e30=").dataBytes()).isPresent();
  }

  private static Descriptor withData(String data) {
    return new Descriptor(
        MediaTypes.OCI_EMPTY, Descriptor.EMPTY.digest(), 2, null, Map.of(), null, data, List.of(), Map.of());
  }

  @Test
  void withDataEmbedsAndWithoutDataDrops() {
    Descriptor d = Descriptor.of("text/plain", HELLO_DIGEST, 5).withData(HELLO);
    assertThat(d.data()).isEqualTo("aGVsbG8=");
    assertThat(d.dataBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(HELLO));
    assertThat(d.withoutData().data()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "text", "text/", "/plain", "text/plain/x", "text/plain; charset=utf-8", "text/pl ain",
    "application/+json", ".x/y", "text/pl\u00e4in"
  })
  void badMediaTypesAreRefused(String mediaType) {
    assertThatThrownBy(() -> Descriptor.of(mediaType, HELLO_DIGEST, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("mediaType ");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "text/plain", "application/vnd.oci.image.manifest.v1+json", "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/x-tar", "Application/Vnd.Example_1!#$&^"
  })
  void goodMediaTypesAreAccepted(String mediaType) {
    assertThat(Descriptor.of(mediaType, HELLO_DIGEST, 5).mediaType()).isEqualTo(mediaType);
  }

  @Test
  void mediaTypeNamesAreBoundedBy127Characters() {
    String ok = "a/" + "b".repeat(127);
    assertThat(Descriptor.of(ok, HELLO_DIGEST, 5).mediaType()).isEqualTo(ok);
    assertThatThrownBy(() -> Descriptor.of("a/" + "b".repeat(128), HELLO_DIGEST, 5))
        .hasMessageContaining("longer than 127");
  }

  @Test
  void badArtifactTypeIsRefused() {
    assertThatThrownBy(() -> Descriptor.of("text/plain", HELLO_DIGEST, 5).withArtifactType("nope"))
        .hasMessageStartingWith("artifactType must be type/subtype");
  }

  @Test
  void annotationsKeepOrderAndAreImmutable() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("z", "1");
    m.put("a", "2");
    m.put("m", "3");
    Descriptor d = Descriptor.of("text/plain", HELLO_DIGEST, 5).withAnnotations(m).withAnnotation("b", "4");
    assertThat(d.annotations().keySet()).containsExactly("z", "a", "m", "b");
    assertThat(d.annotation("a")).contains("2");
    assertThat(d.annotation("nope")).isEmpty();
    m.put("later", "x");
    assertThat(d.annotations()).doesNotContainKey("later");
    assertThatThrownBy(() -> d.annotations().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unknownFieldsMustBeJsonAndMustNotShadowKnownFields() {
    assertThatThrownBy(() -> withUnknown(Map.of("digest", "\"sha256:00\"")))
        .hasMessageContaining("unknown field 'digest' is a descriptor field");
    assertThatThrownBy(() -> withUnknown(Map.of("x", "1,\"size\":9")))
        .hasMessageContaining("unknown field 'x' is not one JSON value");
    assertThatThrownBy(() -> withUnknown(Map.of("x", "")))
        .hasMessageContaining("unknown field 'x' is not one JSON value");
    assertThat(withUnknown(Map.of("x", "{\"a\":[1,2]}")).unknownFields()).containsEntry("x", "{\"a\":[1,2]}");
  }

  private static Descriptor withUnknown(Map<String, String> unknown) {
    return new Descriptor("text/plain", HELLO_DIGEST, 5, null, Map.of(), null, null, List.of(), unknown);
  }

  @Test
  void platformParsesAndPrints() {
    Platform p = Platform.parse("linux/arm64/v8");
    assertThat(p.os()).isEqualTo("linux");
    assertThat(p.architecture()).isEqualTo("arm64");
    assertThat(p.variant()).isEqualTo("v8");
    assertThat(p).hasToString("linux/arm64/v8");
    assertThat(Platform.parse("linux/amd64")).isEqualTo(Platform.of("linux", "amd64"));
    assertThat(Platform.of("linux", "arm").withVariant("v7")).isEqualTo(Platform.parse("linux/arm/v7"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux", "linux/amd64/v1/x", "/amd64", "linux/", "linux/arm64/", ""})
  void badPlatformsAreRefused(String text) {
    assertThatThrownBy(() -> Platform.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
