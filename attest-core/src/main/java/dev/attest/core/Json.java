package dev.attest.core;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The one strict JSON reader of attest. Duplicate keys, trailing data and deep nesting are
 * errors: two parsers that disagree on which duplicate wins is how signed JSON gets smuggled.
 *
 * <p>Public API (ADR 0027) because every attest module, and any verifier or registry built on
 * attest, must read signed and registry JSON with exactly this reader: one parser, no parser
 * differentials. It is the one place attest's API names Jackson types, which attest-core depends
 * on anyway. {@link #MAPPER} is shared: never reconfigure it.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8259">RFC 8259, JSON</a>
 */
public final class Json {
  private Json() {}

  /** Deeper nesting than this is refused; no format attest reads comes close. */
  public static final int MAX_DEPTH = 64;

  /**
   * Jackson 2.18 added {@code JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8}; attest runs
   * on every Jackson 2 from 2.15 (the range Spring Boot 3 applications carry), so it is looked up
   * by name. Null on 2.15 to 2.17, where {@link Utf8Factory} gets the same bytes another way.
   */
  private static final @Nullable JsonWriteFeature COMBINE_SURROGATES = writeFeature("COMBINE_UNICODE_SURROGATES_IN_UTF8");

  /** The strict, shared mapper behind {@link #read}; for writing JSON and for tree models. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder(factory())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  private static JsonFactory factory() {
    JsonFactoryBuilder b =
        new JsonFactoryBuilder().streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    if (COMBINE_SURROGATES != null) {
      // Write characters outside the BMP as raw UTF-8, as Go and most OCI tools do, not as
      // escaped surrogate pairs.
      return b.enable(COMBINE_SURROGATES).build();
    }
    return new Utf8Factory(b);
  }

  private static @Nullable JsonWriteFeature writeFeature(String name) {
    for (JsonWriteFeature f : JsonWriteFeature.values()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /**
   * Before Jackson 2.18 the UTF-8 generator escapes characters outside the BMP as surrogate pairs;
   * the {@link Writer} generator passes them through, so byte output goes through a UTF-8 writer
   * and the bytes are the same as with the feature on 2.18 and later.
   */
  static final class Utf8Factory extends JsonFactory {
    private static final long serialVersionUID = 1L;

    Utf8Factory(JsonFactoryBuilder b) {
      super(b);
    }

    @Override
    public JsonGenerator createGenerator(OutputStream out, JsonEncoding enc) throws IOException {
      return enc == JsonEncoding.UTF8
          ? createGenerator(new OutputStreamWriter(out, StandardCharsets.UTF_8))
          : super.createGenerator(out, enc);
    }

    @Override
    public JsonGenerator createGenerator(OutputStream out) throws IOException {
      return createGenerator(out, JsonEncoding.UTF8);
    }

    @Override
    public JsonFactory copy() {
      return new Utf8Factory(new JsonFactoryBuilder(this));
    }
  }

  /**
   * Reads one JSON value from {@code bytes}, strictly. The bytes must be UTF-8 without a byte
   * order mark (RFC 8259 section 8.1); Jackson would otherwise detect UTF-16 and UTF-32 and skip
   * a BOM, reading documents that Go's encoding/json, and so registries and cosign, refuse.
   */
  public static JsonNode read(byte[] bytes) throws IOException {
    checkUtf8Start(bytes);
    JsonNode n = MAPPER.readTree(bytes);
    if (n == null || n.isMissingNode()) {
      throw new IOException("no JSON value");
    }
    return n;
  }

  private static void checkUtf8Start(byte[] b) throws IOException {
    if (b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
      throw new IOException("JSON must be UTF-8 without a byte order mark");
    }
    if (b.length >= 2 && ((b[0] == (byte) 0xFE && b[1] == (byte) 0xFF) || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE))) {
      throw new IOException("JSON must be UTF-8, not UTF-16 with a byte order mark");
    }
    // NUL is never valid in UTF-8 JSON text; in the first bytes it is how UTF-16/32 shows.
    for (int i = 0; i < Math.min(4, b.length); i++) {
      if (b[i] == 0) {
        throw new IOException("JSON must be UTF-8: NUL byte at offset " + i + " (UTF-16 or UTF-32?)");
      }
    }
  }
}
