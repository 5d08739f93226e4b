package dev.attest.promote;

import dev.attest.core.AttestException;
import dev.attest.core.DaemonThreads;
import dev.attest.promote.internal.SharedTransfers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Promotes many digests in one process, such as a release of a hundred services:
 *
 * <pre>{@code
 * List<Promotion> promotions = new ArrayList<>();
 * for (Release r : releases) {
 *   promotions.add(Promotion.of(r.digest()).from(dev, r.repository()).to(prod, r.repository()));
 * }
 * List<PromotionReport> reports = PromotionFleet.of(promotions).execute();
 * }</pre>
 *
 * <p>A promotion spends most of its time waiting on round trips (planning, manifests, and on
 * registries without the referrers API the confirmation pauses of the fallback index), not
 * moving bytes, so many run at once ({@link #concurrency(int)}). Their blob transfers share one
 * bound ({@link #transfers(int)}), so memory stays bounded by buffers however many run, and a
 * blob that another promotion of the fleet is copying to the same destination registry (a base
 * layer) is waited for and mounted from there rather than copied again. Give the promotions the
 * same registry clients, so that they also share connections and what a client remembers of
 * where it put each blob.
 *
 * <p>Every promotion runs to its end even if another fails; then the first failure is thrown
 * with the others suppressed. Promotions are resumable, so running the same fleet again
 * completes the failed ones and writes nothing for the others.
 */
public final class PromotionFleet {
  /** Promotions run at once by default. */
  public static final int DEFAULT_CONCURRENCY = 16;

  /** Blobs streamed at once, across the whole fleet, by default. */
  public static final int DEFAULT_TRANSFERS = 8;

  private final List<Promotion> promotions;
  private int concurrency = DEFAULT_CONCURRENCY;
  private int transfers = DEFAULT_TRANSFERS;

  private PromotionFleet(List<Promotion> promotions) {
    this.promotions = promotions;
  }

  /** A fleet of configured promotions, run by {@link #execute()} in no particular order. */
  public static PromotionFleet of(List<Promotion> promotions) {
    List<Promotion> list = List.copyOf(Objects.requireNonNull(promotions, "promotions"));
    for (int i = 0; i < list.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (list.get(i) == list.get(j)) {
          throw new IllegalArgumentException("promotion " + i + " is the same object as promotion " + j);
        }
      }
    }
    return new PromotionFleet(list);
  }

  /** Promotions run at once, 1 to 256; {@value #DEFAULT_CONCURRENCY} by default. */
  public PromotionFleet concurrency(int promotions) {
    if (promotions < 1 || promotions > 256) {
      throw new IllegalArgumentException("concurrency must be 1..256: " + promotions);
    }
    this.concurrency = promotions;
    return this;
  }

  /**
   * Blobs streamed at once across the fleet, 1 to 64; {@value #DEFAULT_TRANSFERS} by default.
   * Each promotion's own {@link Promotion#parallelism(int)} still bounds its share.
   */
  public PromotionFleet transfers(int blobs) {
    if (blobs < 1 || blobs > 64) {
      throw new IllegalArgumentException("transfers must be 1..64: " + blobs);
    }
    this.transfers = blobs;
    return this;
  }

  /**
   * Runs every promotion; returns their reports in the order given.
   *
   * @throws AttestException the first failure (gate denial, tag conflict, registry failure), with
   *     the failures of the other promotions suppressed, once every promotion has ended
   */
  public List<PromotionReport> execute() throws AttestException {
    if (promotions.isEmpty()) {
      return List.of();
    }
    SharedTransfers shared = new SharedTransfers(transfers);
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(concurrency, promotions.size()), DaemonThreads.named("attest-fleet"));
    try {
      List<Future<PromotionReport>> futures = new ArrayList<>();
      for (Promotion p : promotions) {
        futures.add(pool.submit(() -> p.execute(shared)));
      }
      List<PromotionReport> reports = new ArrayList<>();
      AttestException first = null;
      for (Future<PromotionReport> f : futures) {
        try {
          reports.add(f.get());
        } catch (ExecutionException e) {
          AttestException failure = e.getCause() instanceof AttestException ae ? ae
              : new PromotionException("a promotion failed: " + e.getCause(), e.getCause());
          if (first == null) {
            first = failure;
          } else {
            first.addSuppressed(failure);
          }
        }
      }
      if (first != null) {
        throw first;
      }
      return List.copyOf(reports);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PromotionException("interrupted while promoting a fleet", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
