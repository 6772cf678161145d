package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerPoolTest {

  /**
   * Every thread takes work: tasks that wait for each other all run at once (none waits behind a
   * spinner).
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 200_000, 50_000_000})
  void tasksRunConcurrentlyOnAllThreads(long spinNanos) throws Exception {
    try (WorkerPool pool = new WorkerPool("t", 4, 100, spinNanos)) {
      for (int round = 0; round < 50; round++) {
        CountDownLatch allStarted = new CountDownLatch(4);
        CountDownLatch done = new CountDownLatch(4);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 4; i++) {
          assertThat(
                  pool.submit(
                      () -> {
                        threads.add(Thread.currentThread().getName());
                        allStarted.countDown();
                        try {
                          if (allStarted.await(10, TimeUnit.SECONDS)) {
                            done.countDown();
                          }
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }))
              .isTrue();
        }
        assertThat(done.await(20, TimeUnit.SECONDS))
            .as("round %d: all 4 tasks ran at once", round)
            .isTrue();
        assertThat(threads).hasSize(4);
      }
    }
  }

  /** Many small tasks from several submitters: each runs exactly once. */
  @ParameterizedTest
  @ValueSource(longs = {0, 200_000})
  void everyTaskRunsOnce(long spinNanos) throws Exception {
    int submitters = 3;
    int perSubmitter = 20_000;
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
    try (WorkerPool pool = new WorkerPool("t", 4, submitters * perSubmitter, spinNanos)) {
      Thread[] ts = new Thread[submitters];
      for (int s = 0; s < submitters; s++) {
        ts[s] =
            new Thread(
                () -> {
                  for (int i = 0; i < perSubmitter; i++) {
                    if (!pool.submit(
                        () -> {
                          ran.incrementAndGet();
                          done.countDown();
                        })) {
                      throw new AssertionError("refused below the bound");
                    }
                  }
                });
        ts[s].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ran.get()).isEqualTo(submitters * perSubmitter);
      assertThat(pool.queued()).isZero();
    }
  }

  /** Past the bound, submit refuses; once the queue drains, it accepts again. */
  @ParameterizedTest
  @ValueSource(longs = {0, 200_000})
  void boundedQueueRefusesThenRecovers(long spinNanos) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    try (WorkerPool pool = new WorkerPool("t", 1, 2, spinNanos)) {
      assertThat(
              pool.submit(
                  () -> {
                    running.countDown();
                    try {
                      release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }))
          .isTrue();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.submit(() -> {})).isTrue();
      assertThat(pool.submit(() -> {})).isTrue();
      assertThat(pool.submit(() -> {})).as("third queued task over a bound of 2").isFalse();
      assertThat(pool.queued()).isEqualTo(2);
      release.countDown();
      CountDownLatch after = new CountDownLatch(1);
      // The two queued tasks drain; then a new one is taken.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!pool.submit(after::countDown)) {
        assertThat(System.nanoTime()).isLessThan(until);
        Thread.onSpinWait();
      }
      assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * A task that fails does not take its thread down, and an interrupt left by a task does not reach
   * the next.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 200_000})
  void failuresAndInterruptsStayWithTheirTask(long spinNanos) throws Exception {
    try (WorkerPool pool = new WorkerPool("t", 1, 10, spinNanos)) {
      pool.submit(
          () -> {
            throw new IllegalStateException("boom (expected by the test)");
          });
      pool.submit(() -> Thread.currentThread().interrupt());
      CountDownLatch ok = new CountDownLatch(1);
      AtomicInteger interrupted = new AtomicInteger(-1);
      pool.submit(
          () -> {
            interrupted.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            ok.countDown();
          });
      assertThat(ok.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(interrupted.get()).isZero();
    }
  }

  /** After close, submit refuses and the threads end. */
  @ParameterizedTest
  @ValueSource(longs = {0, 50_000_000})
  void closeStopsThreads(long spinNanos) throws Exception {
    WorkerPool pool = new WorkerPool("closing-pool", 2, 10, spinNanos);
    CountDownLatch ran = new CountDownLatch(1);
    pool.submit(ran::countDown);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    pool.close();
    assertThat(pool.submit(() -> {})).isFalse();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("closing-pool-"))) {
      assertThat(System.nanoTime())
          .as("worker threads still alive 10 s after close")
          .isLessThan(until);
      Thread.onSpinWait();
    }
  }

  /**
   * A thread stuck in a task is replaced: the pool keeps its capacity, and the stuck thread ends
   * when its task does.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 200_000})
  void aReplacedStuckThreadKeepsThePoolsCapacityAndEndsWithItsTask(long spinNanos)
      throws Exception {
    try (WorkerPool pool = new WorkerPool("t", 1, 100, spinNanos)) {
      CountDownLatch stuckIn = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread[] stuck = new Thread[1];
      pool.submit(
          () -> {
            stuck[0] = Thread.currentThread();
            stuckIn.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      assertThat(stuckIn.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.replace(stuck[0])).isTrue();
      assertThat(pool.replace(stuck[0])).as("replaced once only").isFalse();
      assertThat(pool.replace(Thread.currentThread())).as("not a thread of the pool").isFalse();
      assertThat(pool.size()).isEqualTo(1);
      CountDownLatch ran = new CountDownLatch(1);
      Set<String> by = ConcurrentHashMap.newKeySet();
      pool.submit(
          () -> {
            by.add(Thread.currentThread().getName());
            ran.countDown();
          });
      assertThat(ran.await(10, TimeUnit.SECONDS))
          .as("the replacement takes work while the old thread is stuck")
          .isTrue();
      assertThat(by).containsExactly("t-r1");
      release.countDown();
      stuck[0].join(10_000);
      assertThat(stuck[0].isAlive()).as("the stuck thread ends once its task returns").isFalse();
    }
  }

  /**
   * Replacements stop once as many replaced threads as the pool's size are still stuck (each may
   * spin a core).
   */
  @org.junit.jupiter.api.Test
  void replacementsAreBoundedByThePoolsSize() throws Exception {
    try (WorkerPool pool = new WorkerPool("b", 1, 100, 0)) {
      CountDownLatch release = new CountDownLatch(1);
      java.util.concurrent.BlockingQueue<Thread> started =
          new java.util.concurrent.LinkedBlockingQueue<>();
      Runnable stuckTask =
          () -> {
            started.add(Thread.currentThread());
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      pool.submit(stuckTask);
      Thread first = started.poll(10, TimeUnit.SECONDS);
      assertThat(pool.replace(first)).isTrue();
      pool.submit(stuckTask);
      Thread second = started.poll(10, TimeUnit.SECONDS);
      assertThat(second).isNotSameAs(first);
      assertThat(pool.replace(second))
          .as("one replaced thread is still stuck in a pool of one")
          .isFalse();
      release.countDown();
      first.join(10_000);
      second.join(100);
      assertThat(first.isAlive()).isFalse();
    }
  }
}
