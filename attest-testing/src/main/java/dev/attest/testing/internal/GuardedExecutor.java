package dev.attest.testing.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded worker pool of the embedded registry, with one extra duty: dropping connections
 * whose request head does not arrive promptly.
 *
 * <p>Why: clients told to skip TLS verification (skopeo, containers/image, docker) first try
 * HTTPS and fall back to HTTP only when that fails. Go's server answers a TLS ClientHello on a
 * plain port with an immediate 400; the JDK server instead waits forever for a request line, so
 * every such client stalls for its 10 s TLS handshake timeout. The JDK server reads a request on
 * a worker only once bytes have arrived, so a worker that has not reached the handler within a
 * second is reading something that is not HTTP. Interrupting it closes the (interruptible) socket
 * channel, the client's handshake fails at once, and it falls back to HTTP.
 */
public final class GuardedExecutor implements Executor {
  private static final long HEAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private static final int WAITING = 0;
  private static final int HANDLING = 1;
  private static final int DONE = 2;

  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService watchdog;
  private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
  private final ThreadLocal<Task> current = new ThreadLocal<>();

  private static final class Task {
    final Thread thread;
    final long started = System.nanoTime();
    int state = WAITING; // guarded by this

    Task(Thread thread) {
      this.thread = thread;
    }
  }

  public GuardedExecutor(int threads) {
    pool = new ThreadPoolExecutor(
        threads, threads, 30, TimeUnit.SECONDS,
        // Unbounded on purpose: a queued task is tiny, and the JDK server's dispatcher must
        // never run (and block on) a request itself nor see a rejection.
        new LinkedBlockingQueue<>(),
        r -> daemon(r, "attest-embedded-registry-" + THREADS.incrementAndGet()));
    pool.allowCoreThreadTimeOut(true);
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "attest-embedded-registry-watchdog"));
    watchdog.scheduleWithFixedDelay(this::dropStalled, 200, 200, TimeUnit.MILLISECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void execute(Runnable command) {
    pool.execute(() -> {
      Task task = new Task(Thread.currentThread());
      current.set(task);
      tasks.add(task);
      try {
        command.run();
      } finally {
        tasks.remove(task);
        current.remove();
        synchronized (task) {
          task.state = DONE;
        }
        Thread.interrupted(); // a late interrupt must not leak into the next task
      }
    });
  }

  /**
   * Called first by the handler: the request head has been read, so the watchdog must leave this
   * thread alone.
   *
   * @return false if the watchdog has already dropped this connection
   */
  public boolean enterHandler() {
    Task task = current.get();
    if (task == null) {
      return true; // not run by this pool
    }
    synchronized (task) {
      if (task.state != WAITING) {
        return task.state == HANDLING;
      }
      task.state = HANDLING;
      return true;
    }
  }

  private void dropStalled() {
    long now = System.nanoTime();
    for (Task task : tasks) {
      if (now - task.started > HEAD_TIMEOUT_NANOS) {
        synchronized (task) {
          if (task.state == WAITING) {
            task.state = DONE;
            task.thread.interrupt();
          }
        }
      }
    }
  }

  public void shutdownNow() {
    watchdog.shutdownNow();
    pool.shutdownNow();
  }
}
