package dev.attest.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.internal.Base64s;
import java.io.IOException;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Small strict accessors over {@link JsonNode}s read by {@link Json}, each naming the field in its
 * error, so that every module reports malformed input the same way. Public with {@link Json}
 * (ADR 0027).
 *
 * @see <a href="https://protobuf.dev/programming-guides/json/">protobuf JSON mapping</a> (bytes and
 *     int64 fields of Sigstore's JSON)
 */
public final class JsonReads {
  private JsonReads() {}

  /** Parses {@code bytes} strictly as one JSON object. */
  public static JsonNode object(byte[] bytes, String what) throws InvalidContentException {
    JsonNode n;
    try {
      n = Json.read(bytes);
    } catch (IOException e) {
      String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw new InvalidContentException(what + " is not valid JSON: " + msg, e);
    }
    if (!n.isObject()) {
      throw new InvalidContentException(what + " must be a JSON object, got " + kind(n));
    }
    return n;
  }

  /** A required string field; {@code where} names the object in the error. */
  public static String text(JsonNode parent, String field, String where) throws InvalidContentException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidContentException(where + ": missing required field '" + field + "'");
    }
    if (!n.isTextual()) {
      throw new InvalidContentException(where + ": '" + field + "' must be a string, got " + kind(n));
    }
    return n.textValue();
  }

  /** An optional string field, null when absent; any other type is an error. */
  public static @Nullable String optText(JsonNode parent, String field, String where)
      throws InvalidContentException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidContentException(where + ": '" + field + "' must be a string, got " + kind(n));
    }
    return n.textValue();
  }

  /** An optional object field, null when absent; any other type is an error. */
  public static @Nullable JsonNode optObject(JsonNode parent, String field, String where)
      throws InvalidContentException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new InvalidContentException(where + ": '" + field + "' must be an object, got " + kind(n));
    }
    return n;
  }

  /** A required object field. */
  public static JsonNode object(JsonNode parent, String field, String where) throws InvalidContentException {
    JsonNode n = optObject(parent, field, where);
    if (n == null) {
      throw new InvalidContentException(where + ": missing required field '" + field + "'");
    }
    return n;
  }

  /** An array field, absent meaning empty; more than {@code max} elements is an error. */
  public static JsonNode array(JsonNode parent, String field, String where, int max)
      throws InvalidContentException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }
    if (!n.isArray()) {
      throw new InvalidContentException(where + ": '" + field + "' must be an array, got " + kind(n));
    }
    if (n.size() > max) {
      throw new InvalidContentException(
          where + ": '" + field + "' has " + n.size() + " elements, more than the limit of " + max);
    }
    return n;
  }

  /** A base64 bytes field (protobuf JSON {@code bytes}), standard or URL-safe. */
  public static byte[] bytes(JsonNode parent, String field, String where) throws InvalidContentException {
    return Base64s.decode(text(parent, field, where), where + "." + field);
  }

  /** An optional base64 bytes field, null when absent. */
  public static byte @Nullable [] optBytes(JsonNode parent, String field, String where)
      throws InvalidContentException {
    String t = optText(parent, field, where);
    return t == null ? null : Base64s.decode(t, where + "." + field);
  }

  /**
   * A protobuf JSON int64: a decimal string (as protobuf writes it) or a JSON integer, in {@code
   * [0, Long.MAX_VALUE]}. Absent reads as {@code 0}, the protobuf default.
   */
  public static long int64(JsonNode parent, String field, String where) throws InvalidContentException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    BigInteger v;
    if (n.isIntegralNumber()) {
      v = n.bigIntegerValue();
    } else if (n.isTextual() && n.textValue().matches("-?[0-9]{1,20}")) {
      v = new BigInteger(n.textValue());
    } else {
      throw new InvalidContentException(
          where + ": '" + field + "' must be an int64 (a decimal string or integer), got " + n);
    }
    if (v.signum() < 0 || v.bitLength() > 63) {
      throw new InvalidContentException(where + ": '" + field + "' out of range: " + v);
    }
    return v.longValueExact();
  }

  /** The JSON type of {@code n} for error messages: {@code object}, {@code string}, ... */
  public static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
