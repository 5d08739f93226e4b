package dev.attest.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.internal.OrderedMaps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An in-toto Statement: subjects, a predicate type and the predicate, kept beside the exact bytes
 * it was read from (the bytes a DSSE signature covers).
 *
 * <p>{@code _type} {@value #TYPE_V1} is written; {@value #TYPE_V0_1}, which cosign 3 still writes,
 * is also accepted on read. Unknown top-level fields are ignored, as the spec requires, but kept
 * in {@link #unknownFields()} and, of course, in {@link #bytes()}. The predicate is kept as the
 * exact bytes of its JSON object within the statement.
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto
 *     Statement v1</a>
 */
public final class Statement {
  /** The in-toto Statement v1 type URI. */
  public static final String TYPE_V1 = "https://in-toto.io/Statement/v1";

  /** The earlier type URI, still written by cosign 3's {@code attest}; accepted on read only. */
  public static final String TYPE_V0_1 = "https://in-toto.io/Statement/v0.1";

  /** The DSSE payload type of an in-toto statement. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** Statements larger than this are refused (an SBOM predicate can be large, but not this large). */
  public static final int MAX_BYTES = 32 * 1024 * 1024;

  /** At most this many subjects. */
  public static final int MAX_SUBJECTS = 1024;

  private static final Set<String> KNOWN = Set.of("_type", "subject", "predicateType", "predicate");

  private final byte[] raw;
  private final String type;
  private final List<Subject> subjects;
  private final String predicateType;
  private final byte[] predicate;
  private final Map<String, String> unknownFields;

  private Statement(
      byte[] raw,
      String type,
      List<Subject> subjects,
      String predicateType,
      byte[] predicate,
      Map<String, String> unknownFields) {
    this.raw = raw;
    this.type = type;
    this.subjects = List.copyOf(subjects);
    this.predicateType = predicateType;
    this.predicate = predicate;
    this.unknownFields = OrderedMaps.orderedCopy(unknownFields, "unknownFields");
  }

  /**
   * Builds a v1 statement about {@code subjects} carrying {@code predicate}. The statement bytes
   * are made once here; the predicate's bytes are embedded exactly as {@link Predicate#json()}
   * returns them.
   *
   * @throws IllegalArgumentException if there are no subjects or the predicate is not a JSON object
   */
  public static Statement of(List<Subject> subjects, Predicate predicate) {
    return of(subjects, predicate.predicateType(), predicate.json());
  }

  /**
   * Builds a v1 statement from a predicate type and the predicate's JSON object bytes; the escape
   * hatch for predicates without a typed API.
   *
   * @throws IllegalArgumentException if there are no subjects, the type is empty or {@code
   *     predicateJson} is not one JSON object
   */
  public static Statement of(List<Subject> subjects, String predicateType, byte[] predicateJson) {
    Objects.requireNonNull(subjects, "subjects");
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(predicateJson, "predicateJson");
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("a statement needs at least one subject");
    }
    if (subjects.size() > MAX_SUBJECTS) {
      throw new IllegalArgumentException("more than " + MAX_SUBJECTS + " subjects");
    }
    if (predicateType.isEmpty()) {
      throw new IllegalArgumentException("predicateType must not be empty");
    }
    try {
      JsonReads.object(predicateJson, "predicate");
    } catch (InvalidContentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    ObjectNode head = Json.MAPPER.createObjectNode();
    head.put("_type", TYPE_V1);
    ArrayNode subj = head.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode o = subj.addObject();
      o.put("name", s.name());
      ObjectNode d = o.putObject("digest");
      s.digest().forEach(d::put);
    }
    head.put("predicateType", predicateType);
    byte[] prefix;
    try {
      prefix = Json.MAPPER.writeValueAsBytes(head);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // Splice the predicate's own bytes in, rather than re-serialising it, so they stay exact.
    ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + predicateJson.length + 16);
    out.write(prefix, 0, prefix.length - 1);
    byte[] key = ",\"predicate\":".getBytes(StandardCharsets.US_ASCII);
    out.write(key, 0, key.length);
    out.write(predicateJson, 0, predicateJson.length);
    out.write('}');
    try {
      return parse(out.toByteArray());
    } catch (AttestException e) {
      throw new IllegalArgumentException("cannot build statement: " + e.getMessage(), e);
    }
  }

  /**
   * Parses an in-toto statement strictly (duplicate keys, trailing data and a non-object predicate
   * are errors).
   *
   * @throws InvalidContentException if it is malformed: no subjects, a bad digest set, a
   *     non-object predicate
   * @throws UnsupportedContentException if {@code _type} is not a statement type attest reads
   */
  public static Statement parse(byte[] bytes) throws InvalidContentException, UnsupportedContentException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > MAX_BYTES) {
      throw new InvalidContentException(
          "in-toto statement is " + bytes.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    byte[] raw = bytes.clone();
    JsonNode root = JsonReads.object(raw, "in-toto statement");
    String where = "in-toto statement";
    String type = JsonReads.text(root, "_type", where);
    if (!type.equals(TYPE_V1) && !type.equals(TYPE_V0_1)) {
      throw new UnsupportedContentException(
          "wrong in-toto statement _type '" + type + "': expected " + TYPE_V1 + " (or " + TYPE_V0_1 + ")");
    }
    JsonNode subjectArray = root.get("subject");
    if (subjectArray == null || subjectArray.isNull()) {
      throw new InvalidContentException(where + " has no subjects: missing field 'subject'");
    }
    if (!subjectArray.isArray()) {
      throw new InvalidContentException(where + ": 'subject' must be an array, got " + JsonReads.kind(subjectArray));
    }
    if (subjectArray.isEmpty()) {
      throw new InvalidContentException(where + " has no subjects: 'subject' is empty");
    }
    if (subjectArray.size() > MAX_SUBJECTS) {
      throw new InvalidContentException(
          where + " has " + subjectArray.size() + " subjects, more than the limit of " + MAX_SUBJECTS);
    }
    List<Subject> subjects = new ArrayList<>();
    for (int i = 0; i < subjectArray.size(); i++) {
      subjects.add(subject(subjectArray.get(i), where + " subject[" + i + "]"));
    }
    String predicateType = JsonReads.text(root, "predicateType", where);
    if (predicateType.isEmpty()) {
      throw new InvalidContentException(where + ": 'predicateType' is empty");
    }
    JsonNode predicate = root.get("predicate");
    if (predicate == null) {
      throw new InvalidContentException(where + ": missing required field 'predicate'");
    }
    if (!predicate.isObject()) {
      throw new InvalidContentException(
          where + ": 'predicate' must be a JSON object, got " + JsonReads.kind(predicate));
    }
    Map<String, String> unknown = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!KNOWN.contains(e.getKey())) {
        unknown.put(e.getKey(), e.getValue().toString());
      }
    }
    return new Statement(raw, type, subjects, predicateType, predicateBytes(raw), unknown);
  }

  private static Subject subject(JsonNode n, String where) throws InvalidContentException {
    if (!n.isObject()) {
      throw new InvalidContentException(where + " must be an object, got " + JsonReads.kind(n));
    }
    String name = JsonReads.optText(n, "name", where);
    JsonNode digest = n.get("digest");
    if (digest == null || digest.isNull()) {
      throw new InvalidContentException(where + ": missing required field 'digest'");
    }
    if (!digest.isObject()) {
      throw new InvalidContentException(where + ": 'digest' must be an object, got " + JsonReads.kind(digest));
    }
    Map<String, String> set = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = digest.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new InvalidContentException(
            where + ": digest '" + e.getKey() + "' must be a string, got " + JsonReads.kind(e.getValue()));
      }
      set.put(e.getKey(), e.getValue().textValue());
    }
    try {
      return new Subject(name == null ? "" : name, set);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException(where + ": bad digest set: " + e.getMessage(), e);
    }
  }

  /** The exact bytes of the top-level "predicate" object, found by token offsets. */
  private static byte[] predicateBytes(byte[] raw) throws InvalidContentException {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(raw)) {
      p.nextToken(); // START_OBJECT, checked by the strict tree parse already
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("predicate".equals(name) && value == JsonToken.START_OBJECT) {
          int start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          byte[] out = new byte[end - start];
          System.arraycopy(raw, start, out, 0, out.length);
          return out;
        }
        p.skipChildren();
      }
    } catch (IOException e) {
      throw new InvalidContentException("in-toto statement: cannot locate predicate: " + e.getMessage(), e);
    }
    throw new InvalidContentException("in-toto statement: missing required field 'predicate'");
  }

  /** The exact statement bytes: what a DSSE envelope carries as its payload. A fresh copy. */
  public byte[] bytes() {
    return raw.clone();
  }

  /** {@value #TYPE_V1} or, for statements read from older tools, {@value #TYPE_V0_1}. */
  public String type() {
    return type;
  }

  /** The subjects the statement is about. */
  public List<Subject> subjects() {
    return subjects;
  }

  /** The {@code predicateType} URI. */
  public String predicateType() {
    return predicateType;
  }

  /** The predicate object's exact bytes as they appear in the statement. A fresh copy. */
  public byte[] predicate() {
    return predicate.clone();
  }

  /** Top-level fields other than the four of the spec: name to JSON text, in document order. */
  public Map<String, String> unknownFields() {
    return unknownFields;
  }

  /** Whether some subject's digest set holds {@code digest}. */
  public boolean covers(Digest digest) {
    return subjects.stream().anyMatch(s -> s.matches(digest));
  }

  /**
   * Throws unless some subject has {@code digest}: an attestation found beside an image must be
   * about that image.
   */
  public void requireSubject(Digest digest) throws InvalidContentException {
    if (!covers(digest)) {
      throw new InvalidContentException(
          "in-toto statement is not about " + digest + ": its subjects are "
              + subjects.stream()
                  .map(s -> (s.name().isEmpty() ? "" : s.name() + " ") + s.digest())
                  .collect(Collectors.joining(", ")));
    }
  }

  /** Equal when the statement bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Statement s && java.util.Arrays.equals(raw, s.raw);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Statement[" + predicateType + " about " + subjects + "]";
  }
}
