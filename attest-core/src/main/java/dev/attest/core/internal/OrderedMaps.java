package dev.attest.core.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Ordered immutable copies; {@link Map#copyOf} would lose the order that annotations keep. */
public final class OrderedMaps {
  private OrderedMaps() {}

  public static Map<String, String> orderedCopy(Map<String, String> m, String what) {
    Objects.requireNonNull(m, what);
    if (m.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what + " value")));
    return Collections.unmodifiableMap(copy);
  }
}
