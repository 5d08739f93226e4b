package dev.attest.core.internal;

import dev.attest.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.InvalidContentException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts between Jackson trees and plain Java values ({@code Map<String,Object>}, {@code
 * List<Object>}, {@code String}, {@code Boolean}, {@code BigInteger}, {@code BigDecimal} and
 * {@code null}), so that arbitrary JSON can cross the public API without Jackson types.
 */
public final class JsonValues {
  private JsonValues() {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /** Parses {@code bytes} strictly and requires a JSON object. */
  public static ObjectNode readObject(byte[] bytes, String what) throws InvalidContentException {
    JsonNode n;
    try {
      n = Json.read(bytes);
    } catch (IOException e) {
      throw new InvalidContentException(what + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!n.isObject()) {
      throw new InvalidContentException(what + " must be a JSON object, not " + kind(n));
    }
    return (ObjectNode) n;
  }

  public static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** An ordered, unmodifiable map of plain values; {@code null} or JSON null gives an empty map. */
  public static Map<String, @Nullable Object> toMap(@Nullable JsonNode n, String where)
      throws InvalidContentException {
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new InvalidContentException(where + " must be a JSON object, not " + kind(n));
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> m = (Map<String, @Nullable Object>) toPlain(n);
    return m;
  }

  /** A plain Java value for {@code n}; containers are ordered and unmodifiable. */
  public static @Nullable Object toPlain(JsonNode n) {
    if (n.isObject()) {
      LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), toPlain(e.getValue()));
      }
      return Collections.unmodifiableMap(m);
    }
    if (n.isArray()) {
      List<@Nullable Object> l = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        l.add(toPlain(e));
      }
      return Collections.unmodifiableList(l);
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.decimalValue();
    }
    return null;
  }

  /**
   * Validates and copies a plain map (ordered, unmodifiable, deep). Accepted leaves: {@code
   * String}, {@code Boolean}, any {@link Number} (stored as {@code BigInteger} or {@code
   * BigDecimal}) and {@code null}; containers: {@code Map} with string keys and {@code List}.
   */
  public static Map<String, @Nullable Object> copyMap(Map<String, ?> m, String where) {
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> copy = (Map<String, @Nullable Object>) copyPlain(m, where, 0);
    return copy;
  }

  private static @Nullable Object copyPlain(@Nullable Object v, String where, int depth) {
    if (depth > Json.MAX_DEPTH) {
      throw new IllegalArgumentException(where + " is nested deeper than " + Json.MAX_DEPTH);
    }
    if (v == null || v instanceof String || v instanceof Boolean) {
      return v;
    }
    if (v instanceof BigInteger || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return BigInteger.valueOf(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(where + " holds " + d + ", which JSON cannot represent");
      }
      return new BigDecimal(Double.toString(d));
    }
    if (v instanceof Map<?, ?> map) {
      LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException(where + " has a non-string key: " + e.getKey());
        }
        m.put(k, copyPlain(e.getValue(), where + "." + k, depth + 1));
      }
      return Collections.unmodifiableMap(m);
    }
    if (v instanceof List<?> list) {
      List<@Nullable Object> l = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        l.add(copyPlain(list.get(i), where + "[" + i + "]", depth + 1));
      }
      return Collections.unmodifiableList(l);
    }
    throw new IllegalArgumentException(
        where + " holds a " + v.getClass().getName() + "; only JSON values (String, Boolean, Number, Map, List, null) are allowed");
  }

  /** The JSON tree of a plain value (as produced by {@link #copyMap}). */
  public static JsonNode toNode(@Nullable Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof BigInteger i) {
      return NODES.numberNode(i);
    }
    if (v instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      map.forEach((k, x) -> o.set((String) k, toNode(x)));
      return o;
    }
    if (v instanceof List<?> list) {
      ArrayNode a = NODES.arrayNode();
      list.forEach(x -> a.add(toNode(x)));
      return a;
    }
    throw new IllegalArgumentException("not a plain JSON value: " + v.getClass().getName());
  }

  public static ObjectNode newObject() {
    return NODES.objectNode();
  }

  public static ArrayNode newArray() {
    return NODES.arrayNode();
  }

  /** Serialises a tree to compact UTF-8 JSON. */
  public static byte[] bytes(JsonNode n) {
    try {
      return Json.MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise JSON", e);
    }
  }

  /** A string field; absent, null and "" give {@code null} (the specs treat empty as unset). */
  public static @Nullable String optText(JsonNode n, String field, String where)
      throws InvalidContentException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidContentException(where + "." + field + " must be a string, not " + kind(v));
    }
    return v.textValue().isEmpty() ? null : v.textValue();
  }

  public static String reqText(JsonNode n, String field, String where) throws InvalidContentException {
    String s = optText(n, field, where);
    if (s == null) {
      throw new InvalidContentException(where + ": missing required field '" + field + "'");
    }
    return s;
  }

  /** An optional object member; absent or null gives {@code null}. */
  public static @Nullable JsonNode optObject(JsonNode n, String field, String where)
      throws InvalidContentException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new InvalidContentException(where + "." + field + " must be a JSON object, not " + kind(v));
    }
    return v;
  }

  /** An optional array member; absent or null gives an empty array. */
  public static JsonNode optArray(JsonNode n, String field, String where) throws InvalidContentException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return NODES.arrayNode();
    }
    if (!v.isArray()) {
      throw new InvalidContentException(where + "." + field + " must be a JSON array, not " + kind(v));
    }
    return v;
  }

  /** An RFC 3339 timestamp field; absent, null or "" give {@code null}. */
  public static @Nullable Instant optTime(JsonNode n, String field, String where)
      throws InvalidContentException {
    String s = optText(n, field, where);
    if (s == null) {
      return null;
    }
    try {
      return parseTime(s);
    } catch (DateTimeParseException e) {
      throw new InvalidContentException(where + "." + field + " is not an RFC 3339 timestamp: '" + s + "'", e);
    }
  }

  public static Instant parseTime(String s) {
    return OffsetDateTime.parse(s).toInstant();
  }
}
