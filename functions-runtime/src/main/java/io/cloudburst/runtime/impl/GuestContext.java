// Over 400 lines (as formatted): one sandboxed context's whole life (building it with every limit,
// loading, invoking, converting values at the edge, turning guest failures into errors) in one
// place.
package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Languages;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.value.Values;
import java.util.List;
import java.util.function.Consumer;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/**
 * One sandboxed polyglot context: blank (a spare, prelude loaded) or holding one function version.
 * Borrowed by one worker thread at a time, so a JavaScript context is never entered by two threads.
 * A call that overruns its deadline is cancelled by the {@link Watchdog} closing the context (on a
 * {@link Reaper} thread); such a context is dead and is never pooled again.
 *
 * <p>State: BLANK, then LOADED (after {@link #load}), then DEAD (cancelled, failed to load, or
 * retired). The watchdog and the worker agree on DEAD under this object's lock.
 */
public final class GuestContext implements ContextPool.Pooled {
  private final String language;
  private final Context context;

  /** Gives this context's place on its engine back; called once it is closed. */
  private final Runnable closed;

  private final EngineLine.Generation generation;

  private final BoundedOutput output;
  private final UserLibrary host;
  private final Value guestLib;
  private final Value run;
  private final Value decode;
  private final Value format;
  private final Value prelude;
  private volatile FunctionInfo function;
  private Value entry;
  private volatile long lastUsed;

  /** The sandbox CPU-time budget (0: none) and the wall time of calls since its last reset. */
  private final long cpuBudgetNanos;

  private long sinceReset;

  /** Set by the watchdog when it cancelled the running call. */
  private boolean timedOut;

  /** Set with {@link #timedOut} when the cancel was the heap guard's, not the deadline's. */
  private boolean outOfMemory;

  private boolean running;
  private boolean dead;

  private GuestContext(
      String language,
      Engines.Built built,
      BoundedOutput output,
      UserLibrary host,
      Value prelude,
      long cpuBudgetNanos) {
    this.language = language;
    this.cpuBudgetNanos = cpuBudgetNanos;
    this.context = built.context();
    this.closed = built.closed();
    this.generation = built.generation();
    this.output = output;
    this.host = host;
    this.prelude = prelude;
    if (Languages.PYTHON.equals(language)) {
      Value b = context.getBindings("python");
      this.run = b.getMember("_run");
      this.decode = b.getMember("_decode");
      this.format = b.getMember("_format");
      this.guestLib = b.getMember("Cloudburst").newInstance(host);
    } else {
      this.run = prelude.getMember("run");
      this.decode = prelude.getMember("decode");
      this.format = prelude.getMember("format");
      this.guestLib = prelude.getMember("makeLib").execute(host);
    }
    this.lastUsed = System.nanoTime();
  }

  /** Creates a blank context with the prelude loaded (seconds for the first Python context). */
  static GuestContext create(
      Engines engines, String language, int maxLogBytes, LibraryBackend backend) {
    BoundedOutput out = new BoundedOutput(maxLogBytes);
    Engines.Built built = engines.newContext(language, out);
    Context c = built.context();
    try {
      Value prelude = c.eval(engines.prelude(language));
      long budget =
          engines.cpuLimited()
              ? java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(engines.cpuLimitMs())
              : 0;
      GuestContext g =
          new GuestContext(language, built, out, new UserLibrary(backend), prelude, budget);
      out.reset();
      c.resetLimits();
      return g;
    } catch (RuntimeException e) {
      try {
        c.close(true);
      } finally {
        built.closed().run();
      }
      throw e;
    }
  }

  @Override
  public String language() {
    return language;
  }

  @Override
  public String versionKey() {
    FunctionInfo f = function;
    return f == null ? null : f.contextKey();
  }

  /** The loaded function version, or null while blank. */
  public FunctionInfo function() {
    return function;
  }

  @Override
  public long lastUsed() {
    return lastUsed;
  }

  @Override
  public void touch() {
    lastUsed = System.nanoTime();
  }

  @Override
  public boolean isStale() {
    return generation.retired;
  }

  @Override
  public synchronized boolean isDead() {
    return dead;
  }

  /**
   * Loads a function version into this blank context: evaluates its module and finds its
   * entrypoint. Fails BAD_REQUEST for a syntax error (with its line), a module that raises, or a
   * missing entrypoint; TIMEOUT when the module does not finish loading in time, which is also told
   * to {@code onCancel} at once, from the cancel (the worker may come back late or never).
   */
  void load(
      FunctionInfo f, Watchdog watchdog, long timeoutMs, Consumer<CloudburstException> onCancel) {
    String fileName = f.name() + (Languages.PYTHON.equals(language) ? ".py" : ".js");
    Source src =
        Source.newBuilder(Engines.languageId(language), f.source(), fileName).buildLiteral();
    Watchdog.Ticket t = watchdog.arm(this, timeoutMs, memory -> onCancel.accept(loadTimeout(f)));
    try {
      context.eval(src);
      Value candidate =
          Languages.PYTHON.equals(language)
              ? context.getBindings("python").getMember(f.entrypoint())
              : lookupJs(f.entrypoint());
      if (candidate == null || candidate.isNull() || !candidate.canExecute()) {
        throw CloudburstException.badRequest(
            "the source does not define a function named '"
                + f.entrypoint()
                + "' (its entrypoint)");
      }
      entry = candidate;
      function = f;
      output.reset();
      context.resetLimits();
    } catch (PolyglotException e) {
      throw loadFailure(f, e);
    } finally {
      if (finish(watchdog, t)) {
        markDead();
      }
    }
  }

  private Value lookupJs(String name) {
    Value v = context.getBindings("js").getMember(name);
    return v != null && !v.isNull() ? v : prelude.getMember("lookup").execute(name);
  }

  private CloudburstException loadFailure(FunctionInfo f, PolyglotException e) {
    markDead();
    if (wasTimedOut() || e.isCancelled() || e.isResourceExhausted()) {
      return loadTimeout(f);
    }
    if (e.isSyntaxError()) {
      SourceSection at = e.getSourceLocation();
      String line = at == null ? "" : " at line " + at.getStartLine();
      return CloudburstException.badRequest(
          "syntax error in function '" + f.name() + "'" + line + ": " + e.getMessage());
    }
    if (e.isGuestException()) {
      return CloudburstException.badRequest(
          "loading function '" + f.name() + "' raised an error:\n" + describe(e));
    }
    return CloudburstException.badRequest(
        "cannot load function '" + f.name() + "': " + e.getMessage());
  }

  private static CloudburstException loadTimeout(FunctionInfo f) {
    return CloudburstException.timeout(
        "loading function '" + f.name() + "' did not finish in time");
  }

  /** The outcome of one invocation. */
  public record Outcome(Object value, CloudburstException error, String logs) {}

  /**
   * Runs the loaded function with model-value arguments. Never throws for guest failures: a raise
   * becomes EXECUTION_ERROR with the traceback or stack, an overrun TIMEOUT (and the context dies).
   * A cancel is also told to {@code onCancel} at once, from the cancel: the worker may come back
   * late or never.
   */
  Outcome invoke(
      List<Object> args,
      Invocation inv,
      Watchdog watchdog,
      long timeoutMs,
      Consumer<CloudburstException> onCancel) {
    Object[] guestArgs = new Object[args.size() + 2];
    guestArgs[0] = entry;
    guestArgs[1] = guestLib;
    host.bind(inv);
    output.reset();
    long started = System.nanoTime();
    Watchdog.Ticket t =
        watchdog.arm(
            this,
            timeoutMs,
            memory -> onCancel.accept(memory ? memoryError() : timeoutError(timeoutMs)));
    Object value = null;
    CloudburstException error = null;
    try {
      for (int i = 0; i < args.size(); i++) {
        guestArgs[i + 2] = toGuest(args.get(i));
      }
      value = GuestResults.fromGuest(run.execute(guestArgs));
    } catch (PolyglotException e) {
      error = invokeFailure(e, timeoutMs);
    } catch (CloudburstException e) {
      error = e;
    } catch (IllegalStateException e) {
      // the context was closed under us (cancelled between statements)
      error =
          wasTimedOut()
              ? timeoutError(timeoutMs)
              : CloudburstException.internal("context failed: " + e.getMessage());
      markDead();
    } finally {
      host.bind(null);
      if (finish(watchdog, t)) {
        markDead();
        if (error == null || error.code() != io.cloudburst.bus.ErrorCode.TIMEOUT) {
          error = timeoutError(timeoutMs);
          value = null;
        }
      }
    }
    String logs = dead ? null : output.take();
    touch();
    if (!dead && cpuBudgetNanos > 0) {
      // The sandbox's CPU time accumulates over the context's life. A call uses at most its wall
      // time in CPU, so resetting once the calls since the last reset add up to half the budget
      // keeps the backstop from tripping on a long series of short calls, at no per-call cost.
      sinceReset += lastUsed - started;
      if (sinceReset > cpuBudgetNanos / 2) {
        sinceReset = 0;
        try {
          context.resetLimits();
        } catch (RuntimeException e) {
          markDead();
        }
      }
    }
    return new Outcome(value, error, logs);
  }

  private CloudburstException timeoutError(long timeoutMs) {
    synchronized (this) {
      if (outOfMemory) {
        return memoryError();
      }
    }
    return CloudburstException.timeout(
        "function '"
            + (function == null ? "?" : function.name())
            + "' did not finish within "
            + timeoutMs
            + " ms and was cancelled");
  }

  private CloudburstException memoryError() {
    return CloudburstException.executionError(
        "MemoryError: function '"
            + (function == null ? "?" : function.name())
            + "' was stopped because the node's heap was nearly full of live data while it ran");
  }

  private CloudburstException invokeFailure(PolyglotException e, long timeoutMs) {
    if (!wasTimedOut() && e.isResourceExhausted() && tooDeep(e)) {
      markDead();
      return CloudburstException.executionError(
          "RecursionError: maximum recursion depth exceeded ("
              + Engines.MAX_STACK_FRAMES
              + " frames); the function was stopped");
    }
    if (wasTimedOut() || e.isCancelled() || e.isResourceExhausted() || e.isInterrupted()) {
      markDead();
      return timeoutError(timeoutMs);
    }
    if (e.isHostException() && e.asHostException() instanceof CloudburstException ce) {
      return ce;
    }
    if (e.isGuestException()) {
      return CloudburstException.executionError(describe(e));
    }
    if (e.isInternalError() || e.isExit()) {
      markDead();
    }
    return CloudburstException.executionError(e.getMessage());
  }

  /**
   * Whether the sandbox stopped the call for its depth (its message is often empty: counted on its
   * stack).
   */
  private static boolean tooDeep(PolyglotException e) {
    String m = e.getMessage();
    if (m != null && m.contains("frame limit")) {
      return true;
    }
    int guestFrames = 0;
    for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
      if (f.isGuestFrame() && ++guestFrames >= Engines.MAX_STACK_FRAMES / 2) {
        return true;
      }
    }
    return false;
  }

  /** The guest's own rendering of an exception: Python traceback or JS stack. */
  private String describe(PolyglotException e) {
    Value g = e.getGuestObject();
    if (g != null && !g.isNull()) {
      try {
        return format.execute(g).asString();
      } catch (RuntimeException ignored) {
        // fall back to the polyglot message
      }
    }
    return e.getMessage();
  }

  private Object toGuest(Object v) {
    if (v == null
        || v instanceof String
        || v instanceof Boolean
        || v instanceof Long
        || v instanceof Double) {
      return v;
    }
    if (Languages.JAVASCRIPT.equals(language) && Values.containsPickle(v)) {
      throw CloudburstException.badRequest(
          "a Python-private (pickled) value cannot be passed to a JavaScript function");
    }
    return decode.execute(Values.encode(v));
  }

  /**
   * Called by the watchdog on the deadline, or by its heap guard ({@code memory}): marks a call
   * still running as cancelled and its context dead. Never blocks: the close that stops the guest
   * is handed to {@code reaper}. False when the call had already ended.
   */
  boolean cancel(Watchdog.Ticket t, boolean memory, Reaper reaper) {
    synchronized (this) {
      if (!running || t.done) {
        return false;
      }
      timedOut = true;
      outOfMemory = memory;
      dead = true;
    }
    reaper.close(
        () -> {
          context.close(true);
          closed.run();
        });
    return true;
  }

  synchronized void started() {
    running = true;
    timedOut = false;
    outOfMemory = false;
  }

  /** Disarms the ticket; true when the watchdog already cancelled this call. */
  private boolean finish(Watchdog watchdog, Watchdog.Ticket t) {
    watchdog.disarm(t);
    synchronized (this) {
      running = false;
      t.done = true;
      t.returned = true;
      return timedOut;
    }
  }

  private synchronized boolean wasTimedOut() {
    return timedOut;
  }

  private synchronized void markDead() {
    dead = true;
  }

  /** Closes the context (cancelling anything running in it). */
  void close() {
    markDead();
    try {
      context.close(true);
      closed.run();
    } catch (RuntimeException ignored) {
      // already closed or cancelled (by a reaper, which gives the place back)
    }
  }
}
