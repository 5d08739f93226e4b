package dev.attest.verify;

import dev.attest.core.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A bounded, thread-safe cache of verification reports keyed by (image digest, policy hash).
 *
 * <p>Allowed reports live for {@code allowTtl}; warned and denied ones for the shorter {@code
 * denyTtl}, so that a fix (a newly attached attestation) takes effect soon. When full, the least
 * recently used entry goes. Reports without a subject digest are never cached. Time comes from the
 * injected {@link Clock}.
 */
public final class VerificationCache {

  private record Key(Digest subject, Digest policyHash) {}

  // Not named Entry: inside the LinkedHashMap subclass below that name would mean Map.Entry (javac 25).
  private record Cached(VerificationReport report, Instant expires) {}

  private final int maxEntries;
  private final Duration allowTtl;
  private final Duration denyTtl;
  private final Clock clock;
  private final LinkedHashMap<Key, Cached> map;

  private VerificationCache(int maxEntries, Duration allowTtl, Duration denyTtl, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1: " + maxEntries);
    }
    if (allowTtl.isNegative() || allowTtl.isZero() || denyTtl.isNegative() || denyTtl.isZero()) {
      throw new IllegalArgumentException("TTLs must be positive");
    }
    if (denyTtl.compareTo(allowTtl) > 0) {
      throw new IllegalArgumentException("denyTtl (" + denyTtl + ") must not exceed allowTtl (" + allowTtl + ")");
    }
    this.maxEntries = maxEntries;
    this.allowTtl = allowTtl;
    this.denyTtl = denyTtl;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
        return size() > VerificationCache.this.maxEntries;
      }
    };
  }

  /** A cache of at most {@code maxEntries} reports. */
  public static VerificationCache of(int maxEntries, Duration allowTtl, Duration denyTtl, Clock clock) {
    return new VerificationCache(maxEntries, allowTtl, denyTtl, clock);
  }

  /** 10,000 entries, allows for 5 minutes, denials for 30 seconds, on the system clock. */
  public static VerificationCache defaults() {
    return of(10_000, Duration.ofMinutes(5), Duration.ofSeconds(30), Clock.systemUTC());
  }

  /** The live report for {@code subject} under the policy {@code policyHash}. */
  public synchronized Optional<VerificationReport> get(Digest subject, Digest policyHash) {
    Key k = new Key(subject, policyHash);
    Cached e = map.get(k);
    if (e == null) {
      misses++;
      return Optional.empty();
    }
    if (!clock.instant().isBefore(e.expires())) {
      map.remove(k);
      misses++;
      return Optional.empty();
    }
    hits++;
    return Optional.of(e.report());
  }

  private long hits;
  private long misses;

  /** How many {@link #get} calls found a live report, since this cache was made. */
  public synchronized long hits() {
    return hits;
  }

  /** How many {@link #get} calls found none (or an expired one), since this cache was made. */
  public synchronized long misses() {
    return misses;
  }

  /** Stores {@code report} under its subject and policy hash; reports with no subject are ignored. */
  public synchronized void put(VerificationReport report) {
    Digest subject = report.subject();
    if (subject == null) {
      return;
    }
    Duration ttl = report.decision() == VerificationReport.Decision.ALLOW ? allowTtl : denyTtl;
    map.put(new Key(subject, report.policyHash()), new Cached(report, clock.instant().plus(ttl)));
  }

  /** Drops every entry. */
  public synchronized void clear() {
    map.clear();
  }

  /** The number of entries held, live or expired-but-not-yet-evicted. */
  public synchronized int size() {
    return map.size();
  }
}
