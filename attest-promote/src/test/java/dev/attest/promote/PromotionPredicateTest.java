package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.InvalidContentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromotionPredicateTest {
  static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));
  static final Digest P = Digest.parse("sha256:" + "cd".repeat(32));

  static PromotionPredicate sample() {
    return new PromotionPredicate(D, new PromotionPredicate.Location("registry.dev", "acme/api"),
        new PromotionPredicate.Location("registry.prod", "acme/api"), List.of("v1.4.2"), P, "ALLOW", "ALLOW",
        Instant.parse("2026-11-25T20:00:00Z"), "ci@example");
  }

  @Test
  void serialisesToTheDocumentedJson() {
    String json = new String(sample().json(), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"digest\":\"" + D + "\","
        + "\"source\":{\"registry\":\"registry.dev\",\"repository\":\"acme/api\"},"
        + "\"destination\":{\"registry\":\"registry.prod\",\"repository\":\"acme/api\"},"
        + "\"tags\":[\"v1.4.2\"],\"policy\":{\"hash\":\"" + P + "\"},"
        + "\"verification\":{\"source\":\"ALLOW\",\"destination\":\"ALLOW\"},"
        + "\"promotedAt\":\"2026-11-25T20:00:00Z\",\"actor\":\"ci@example\"}");
    assertThat(sample().predicateType()).isEqualTo("https://attest.dev/promotion/v1");
  }

  @Test
  void roundTripsIncludingAnUngatedOne() throws Exception {
    assertThat(PromotionPredicate.parse(sample().json())).isEqualTo(sample());
    PromotionPredicate ungated = new PromotionPredicate(D, sample().source(), sample().destination(), List.of(), null,
        null, null, Instant.EPOCH, "ünïcode actor");
    assertThat(PromotionPredicate.parse(ungated.json())).isEqualTo(ungated);
    assertThat(new String(ungated.json(), StandardCharsets.UTF_8)).doesNotContain("policy");
  }

  @Test
  void samePromotionIgnoresTimeAndActorOnly() {
    PromotionPredicate later = new PromotionPredicate(D, sample().source(), sample().destination(), List.of("v1.4.2"),
        P, "ALLOW", "ALLOW", Instant.parse("2027-01-01T00:00:00Z"), "someone else");
    assertThat(sample().samePromotion(later)).isTrue();
    PromotionPredicate otherTags = new PromotionPredicate(D, sample().source(), sample().destination(), List.of("v2"),
        P, "ALLOW", "ALLOW", Instant.EPOCH, "x");
    assertThat(sample().samePromotion(otherTags)).isFalse();
  }

  @Test
  void malformedBodiesNameTheField() {
    assertThatThrownBy(() -> PromotionPredicate.parse("{\"digest\":\"sha256:12\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class).hasMessageContaining("tags");
    String noActor = new String(sample().json(), StandardCharsets.UTF_8).replace(",\"actor\":\"ci@example\"", "");
    assertThatThrownBy(() -> PromotionPredicate.parse(noActor.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class).hasMessageContaining("'actor'");
    String badTime = new String(sample().json(), StandardCharsets.UTF_8).replace("2026-11-25T20:00:00Z", "yesterday");
    assertThatThrownBy(() -> PromotionPredicate.parse(badTime.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class);
    assertThatThrownBy(() -> PromotionPredicate.parse("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class).hasMessageContaining("not a JSON object");
  }
}
