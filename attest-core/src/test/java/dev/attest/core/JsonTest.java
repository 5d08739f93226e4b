package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes attest writes do not depend on which Jackson 2 (2.15 and later) is on the classpath. */
class JsonTest {

  private static final String TEXT = "na\u00efve \u2603 \uD83D\uDE00 \"q\" \\ \n\t\u0001 \u007f \u2028 </x>";

  @Test
  void charactersOutsideTheBmpAreRawUtf8() throws Exception {
    ObjectNode n = Json.MAPPER.createObjectNode().put("note", TEXT);
    String written = new String(Json.MAPPER.writeValueAsBytes(n), StandardCharsets.UTF_8);
    assertThat(written).contains("\uD83D\uDE00").doesNotContainIgnoringCase("\\ud83d");
  }

  /** The pre-2.18 path (a UTF-8 writer) gives the same bytes as the 2.18 feature. */
  @Test
  void theFallbackForJacksonBefore218WritesTheSameBytes() throws Exception {
    ObjectMapper fallback = JsonMapper.builder(new Json.Utf8Factory(new JsonFactoryBuilder())).build();
    ObjectNode n = Json.MAPPER.createObjectNode().put("note", TEXT).put("n", 1);
    n.putArray("a").add("\uD83D\uDE00").add(2.5);

    assertThat(fallback.writeValueAsBytes(n)).isEqualTo(Json.MAPPER.writeValueAsBytes(n));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = fallback.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("note", TEXT);
      g.writeEndObject();
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(expected)) {
      g.writeStartObject();
      g.writeStringField("note", TEXT);
      g.writeEndObject();
    }
    assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(fallback.getFactory().copy()).isInstanceOf(Json.Utf8Factory.class);
  }
}
