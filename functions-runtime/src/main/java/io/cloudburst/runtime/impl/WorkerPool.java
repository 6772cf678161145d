package io.cloudburst.runtime.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The executor's worker threads: a fixed number of threads taking tasks from a bounded queue, of
 * which at most one, when it runs out of work, spins (busy-polls the queue) for a bounded time
 * before it parks.
 *
 * <p>Why spin: on a virtual machine a parked thread's CPU halts, and waking it again (a futex wake
 * that becomes an inter-processor interrupt through the hypervisor) costs 20 to 100 µs here,
 * several times the run time of a small function. A worker that is still spinning when the next
 * call arrives takes it within a microsecond and nobody pays for a wake-up. The spin is bounded
 * ({@code spinNanos} after the worker's last task; 0 turns it off) and done by one thread only, so
 * an idle executor costs no CPU and a busy one at most one spinning thread; the spinner calls
 * {@link Thread#onSpinWait} and yields the processor every few hundred polls, so other runnable
 * threads are not kept from running.
 *
 * <p>A thread stuck in a task (guest code that ignores its cancel) can be {@link #replace}d: a new
 * thread takes its place at once, and the stuck one ends when its task does.
 *
 * <p>Tasks do not wait behind a spinner: a submit wakes a parked thread unless the one spinning
 * thread will take the task, and a thread that takes a task while more are queued wakes another.
 */
public final class WorkerPool implements AutoCloseable {
  private static final int POLLS_PER_YIELD = 256;

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  /** Tasks queued and not yet taken (bounded by {@code maxQueued}). */
  private final AtomicInteger queued = new AtomicInteger();

  /** Threads that are parked and may be woken, most recently parked first. */
  private final ConcurrentLinkedDeque<Thread> parked = new ConcurrentLinkedDeque<>();

  /** 1 while a thread spins for work. */
  private final AtomicInteger spinning = new AtomicInteger();

  private final List<Thread> threads = new ArrayList<>();

  /** Threads replaced while stuck in a task: each ends when its task does. */
  private final java.util.Set<Thread> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final String name;
  private final java.util.concurrent.atomic.AtomicInteger replacements =
      new java.util.concurrent.atomic.AtomicInteger();
  private final long stackBytes;
  private final int size;
  private final int maxQueued;
  private final long spinNanos;
  private volatile boolean closed;

  /**
   * Starts {@code size} daemon threads named {@code name-1..size}.
   *
   * @param maxQueued tasks that may wait for a thread before {@link #submit} refuses more
   * @param spinNanos how long a thread that ran out of work polls for more before it parks (0:
   *     never)
   */
  public WorkerPool(String name, int size, int maxQueued, long spinNanos) {
    this(name, size, maxQueued, spinNanos, 0);
  }

  /**
   * As {@link #WorkerPool(String, int, int, long)}, with threads of {@code stackBytes} of stack (0:
   * the JVM's default).
   */
  public WorkerPool(String name, int size, int maxQueued, long spinNanos, long stackBytes) {
    if (size < 1 || maxQueued < 1 || spinNanos < 0) {
      throw new IllegalArgumentException(
          "size and maxQueued must be positive, spinNanos not negative");
    }
    this.name = name;
    this.size = size;
    this.stackBytes = stackBytes;
    this.maxQueued = maxQueued;
    this.spinNanos = spinNanos;
    for (int i = 1; i <= size; i++) {
      Thread t = new Thread(null, this::work, name + "-" + i, stackBytes);
      t.setDaemon(true);
      threads.add(t);
    }
    new ArrayList<>(threads).forEach(Thread::start);
  }

  /** Queues a task; false when the queue is full or the pool closed. */
  public boolean submit(Runnable task) {
    if (closed) {
      return false;
    }
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return false;
    }
    tasks.add(task);
    // The spinner takes one task; anything beyond that, or no spinner, needs a parked thread.
    if (spinning.get() == 0 || queued.get() > 1) {
      wakeOne();
    }
    return true;
  }

  /**
   * Starts a new thread in place of {@code stuck}, one of this pool's threads that is running a
   * task it does not come back from; {@code stuck} ends when that task does. The stuck thread's
   * priority is lowered (a hint only: most Linux JVMs ignore priorities). False when {@code stuck}
   * is not a working thread of this pool (already replaced, or the pool closed), or when as many
   * replaced threads as the pool's size are still stuck: a stuck thread may spin a core, and
   * replacing without bound would let guests take every core of the node; past that point the pool
   * loses capacity instead.
   */
  public boolean replace(Thread stuck) {
    Thread t;
    synchronized (threads) {
      if (closed || retired.size() >= size || !threads.contains(stuck)) {
        return false;
      }
      threads.remove(stuck);
      retired.add(stuck);
      t = new Thread(null, this::work, name + "-r" + replacements.incrementAndGet(), stackBytes);
      t.setDaemon(true);
      threads.add(t);
    }
    stuck.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return true;
  }

  /** Threads currently taking tasks (replaced stuck threads not counted). */
  public int size() {
    synchronized (threads) {
      return threads.size();
    }
  }

  /** Tasks waiting for a thread. */
  public int queued() {
    return queued.get();
  }

  private void wakeOne() {
    Thread t = parked.pollFirst();
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  private Runnable take() {
    Runnable r = tasks.poll();
    if (r != null) {
      if (queued.decrementAndGet() > 0) {
        wakeOne(); // more work than this thread: pass the wake-up on
      }
    }
    return r;
  }

  private void work() {
    Thread self = Thread.currentThread();
    while (!closed) {
      Runnable r = take();
      if (r == null && spinNanos > 0 && spinning.compareAndSet(0, 1)) {
        r = spin();
      }
      if (r == null) {
        parked.addFirst(self);
        // A task queued after the last look, while nobody was registered to be woken for it.
        if (tasks.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        parked.remove(self);
        continue;
      }
      try {
        r.run();
      } catch (RuntimeException | Error e) {
        if (closed) {
          return;
        }
        System.getLogger(WorkerPool.class.getName())
            .log(System.Logger.Level.ERROR, "worker task failed", e);
      }
      Thread
          .interrupted(); // an interrupt meant for the task that ended (a cancelled call) must not
      // reach the next
      if (retired.remove(self)) {
        return; // replaced while stuck in that task
      }
    }
  }

  /**
   * Polls for a task for up to {@code spinNanos}; called with {@code spinning} set, returns with it
   * cleared. The flag is cleared before a task is taken, not after: a submit that saw the flag set
   * and so woke nobody must find a spinner that has not yet consumed its one task.
   */
  private Runnable spin() {
    long until = System.nanoTime() + spinNanos;
    for (int polls = 1; !closed; polls++) {
      if (!tasks.isEmpty()) {
        spinning.set(0);
        Runnable r = take();
        if (r != null || !spinning.compareAndSet(0, 1)) {
          return r;
        }
        continue; // another thread took it first: spin on
      }
      if (System.nanoTime() - until > 0) {
        break;
      }
      if (polls % POLLS_PER_YIELD == 0) {
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
    }
    spinning.set(0);
    return null;
  }

  /**
   * Stops taking tasks; interrupts the threads (running guest code is cancelled by closing its
   * context).
   */
  @Override
  public void close() {
    List<Thread> all;
    synchronized (threads) {
      closed = true;
      all = new ArrayList<>(threads);
    }
    for (Thread t : all) {
      t.interrupt();
      LockSupport.unpark(t);
    }
  }
}
