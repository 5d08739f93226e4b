package dev.attest.promote.internal;

import dev.attest.core.DaemonThreads;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of every promotion in the process: one pool of daemon threads, reused, that grows
 * as needed and lets idle threads end after a while. Each batch of a plan or a copy runs on a
 * {@link #bounded} view of it, at most its own parallelism at once. A fleet used to start and
 * stop a pool per plan and per copy step (about 14 threads per image, issue 14); the pool is
 * unbounded, so batches that wait on one another (a promotion waiting on its own tasks while a
 * fleet runs others) cannot starve it.
 */
final class Workers {
  private static final ThreadPoolExecutor SHARED = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), DaemonThreads.named("attest-worker"));

  private Workers() {}

  /** An executor that runs at most {@code limit} of its tasks at once, on the shared threads, in order. */
  static Executor bounded(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    return new Bounded(limit);
  }

  private static final class Bounded implements Executor {
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final int limit;

    Bounded(int limit) {
      this.limit = limit;
    }

    @Override
    public void execute(Runnable task) {
      queue.add(task);
      drain();
    }

    /** Starts queued tasks while fewer than {@code limit} run; whoever frees a slot drains again. */
    private void drain() {
      while (true) {
        int n = running.get();
        if (n >= limit || queue.isEmpty()) {
          return;
        }
        if (!running.compareAndSet(n, n + 1)) {
          continue;
        }
        Runnable next = queue.poll();
        if (next == null) {
          running.decrementAndGet();
          continue; // emptied meanwhile; the loop looks again
        }
        try {
          SHARED.execute(() -> {
            try {
              next.run();
            } finally {
              running.decrementAndGet();
              drain();
            }
          });
        } catch (RuntimeException | Error e) { // no thread could be started
          running.decrementAndGet();
          throw e;
        }
      }
    }
  }
}
