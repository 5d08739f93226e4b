package dev.attest.registry.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void parsesTheDistributionBearerChallenge() {
    List<Challenge> cs =
        Challenge.parseAll(
            List.of(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:app:pull,push\""));
    assertThat(cs).hasSize(1);
    Challenge c = cs.get(0);
    assertThat(c.scheme()).isEqualTo("bearer");
    assertThat(c.params())
        .containsExactly(
            Map.entry("realm", "https://auth.example/token"),
            Map.entry("service", "registry.example"),
            Map.entry("scope", "repository:app:pull,push"));
  }

  @Test
  void commasAndEscapesInsideQuotesAreData() {
    Challenge c =
        Challenge.parseAll(List.of("Bearer realm=\"https://a/t\", service=\"svc, \\\"quoted\\\" \\\\ x\" , scope=\"a:b:c\""))
            .get(0);
    assertThat(c.param("service")).contains("svc, \"quoted\" \\ x");
    assertThat(c.param("scope")).contains("a:b:c");
  }

  @Test
  void splitsSeveralChallengesInOneHeaderAndAcrossHeaders() {
    List<Challenge> cs =
        Challenge.parseAll(
            List.of(
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
                "Negotiate abc123==, Bearer realm=x"));
    assertThat(cs).extracting(Challenge::scheme).containsExactly("newauth", "basic", "negotiate", "bearer");
    assertThat(cs.get(0).params()).containsEntry("type", "1").containsEntry("title", "Login to \"apps\"");
    assertThat(cs.get(1).param("realm")).contains("simple");
    assertThat(cs.get(2).token68()).isEqualTo("abc123==");
    assertThat(cs.get(3).param("REALM")).contains("x");
  }

  @Test
  void schemeWithoutParameters() {
    assertThat(Challenge.parseAll(List.of("Basic")).get(0).params()).isEmpty();
  }

  @Test
  void rejectsMalformedChallenges() {
    assertThatThrownBy(() -> Challenge.parseAll(List.of("Bearer realm=\"unterminated")))
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> Challenge.parseAll(List.of("Bearer realm=a, realm=b")))
        .hasMessageContaining("occurs twice");
    // By the grammar this is a token68, not an empty realm; the interceptor then finds no realm.
    assertThat(Challenge.parseAll(List.of("Bearer realm=")).get(0).token68()).isEqualTo("realm=");
    assertThatThrownBy(() -> Challenge.parseAll(List.of("Bearer realm=\"a\" service=\"b\"")))
        .hasMessageContaining("expected ','");
    assertThatThrownBy(() -> Challenge.parseAll(List.of("Bearer realm=\"x\" junk")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
