package dev.attest.core.internal;

import dev.attest.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;

/**
 * Schema validation of CycloneDX JSON through cyclonedx-core-java, for one explicit version
 * (never the library's "latest" default, which checks 1.7 documents against 1.6).
 */
public final class CycloneDxSchemas {
  private CycloneDxSchemas() {}

  /**
   * The schema errors of {@code bom} under {@code version}, empty when valid. {@link
   * JsonParser#validate(byte[], Version)} decides; its messages do not say where the error is, so
   * when it fails they are redone with the instance location through the same bundled schema.
   */
  public static List<String> errors(byte[] bytes, JsonNode bom, Version version) throws IOException {
    JsonParser parser = new JsonParser();
    List<ParseException> errors = parser.validate(bytes, version);
    if (errors.isEmpty()) {
      return List.of();
    }
    List<String> located = new ArrayList<>();
    try {
      for (com.networknt.schema.Error e : parser.getJsonSchema(version, Json.MAPPER).validate(bom)) {
        located.add(e.getInstanceLocation() + ": " + e.getMessage());
      }
    } catch (RuntimeException | IOException e) {
      located.clear();
    }
    if (located.size() == errors.size()) {
      return located;
    }
    List<String> plain = new ArrayList<>();
    errors.forEach(e -> plain.add(e.getMessage()));
    return plain;
  }
}
