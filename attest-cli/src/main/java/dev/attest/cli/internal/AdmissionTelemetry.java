package dev.attest.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.verify.AdmissionHandler;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.VerificationCache;
import dev.attest.verify.VerificationReport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

/**
 * What {@code attest admission serve} reports about itself: one JSON line per decision on stdout
 * and Prometheus metrics (reviews by decision and kind, review latency, verification cache hits
 * and misses, registry errors), in the webhook server only; the library itself never logs.
 */
final class AdmissionTelemetry {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Check names that mean the registry could not answer, not that the image failed the policy. */
  private static final Set<String> REGISTRY_CHECKS = Set.of("resolve", "registry", "timeout", "discovery");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter reviews = Counter.builder().name("attest_admission_reviews_total")
      .help("Admission reviews answered, by decision (allow, deny, skip) and object kind")
      .labelNames("decision", "kind").register(registry);
  private final Histogram latency = Histogram.builder().name("attest_admission_review_duration_seconds")
      .help("Time to answer one admission review").unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
      .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10)
      .register(registry);
  private final Counter registryErrors = Counter.builder().name("attest_registry_errors_total")
      .help("Image verifications that failed because a registry could not be read").register(registry);
  private final PrintWriter log;

  AdmissionTelemetry(PrintWriter log, VerificationCache cache) {
    this.log = log;
    GaugeWithCallback.builder().name("attest_verification_cache_hits")
        .help("Verification cache lookups that found a live report (a counter, exposed as a gauge)")
        .callback(cb -> cb.call(cache.hits())).register(registry);
    GaugeWithCallback.builder().name("attest_verification_cache_misses")
        .help("Verification cache lookups that found none").callback(cb -> cb.call(cache.misses())).register(registry);
  }

  /** Counts registry errors in what {@code delegate} reports. */
  ImageVerifier observing(ImageVerifier delegate) {
    return ref -> {
      VerificationReport r;
      try {
        r = delegate.verify(ref);
      } catch (RuntimeException e) {
        registryErrors.inc();
        throw e;
      }
      if (r.failures().stream().anyMatch(c -> REGISTRY_CHECKS.contains(c.name()))) {
        registryErrors.inc();
      }
      return r;
    };
  }

  /** One decision: a metric sample and a JSON line. */
  void review(AdmissionHandler.Review r) {
    review(r, true);
  }

  /** One decision: a metric sample, and a JSON line when {@code logLine}. */
  void review(AdmissionHandler.Review r, boolean logLine) {
    String decision = !r.verified() && r.allowed() ? "skip" : r.allowed() ? "allow" : "deny";
    reviews.labelValues(decision, r.kind().isEmpty() ? "unknown" : r.kind()).inc();
    latency.observe(r.nanos() / 1e9);
    if (!logLine) {
      return;
    }
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("uid", r.uid());
    line.put("operation", r.operation());
    line.put("kind", r.kind());
    r.images().forEach(line.putArray("images")::add);
    if (r.images().isEmpty()) {
      line.putArray("images");
    }
    line.put("decision", decision);
    line.put("code", r.code());
    var reasons = line.putArray("reasons");
    r.reasons().forEach(reasons::add);
    line.put("ms", Math.round(r.nanos() / 1e6 * 10) / 10.0);
    synchronized (log) {
      log.println(line);
      log.flush();
    }
  }

  /** The Prometheus text exposition of every metric. */
  String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
