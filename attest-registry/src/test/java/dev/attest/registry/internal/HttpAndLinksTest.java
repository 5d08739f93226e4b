package dev.attest.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.registry.RegistryListener;
import java.time.Duration;
import java.time.Instant;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HttpAndLinksTest {
  final Http http = new Http(new OkHttpClient(), RegistryListener.NONE, 3, Duration.ofMillis(100), Duration.ofSeconds(30));
  final Instant now = Instant.parse("2015-10-21T07:28:00Z");

  @Test
  void retryAfterReadsSecondsAndHttpDatesAndIsCapped() {
    assertThat(http.retryAfter("7", now)).isEqualTo(Duration.ofSeconds(7));
    assertThat(http.retryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now)).isEqualTo(Duration.ofSeconds(10));
    assertThat(http.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).isEqualTo(Duration.ZERO);
    assertThat(http.retryAfter("3600", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(http.retryAfter("99999999999999999999", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(http.retryAfter("soon", now)).isNull();
    assertThat(http.retryAfter(null, now)).isNull();
  }

  @Test
  void backoffGrowsWithJitterAndIsCapped() {
    for (int i = 0; i < 50; i++) {
      assertThat(http.backoff(1).toMillis()).isBetween(50L, 100L);
      assertThat(http.backoff(3).toMillis()).isBetween(200L, 400L);
      assertThat(http.backoff(30).toMillis()).isBetween(15_000L, 30_000L);
    }
  }

  @Test
  void transientStatuses() {
    assertThat(Http.isTransient(429)).isTrue();
    assertThat(Http.isTransient(503)).isTrue();
    assertThat(Http.isTransient(501)).isFalse();
    assertThat(Http.isTransient(404)).isFalse();
  }

  @Test
  void nextLinkIsResolvedAndKeptOnTheSameOrigin() {
    HttpUrl base = HttpUrl.get("https://r.example/v2/app/tags/list?n=2");
    assertThat(Links.next("</v2/app/tags/list?n=2&last=b>; rel=\"next\"", base))
        .isEqualTo(HttpUrl.get("https://r.example/v2/app/tags/list?n=2&last=b"));
    assertThat(Links.next("<https://r.example/x>; rel=\"prev\", <https://r.example/y>; rel=next", base))
        .isEqualTo(HttpUrl.get("https://r.example/y"));
    assertThat(Links.next("<https://r.example/x>; rel=\"prev\"", base)).isNull();
    assertThat(Links.next(null, base)).isNull();
    assertThatThrownBy(() -> Links.next("<https://other.example/y>; rel=\"next\"", base))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Links.next("<http://r.example/y>; rel=\"next\"", base))
        .isInstanceOf(IllegalStateException.class);
  }
}
