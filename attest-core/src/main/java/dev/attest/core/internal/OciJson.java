package dev.attest.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reading and writing the JSON shapes of the OCI image spec. */
public final class OciJson {
  private OciJson() {}

  private static final Set<String> DESCRIPTOR_FIELDS =
      Set.of("mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType");

  public static Descriptor descriptor(JsonNode n, String where) throws InvalidContentException {
    if (!n.isObject()) {
      throw new InvalidContentException(where + ": descriptor must be a JSON object");
    }
    String mediaType = text(n, "mediaType", where, true);
    String digestText = text(n, "digest", where, true);
    JsonNode sizeNode = n.get("size");
    if (sizeNode == null || !sizeNode.isIntegralNumber()) {
      throw new InvalidContentException(where + ": descriptor size must be an integer");
    }
    if (!sizeNode.canConvertToLong() || sizeNode.longValue() < 0) {
      throw new InvalidContentException(where + ": descriptor size must be a non-negative 64-bit integer, got " + sizeNode);
    }
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException(where + ": " + e.getMessage(), e);
    }
    Map<String, String> annotations = stringMap(n.get("annotations"), where + ".annotations");
    Platform platform = n.has("platform") && !n.get("platform").isNull() ? platform(n.get("platform"), where + ".platform") : null;
    List<String> urls = stringList(n.get("urls"), where + ".urls");
    Map<String, String> unknown = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!DESCRIPTOR_FIELDS.contains(e.getKey())) {
        unknown.put(e.getKey(), e.getValue().toString());
      }
    }
    try {
      return new Descriptor(
          mediaType,
          digest,
          sizeNode.longValue(),
          text(n, "artifactType", where, false),
          annotations,
          platform,
          text(n, "data", where, false),
          urls,
          unknown);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException(where + ": " + e.getMessage(), e);
    }
  }

  public static Platform platform(JsonNode n, String where) throws InvalidContentException {
    if (!n.isObject()) {
      throw new InvalidContentException(where + " must be a JSON object");
    }
    try {
      return new Platform(
          text(n, "architecture", where, true),
          text(n, "os", where, true),
          text(n, "os.version", where, false),
          stringList(n.get("os.features"), where + ".os.features"),
          text(n, "variant", where, false),
          stringList(n.get("features"), where + ".features"));
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException(where + ": " + e.getMessage(), e);
    }
  }

  public static @Nullable String text(JsonNode n, String field, String where, boolean required)
      throws InvalidContentException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new InvalidContentException(where + ": missing required field '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidContentException(where + ": field '" + field + "' must be a string");
    }
    return v.textValue();
  }

  public static Map<String, String> stringMap(@Nullable JsonNode n, String where) throws InvalidContentException {
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new InvalidContentException(where + " must be an object of strings");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new InvalidContentException(where + "['" + e.getKey() + "'] must be a string");
      }
      m.put(e.getKey(), e.getValue().textValue());
    }
    return m;
  }

  public static List<String> stringList(@Nullable JsonNode n, String where) throws InvalidContentException {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new InvalidContentException(where + " must be an array of strings");
    }
    List<String> l = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new InvalidContentException(where + " must contain only strings");
      }
      l.add(e.textValue());
    }
    return l;
  }

  /** Writes a descriptor in the field order of the image-spec Go types, which most tools emit. */
  public static void write(JsonGenerator g, Descriptor d) throws IOException {
    g.writeStartObject();
    g.writeStringField("mediaType", d.mediaType());
    g.writeStringField("digest", d.digest().toString());
    g.writeNumberField("size", d.size());
    if (!d.urls().isEmpty()) {
      g.writeArrayFieldStart("urls");
      for (String u : d.urls()) {
        g.writeString(u);
      }
      g.writeEndArray();
    }
    writeMap(g, "annotations", d.annotations());
    if (d.data() != null) {
      g.writeStringField("data", d.data());
    }
    if (d.platform() != null) {
      g.writeFieldName("platform");
      write(g, d.platform());
    }
    if (d.artifactType() != null) {
      g.writeStringField("artifactType", d.artifactType());
    }
    for (Map.Entry<String, String> e : d.unknownFields().entrySet()) {
      g.writeFieldName(e.getKey());
      g.writeRawValue(e.getValue());
    }
    g.writeEndObject();
  }

  public static void write(JsonGenerator g, Platform p) throws IOException {
    g.writeStartObject();
    g.writeStringField("architecture", p.architecture());
    g.writeStringField("os", p.os());
    if (p.osVersion() != null) {
      g.writeStringField("os.version", p.osVersion());
    }
    if (!p.osFeatures().isEmpty()) {
      g.writeArrayFieldStart("os.features");
      for (String f : p.osFeatures()) {
        g.writeString(f);
      }
      g.writeEndArray();
    }
    if (p.variant() != null) {
      g.writeStringField("variant", p.variant());
    }
    if (!p.features().isEmpty()) {
      g.writeArrayFieldStart("features");
      for (String f : p.features()) {
        g.writeString(f);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  public static void writeMap(JsonGenerator g, String field, Map<String, String> m) throws IOException {
    if (m.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, String> e : m.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
