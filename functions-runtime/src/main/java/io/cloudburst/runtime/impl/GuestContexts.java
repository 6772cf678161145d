package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Languages;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.runtime.ExecutorOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The executor's machinery for guest code: the worker threads that run it, the pool of warm
 * contexts, the spare-context warmer, and the watchdog. A call borrows the context warm for its
 * function version, else a blank spare (and loads the function into it, sub-millisecond), else a
 * new context; it gives the context back afterwards unless the call killed it.
 *
 * <p>The engines may be shared with the node's other executors ({@link Engines#shared}), so closing
 * this does not close them (it gives its lease back): it closes its own contexts, the borrowed ones
 * too, which cancels guest code still running on its workers.
 */
public final class GuestContexts implements AutoCloseable {
  private static final System.Logger log = System.getLogger(GuestContexts.class.getName());

  /** Calls that may wait for a worker before the executor answers NO_RESOURCES. */
  static final int MAX_QUEUED = 10_000;

  /**
   * Stack of a worker thread: deep enough for {@link Engines#MAX_STACK_FRAMES} guest frames (about
   * 4 KB of host stack each when interpreted), so the sandbox's depth limit, which always stops the
   * call, comes before a host stack overflow, which a guest can catch.
   */
  static final long WORKER_STACK_BYTES = 16L << 20;

  /** The longest shutdown waits for its contexts to close. */
  static final long CLOSE_WAIT_MS = 5_000;

  private final Engines engines;
  private final ContextPool<GuestContext> pool;
  private final ExecutorOptions options;
  private final LibraryBackend backend;
  private final FunctionSources sources;
  private final Watchdog watchdog;
  private final WorkerPool workers;
  private final ExecutorService warmer;
  private final AtomicInteger busy = new AtomicInteger();

  /** Contexts borrowed by running calls, closed (cancelled) on {@link #close()}. */
  private final java.util.Set<GuestContext> inUse =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  /** {@link Engines#retirements()} when stale contexts were last swept (racy reads are fine). */
  private volatile long seenRetirements;

  private final java.util.Map<String, AtomicInteger> sparesInFlight =
      java.util.Map.of(
          Languages.PYTHON, new AtomicInteger(), Languages.JAVASCRIPT, new AtomicInteger());

  public GuestContexts(
      Engines engines,
      ContextPool<GuestContext> pool,
      ExecutorOptions options,
      LibraryBackend backend) {
    this(engines, pool, options, backend, FunctionSources.none());
  }

  /**
   * @param sources where a function version sent without its source (from another node) gets it,
   *     when no context of that version is warm
   */
  public GuestContexts(
      Engines engines,
      ContextPool<GuestContext> pool,
      ExecutorOptions options,
      LibraryBackend backend,
      FunctionSources sources) {
    this.sources = sources;
    this.engines = engines;
    this.pool = pool;
    this.options = options;
    this.backend = backend;
    this.workers =
        new WorkerPool(
            "cloudburst-exec-" + options.nodeId() + "-" + options.index(),
            options.threads(),
            MAX_QUEUED,
            TimeUnit.MICROSECONDS.toNanos(options.spinMicros()),
            WORKER_STACK_BYTES);
    // Stuck calls at once: at most every worker and as many replaced ones (WorkerPool#replace),
    // plus the closes in flight.
    this.watchdog = new Watchdog(workers::replace, 2 * options.threads() + Reaper.MAX_CLOSING);
    this.warmer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t =
                  new Thread(r, "cloudburst-warmer-" + options.nodeId() + "-" + options.index());
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            });
  }

  /**
   * Creates the first spare of each language now (seconds for Python) and the rest in the
   * background.
   */
  public void prewarm() {
    long t0 = System.nanoTime();
    if (options.pythonSpares() > 0) {
      addSpare(Languages.PYTHON);
    }
    if (options.jsSpares() > 0) {
      addSpare(Languages.JAVASCRIPT);
    }
    log.log(
        System.Logger.Level.INFO,
        String.format("first spare contexts ready in %.1f s", (System.nanoTime() - t0) / 1e9));
    refill();
  }

  public boolean compiled() {
    return engines.compiled();
  }

  public boolean cpuLimited() {
    return engines.cpuLimited();
  }

  /** Queues work for a worker thread; false when the queue is full. */
  public boolean submit(Runnable work) {
    return workers.submit(
        () -> {
          busy.incrementAndGet();
          try {
            work.run();
          } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "executor task failed", e);
          } finally {
            busy.decrementAndGet();
          }
        });
  }

  public int busy() {
    return busy.get();
  }

  public int queued() {
    return workers.queued();
  }

  public List<String> warmVersions() {
    return pool.warmVersions();
  }

  /** Calls cancelled so far by the watchdog or the heap guard. */
  public long cancelled() {
    return watchdog.cancelled();
  }

  /** Spare contexts being made in the background (seconds of CPU each for Python). */
  public int warming() {
    return sparesInFlight.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Closes of cancelled contexts still running. */
  public int closing() {
    return watchdog.closing();
  }

  /** Workers that did not come back from a cancelled call in time (each was replaced). */
  public long stuckWorkers() {
    return watchdog.stuck();
  }

  /**
   * Loads a function version to check it, keeping the context warm for its first calls. A load that
   * overruns its time is told to {@code onCancel} at once, before this returns (if ever).
   */
  public void validate(FunctionInfo f, Consumer<CloudburstException> onCancel) {
    GuestContext c = acquire(f, options.loadTimeoutMs(), onCancel);
    giveBack(c);
  }

  /**
   * Runs a function version on the current (worker) thread. A call cancelled for its time (or by
   * the heap guard) is told to {@code onCancel} at once, from the cancel: the worker may come back
   * from the guest late, or never.
   */
  public GuestContext.Outcome invoke(
      FunctionInfo f, List<Object> args, Invocation inv, Consumer<CloudburstException> onCancel) {
    long remaining = inv.remainingMs();
    if (remaining <= 0) {
      throw CloudburstException.timeout("the call's deadline passed before it could start");
    }
    GuestContext c = acquire(f, Math.min(remaining, options.loadTimeoutMs()), onCancel);
    try {
      long left = inv.remainingMs();
      if (left <= 0) {
        throw CloudburstException.timeout(
            "the call's deadline passed while its function was loading");
      }
      return c.invoke(args, inv, watchdog, left, onCancel);
    } finally {
      giveBack(c);
    }
  }

  private GuestContext acquire(
      FunctionInfo f, long loadTimeoutMs, Consumer<CloudburstException> onCancel) {
    GuestContext c = borrow(f, loadTimeoutMs, onCancel);
    inUse.add(c);
    if (closed) { // closing raced with this borrow: the close may have missed it
      giveBack(c);
      throw CloudburstException.noResources("executor is stopping");
    }
    return c;
  }

  private GuestContext borrow(
      FunctionInfo f, long loadTimeoutMs, Consumer<CloudburstException> onCancel) {
    sweepStale();
    GuestContext c = pool.borrowWarm(f.contextKey());
    if (c != null) {
      return c;
    }
    // Not warm: the source is needed now (fetched once per version when it came without one).
    FunctionInfo full = sources.complete(f, loadTimeoutMs);
    c = pool.borrowSpare(f.language());
    if (c != null) {
      refill();
    } else {
      c = createBorrowed(f.language());
    }
    try {
      c.load(full, watchdog, loadTimeoutMs, onCancel);
    } catch (RuntimeException e) {
      release(c);
      throw e;
    }
    return c;
  }

  private GuestContext createBorrowed(String language) {
    List<GuestContext> evicted = new ArrayList<>(1);
    if (!pool.reserve(evicted)) {
      throw CloudburstException.noResources(
          "every one of the executor's " + options.maxContexts() + " contexts is busy");
    }
    evicted.forEach(GuestContext::close);
    try {
      GuestContext c = GuestContext.create(engines, language, options.maxLogBytes(), backend);
      pool.addedBorrowed(c);
      return c;
    } catch (RuntimeException e) {
      pool.unreserve();
      throw CloudburstException.internal(
          "cannot create a " + language + " context: " + e.getMessage());
    }
  }

  private void giveBack(GuestContext c) {
    inUse.remove(c);
    release(c);
  }

  private void release(GuestContext c) {
    if (!pool.release(c) || closed) {
      c.close();
    }
  }

  private int spareTarget(String language) {
    return Languages.PYTHON.equals(language) ? options.pythonSpares() : options.jsSpares();
  }

  /**
   * Tops the spares up in the background, one context at a time per language, on the warmer thread.
   */
  private void refill() {
    for (String language : List.of(Languages.PYTHON, Languages.JAVASCRIPT)) {
      AtomicInteger inFlight = sparesInFlight.get(language);
      if (pool.spareCount(language) + inFlight.get() < spareTarget(language)) {
        inFlight.incrementAndGet();
        try {
          warmer.execute(
              () -> {
                boolean added = false;
                try {
                  added = pool.spareCount(language) < spareTarget(language) && addSpare(language);
                } finally {
                  inFlight.decrementAndGet();
                }
                if (added) {
                  refill(); // more may be wanted
                }
              });
        } catch (RejectedExecutionException e) {
          inFlight.decrementAndGet();
          return;
        }
      }
    }
  }

  private boolean addSpare(String language) {
    if (!pool.reserveFree()) {
      return false; // spares never push out warm contexts
    }
    try {
      GuestContext c = GuestContext.create(engines, language, options.maxLogBytes(), backend);
      pool.addSpare(c);
      if (closed) { // made while closing, after the drain: the shared engines would keep it alive
        c.close();
        return false;
      }
      return true;
    } catch (RuntimeException e) {
      pool.unreserve();
      if (!closed) { // closing interrupts the warmer mid-creation: expected, not worth a warning
        log.log(System.Logger.Level.WARNING, "cannot create a spare " + language + " context", e);
      }
      return false;
    }
  }

  /**
   * Once an engine is retired, its idle and spare contexts are closed (a warm context in use is
   * closed when it comes back) so that the engine can close; the spares are built again on the
   * current engine.
   */
  private void sweepStale() {
    long r = engines.retirements();
    if (r == seenRetirements) {
      return;
    }
    seenRetirements = r;
    List<GuestContext> stale = pool.removeStale();
    if (!stale.isEmpty()) {
      try {
        warmer.execute(() -> stale.forEach(GuestContext::close));
      } catch (RejectedExecutionException e) {
        stale.forEach(GuestContext::close);
      }
      refill();
    }
  }

  /** Closes contexts idle longer than the retirement time. */
  public void retireIdle() {
    sweepStale();
    List<GuestContext> old =
        pool.retireIdle(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(options.idleRetireMs()));
    if (!old.isEmpty()) {
      warmer.execute(() -> old.forEach(GuestContext::close));
      refill();
    }
  }

  /**
   * Closes every context and gives the engines back, waiting at most {@link #CLOSE_WAIT_MS} for the
   * contexts: a guest that keeps its context from closing must not hang the node's shutdown.
   */
  @Override
  public void close() {
    closed = true;
    workers.close();
    warmer.shutdownNow();
    List<Runnable> closes = new ArrayList<>();
    pool.drain().forEach(c -> closes.add(c::close));
    inUse.forEach(c -> closes.add(c::close));
    watchdog.close();
    if (!Reaper.closeAll("cloudburst-closer", closes, CLOSE_WAIT_MS)) {
      log.log(
          System.Logger.Level.WARNING,
          "some contexts did not close within " + CLOSE_WAIT_MS + " ms; left behind");
      // Giving the engines back may close them, which waits for those contexts too: not here.
      Thread t = new Thread(engines::close, "cloudburst-closer");
      t.setDaemon(true);
      t.start();
      return;
    }
    engines.close();
  }
}
