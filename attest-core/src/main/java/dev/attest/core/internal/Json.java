package dev.attest.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one strict JSON reader of attest. Duplicate keys, trailing data and deep nesting are
 * errors: two parsers that disagree on which duplicate wins is how signed JSON gets smuggled.
 */
public final class Json {
  private Json() {}

  /** Deeper nesting than this is refused; no format attest reads comes close. */
  public static final int MAX_DEPTH = 64;

  public static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  // Write characters outside the BMP as raw UTF-8, as Go and most OCI tools do,
                  // not as escaped surrogate pairs.
                  .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

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
