package dev.attest.core.internal;

import dev.attest.core.Json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Descriptor;
import dev.attest.core.InvalidContentException;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OciJsonTest {
  static final String DIGEST = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

  static JsonNode json(String s) throws IOException {
    return Json.read(s.getBytes(UTF_8));
  }

  @Test
  void readsEveryDescriptorFieldAndKeepsUnknownOnesInOrder() throws Exception {
    Descriptor d = OciJson.descriptor(json("{\"zz\":1,\"mediaType\":\"text/plain\",\"digest\":\"" + DIGEST + "\","
        + "\"size\":5,\"urls\":[\"https://x\"],\"annotations\":{\"b\":\"1\",\"a\":\"2\"},\"data\":\"aGVsbG8=\","
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"artifactType\":\"a/b\",\"aa\":{\"n\":null}}"), "d");
    assertThat(d.mediaType()).isEqualTo("text/plain");
    assertThat(d.digest()).hasToString(DIGEST);
    assertThat(d.size()).isEqualTo(5);
    assertThat(d.urls()).containsExactly("https://x");
    assertThat(d.annotations().keySet()).containsExactly("b", "a");
    assertThat(d.data()).isEqualTo("aGVsbG8=");
    assertThat(d.platform()).isEqualTo(Platform.of("linux", "amd64"));
    assertThat(d.artifactType()).isEqualTo("a/b");
    assertThat(d.unknownFields()).containsExactly(Map.entry("zz", "1"), Map.entry("aa", "{\"n\":null}"));
  }

  @Test
  void nullOptionalFieldsReadAsAbsent() throws Exception {
    Descriptor d = OciJson.descriptor(json("{\"mediaType\":\"text/plain\",\"digest\":\"" + DIGEST
        + "\",\"size\":5,\"urls\":null,\"annotations\":null,\"platform\":null,\"artifactType\":null,\"data\":null}"), "d");
    assertThat(d).isEqualTo(Descriptor.of("text/plain", dev.attest.core.Digest.parse(DIGEST), 5));
  }

  @Test
  void errorsNameWhere() {
    assertThatThrownBy(() -> OciJson.descriptor(json("{\"mediaType\":\"text/plain\",\"digest\":\"" + DIGEST + "\"}"), "layers[3]"))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("layers[3]: descriptor size must be an integer");
    assertThatThrownBy(() -> OciJson.descriptor(json("{\"mediaType\":\"text/plain\",\"digest\":5,\"size\":1}"), "config"))
        .hasMessage("config: field 'digest' must be a string");
    assertThatThrownBy(() -> OciJson.platform(json("{\"architecture\":\"\",\"os\":\"linux\"}"), "p"))
        .hasMessage("p: platform architecture must not be empty");
    assertThatThrownBy(() -> OciJson.stringMap(json("[]"), "annotations"))
        .hasMessage("annotations must be an object of strings");
    assertThatThrownBy(() -> OciJson.stringList(json("\"x\""), "urls")).hasMessage("urls must be an array of strings");
  }

  @Test
  void writeThenReadIsIdentity() throws Exception {
    Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, dev.attest.core.Digest.parse(DIGEST), 5, "a/b",
        Map.of("k", "v"), Platform.parse("linux/arm/v7"), null, List.of("u"), Map.of("x", "\"y\""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      OciJson.write(g, d);
    }
    assertThat(OciJson.descriptor(Json.read(out.toByteArray()), "d")).isEqualTo(d);
  }

  @Test
  void manifestWriterOmitsEmptyOptionalFields() {
    byte[] b = ManifestWriter.index(MediaTypes.OCI_INDEX, null, List.of(), null, Map.of());
    assertThat(new String(b, UTF_8))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
  }

  @Test
  void jsonRefusesWhatItMust() {
    assertThatThrownBy(() -> Json.read(new byte[0])).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Json.read("{\"a\":1,\"a\":2}".getBytes(UTF_8))).hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> Json.read("{} {}".getBytes(UTF_8))).hasMessageContaining("Trailing token");
    assertThatThrownBy(() -> Json.read(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}))
        .hasMessageContaining("byte order mark");
    assertThatThrownBy(() -> Json.read(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'}))
        .hasMessageContaining("not UTF-16");
    assertThatThrownBy(() -> Json.read(new byte[] {'{', 0, '}', 0})).hasMessageContaining("NUL byte at offset 1");
  }
}
