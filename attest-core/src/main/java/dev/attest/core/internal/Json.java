package dev.attest.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  /** Reads one JSON value from {@code bytes}, strictly. */
  public static JsonNode read(byte[] bytes) throws IOException {
    JsonNode n = MAPPER.readTree(bytes);
    if (n == null || n.isMissingNode()) {
      throw new IOException("no JSON value");
    }
    return n;
  }
}
