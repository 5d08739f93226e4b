package dev.attest.promote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.promote.PromotionException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Executor#runAll}: a failure is thrown only once no task of the batch is still running,
 * so that a re-run never plans while a write of the failed run is in flight (the cause of the
 * PromotionTest flake of issue 14: a cancelled future returned while its push went on).
 */
class RunAllTest {

  @Test
  void aFailureIsThrownOnlyAfterTheTasksStillRunningHaveEnded() throws Exception {
    CountDownLatch secondStarted = new CountDownLatch(1);
    CountDownLatch firstFailed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean landed = new AtomicBoolean();
    AtomicReference<Boolean> landedWhenThrown = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Executor.Task> tasks = List.of(
          () -> {
            await(secondStarted);
            firstFailed.countDown();
            throw new PromotionException("injected");
          },
          () -> {
            secondStarted.countDown();
            await(release);
            landed.set(true); // a write that lands after the other task failed
          });
      Thread caller = new Thread(() -> {
        try {
          Executor.runAll(tasks, pool, "testing");
        } catch (Exception e) {
          landedWhenThrown.set(landed.get());
        }
      });
      caller.start();
      firstFailed.await();
      // A broken runAll returns now, with the second task still running; give it the chance.
      caller.join(200);
      release.countDown();
      caller.join();
      assertThat(landedWhenThrown.get()).as("the second task had ended when the failure was thrown").isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void tasksNotYetStartedAreSkippedAfterAFailure() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      List<Executor.Task> tasks = List.of(
          () -> {
            throw new PromotionException("first");
          },
          ran::incrementAndGet,
          ran::incrementAndGet);
      assertThatThrownBy(() -> Executor.runAll(tasks, pool, "testing")).hasMessage("first");
      assertThat(ran).hasValue(0);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
