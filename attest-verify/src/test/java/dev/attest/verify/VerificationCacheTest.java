package dev.attest.verify;

import static dev.attest.verify.TestSupport.POLICY;
import static dev.attest.verify.TestSupport.T0;
import static dev.attest.verify.TestSupport.allow;
import static dev.attest.verify.TestSupport.deny;
import static dev.attest.verify.TestSupport.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerificationCacheTest {
  final TestSupport.FakeClock clock = new TestSupport.FakeClock(T0);
  final VerificationCache cache = VerificationCache.of(3, Duration.ofMinutes(5), Duration.ofSeconds(30), clock);

  @Test
  void allowsLiveLongerThanDenials() {
    Digest a = digest("a");
    Digest b = digest("b");
    cache.put(allow("r@" + a, a));
    cache.put(deny("r@" + b, b, "no provenance"));
    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.get(b, POLICY)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(b, POLICY)).isEmpty();
    assertThat(cache.get(a, POLICY)).isPresent();
    clock.advance(Duration.ofMinutes(4).plusSeconds(29));
    assertThat(cache.get(a, POLICY)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(a, POLICY)).isEmpty();
  }

  @Test
  void warnUsesTheShortTtl() {
    Digest a = digest("a");
    cache.put(TestSupport.warn("r@" + a, a, "unsigned"));
    clock.advance(Duration.ofSeconds(30));
    assertThat(cache.get(a, POLICY)).isEmpty();
  }

  @Test
  void keyedByDigestAndPolicyHash() {
    Digest a = digest("a");
    cache.put(allow("r@" + a, a));
    assertThat(cache.get(a, digest("other policy"))).isEmpty();
    assertThat(cache.get(digest("other image"), POLICY)).isEmpty();
    assertThat(cache.get(a, POLICY)).isPresent();
  }

  @Test
  void evictsTheLeastRecentlyUsed() {
    Digest a = digest("a");
    Digest b = digest("b");
    Digest c = digest("c");
    Digest d = digest("d");
    cache.put(allow("a", a));
    cache.put(allow("b", b));
    cache.put(allow("c", c));
    assertThat(cache.get(a, POLICY)).isPresent(); // a is now the most recent
    cache.put(allow("d", d));
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get(b, POLICY)).isEmpty();
    assertThat(cache.get(a, POLICY)).isPresent();
    assertThat(cache.get(d, POLICY)).isPresent();
  }

  @Test
  void doesNotCacheUnresolvedReports() {
    cache.put(VerificationReport.denied("r:1", null, POLICY, "resolve", "tag not found", T0));
    assertThat(cache.size()).isZero();
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatThrownBy(() -> VerificationCache.of(0, Duration.ofMinutes(1), Duration.ofSeconds(1), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VerificationCache.of(1, Duration.ofSeconds(1), Duration.ofMinutes(1), clock))
        .hasMessageContaining("must not exceed");
  }

  @Test
  void isSafeUnderConcurrentUse() throws Exception {
    VerificationCache big = VerificationCache.of(50, Duration.ofMinutes(5), Duration.ofSeconds(30), clock);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 2000; i++) {
            Digest d = digest(seed + ":" + (i % 100));
            big.put(allow("x", d));
            big.get(d, POLICY);
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(big.size()).isEqualTo(50);
  }

  @Test
  void cachingVerifierHitsForPinnedInputAndFillsFromTags() throws Exception {
    Digest a = digest("a");
    AtomicInteger calls = new AtomicInteger();
    ImageVerifier delegate = ref -> {
      calls.incrementAndGet();
      return allow(ref, a);
    };
    CachingImageVerifier v = CachingImageVerifier.of(delegate, POLICY, cache);
    assertThat(v.verify("ghcr.io/acme/api:1.0").subject()).isEqualTo(a);
    assertThat(calls).hasValue(1);
    VerificationReport hit = v.verify("ghcr.io/acme/api@" + a);
    assertThat(calls).hasValue(1);
    assertThat(hit.input()).isEqualTo("ghcr.io/acme/api@" + a);
    v.verify("ghcr.io/acme/api:1.0"); // tags always resolve through the delegate
    assertThat(calls).hasValue(2);
    clock.advance(Duration.ofMinutes(5));
    v.verify("ghcr.io/acme/api@" + a);
    assertThat(calls).hasValue(3);
  }

  @Test
  void cachingVerifierDeniesADelegateThatAnswersForAnotherDigestOrPolicy() {
    Digest a = digest("a");
    Digest b = digest("b");
    CachingImageVerifier wrongDigest = CachingImageVerifier.of(ref -> allow(ref, b), POLICY, cache);
    VerificationReport r = wrongDigest.verify("ghcr.io/acme/api@" + a);
    assertThat(r.decision()).isEqualTo(VerificationReport.Decision.DENY);
    assertThat(r.failures().get(0).reason()).contains("reported digest " + b);
    assertThat(cache.size()).isZero();
    CachingImageVerifier wrongPolicy = CachingImageVerifier.of(ref -> allow(ref, a), digest("other"), cache);
    assertThat(wrongPolicy.verify("ghcr.io/acme/api@" + a).decision()).isEqualTo(VerificationReport.Decision.DENY);
  }
}
