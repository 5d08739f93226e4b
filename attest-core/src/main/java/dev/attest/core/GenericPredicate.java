package dev.attest.core;

import dev.attest.core.internal.JsonValues;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Any predicate, carried as its type URI and its exact JSON bytes: the escape hatch for types
 * attest has no typed view of. The bytes are checked to be one strict JSON object (no duplicate
 * keys, no trailing data) and then kept unchanged.
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/predicate.md">in-toto
 *     predicate</a>
 */
public final class GenericPredicate implements Predicate {
  private final String predicateType;
  private final byte[] json;
  private final Map<String, @Nullable Object> values;

  private GenericPredicate(String predicateType, byte[] json, Map<String, @Nullable Object> values) {
    this.predicateType = predicateType;
    this.json = json;
    this.values = values;
  }

  /**
   * A predicate of {@code predicateType} whose body is {@code json}, kept byte for byte.
   *
   * @throws InvalidContentException if {@code json} is not exactly one JSON object
   * @throws IllegalArgumentException if {@code predicateType} is blank
   */
  public static GenericPredicate of(String predicateType, byte[] json) throws InvalidContentException {
    checkType(predicateType);
    Objects.requireNonNull(json, "json");
    byte[] copy = json.clone();
    var node = JsonValues.readObject(copy, "predicate of type " + predicateType);
    return new GenericPredicate(predicateType, copy, JsonValues.toMap(node, "predicate"));
  }

  /** A predicate built from plain Java values (see {@link #values()}), serialised compactly. */
  public static GenericPredicate of(String predicateType, Map<String, ?> values) {
    checkType(predicateType);
    Map<String, @Nullable Object> copy = JsonValues.copyMap(values, "predicate");
    return new GenericPredicate(predicateType, JsonValues.bytes(JsonValues.toNode(copy)), copy);
  }

  static void checkType(String predicateType) {
    Objects.requireNonNull(predicateType, "predicateType");
    if (predicateType.isBlank()) {
      throw new IllegalArgumentException("predicateType must not be blank");
    }
  }

  @Override
  public String predicateType() {
    return predicateType;
  }

  @Override
  public byte[] json() {
    return json.clone();
  }

  /**
   * The predicate as plain Java values: ordered unmodifiable {@code Map<String,Object>} and
   * {@code List<Object>}, {@code String}, {@code Boolean}, {@code BigInteger}, {@code BigDecimal}
   * and {@code null}.
   */
  public Map<String, @Nullable Object> values() {
    return values;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GenericPredicate g
        && g.predicateType.equals(predicateType)
        && Arrays.equals(g.json, json);
  }

  @Override
  public int hashCode() {
    return predicateType.hashCode() * 31 + Arrays.hashCode(json);
  }

  @Override
  public String toString() {
    return "GenericPredicate[" + predicateType + ", " + json.length + " bytes]";
  }
}
