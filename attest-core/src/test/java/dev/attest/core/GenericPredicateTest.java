package dev.attest.core;

import static dev.attest.core.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class GenericPredicateTest {

  @Test
  void keepsBytesExactly() throws Exception {
    byte[] json = utf8("{ \"b\" : 1,\n  \"a\": [true, null, 1.50, \"\u00e9\"] }");
    GenericPredicate p = GenericPredicate.of("https://example.com/custom/v1", json);
    assertThat(p.predicateType()).isEqualTo("https://example.com/custom/v1");
    assertThat(p.json()).isEqualTo(json);
    assertThat(p.values()).containsOnlyKeys("b", "a");
    assertThat(p.values().keySet()).containsExactly("b", "a");
    assertThat(p.values().get("b")).isEqualTo(BigInteger.ONE);
    assertThat((List<Object>) p.values().get("a")).containsExactly(true, null, new BigDecimal("1.5"), "\u00e9");
  }

  @Test
  void jsonIsADefensiveCopy() throws Exception {
    byte[] json = utf8("{}");
    GenericPredicate p = GenericPredicate.of("t", json);
    json[0] = 'x';
    p.json()[0] = 'y';
    assertThat(p.json()).isEqualTo(utf8("{}"));
  }

  @Test
  void refusesNonJson() {
    assertThatThrownBy(() -> GenericPredicate.of("t", utf8("not json")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("predicate of type t is not valid JSON");
  }

  @Test
  void refusesNonObjects() {
    assertThatThrownBy(() -> GenericPredicate.of("t", utf8("[1,2]")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("must be a JSON object, not array");
    assertThatThrownBy(() -> GenericPredicate.of("t", utf8("\"s\"")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("not string");
  }

  @Test
  void refusesDuplicateKeysAndTrailingData() {
    assertThatThrownBy(() -> GenericPredicate.of("t", utf8("{\"a\":1,\"a\":2}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> GenericPredicate.of("t", utf8("{} {}")))
        .isInstanceOf(InvalidContentException.class);
  }

  @Test
  void refusesBlankType() {
    assertThatThrownBy(() -> GenericPredicate.of(" ", utf8("{}"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildsFromPlainValues() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", 1);
    m.put("a", List.of("x", 2.5, Map.of("k", false)));
    GenericPredicate p = GenericPredicate.of("t", m);
    assertThat(new String(p.json(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("{\"z\":1,\"a\":[\"x\",2.5,{\"k\":false}]}");
    assertThat(GenericPredicate.of("t", p.json())).isEqualTo(p);
  }

  @Test
  void refusesNonJsonJavaValues() {
    assertThatThrownBy(() -> GenericPredicate.of("t", Map.of("when", new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("predicate.when holds a java.lang.Object");
  }
}
