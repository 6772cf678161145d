package io.cloudburst.runtime.impl;

import io.cloudburst.bus.Languages;
import io.cloudburst.runtime.RuntimeMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The polyglot {@link Engine}s of guest code (one per language; shared code caches make every
 * context after the first cheap), and the one place where a sandboxed {@link Context} is
 * configured: constrained sandbox policy, no IO, no host class lookup, no threads, no processes, no
 * native access, no environment, output captured by the caller. Every context of an engine uses the
 * same {@link HostAccess} policy ({@code CONSTRAINED}: only {@code @HostAccess.Export} members of
 * the user library are reachable), which is what lets executors share an engine.
 *
 * <p>{@link #shared} hands out leases on one pair of engines per JVM and (runtime mode, CPU limit):
 * building the engines and their first contexts takes seconds, so an executor the autoscaler adds
 * under load must not pay that again while another executor of the node keeps them alive. Contexts
 * stay per executor. The engines are closed when the last lease is closed. The public constructor
 * makes a private pair, closed with it.
 */
public final class Engines implements AutoCloseable {
  private static final System.Logger log = System.getLogger(Engines.class.getName());

  /**
   * Guest frames a call may have on its stack (CPython's default recursion limit). Deeper, the
   * sandbox cancels the context. Why a sandbox limit and not GraalPy's own RecursionError: that one
   * comes from a host StackOverflowError, and a guest that catches it and recurses again (a
   * "recursion bomb") keeps the host stack so full that the watchdog's cancel is lost in a second
   * overflow: the call could never be stopped. Workers get stacks deep enough ({@link
   * GuestContexts#WORKER_STACK_BYTES}) for this limit to come first.
   */
  static final int MAX_STACK_FRAMES = 1000;

  private static final String FRAMES_OPTION = "sandbox.MaxStackFrames";
  private static final String CPU_OPTION = "sandbox.MaxCPUTime";
  private static final String PY = "python";
  private static final String JS = "js";

  /**
   * Leased engine pairs by (mode, CPU limit); guarded by its own lock, held while a pair is built.
   */
  private static final Map<Key, Shared> SHARED = new HashMap<>();

  private record Key(RuntimeMode mode, long cpuLimitMs) {}

  /** A leased pair and the number of open leases on it. */
  private static final class Shared {
    final Core core;
    int leases;

    Shared(Core core) {
      this.core = core;
    }
  }

  /**
   * Python contexts one engine builds before new contexts go to a fresh engine. GraalPy keeps, for
   * the engine's whole life, some code of every context it ever ran (part of each module a context
   * imports is parsed again and cached in the language for good: about 2.7 MB per context that
   * loads the prelude, measured on GraalPy 25.2). Pooled contexts are reused, so this only matters
   * when contexts are made again and again, as when each runaway call's context is cancelled. A
   * fresh engine's first context costs about 1 s of CPU more than a later one. Override with the
   * system property {@code cloudburst.pythonEngineContexts}.
   */
  static final int PYTHON_CONTEXTS_PER_ENGINE =
      Integer.getInteger("cloudburst.pythonEngineContexts", 64);

  /** A context and what to call once it is closed (gives its place on the engine back). */
  record Built(Context context, EngineLine.Generation generation, Runnable closed) {}

  /** The engines themselves and what every context built on them shares. */
  private static final class Core {
    final EngineLine python;
    final EngineLine js;
    final RuntimeMode mode;
    final long cpuLimitMs;
    volatile boolean cpuLimitSupported;
    volatile boolean frameLimitSupported = true;
    final Source pyPrelude;
    final Source jsPrelude;

    Core(RuntimeMode mode, long cpuLimitMs) {
      this.mode = mode;
      this.cpuLimitMs = cpuLimitMs;
      this.cpuLimitSupported = mode == RuntimeMode.INTERPRETED && cpuLimitMs > 0;
      this.python = new EngineLine(PY, PYTHON_CONTEXTS_PER_ENGINE);
      // GraalJS keeps nothing per context (measured flat): one engine for good.
      this.js = new EngineLine(JS, 0);
      this.pyPrelude = Source.newBuilder(PY, resource("prelude.py"), "<cloudburst>").buildLiteral();
      this.jsPrelude =
          Source.newBuilder(JS, resource("prelude.js"), "<cloudburst>.js").buildLiteral();
    }

    void close() {
      python.close();
      js.close();
    }
  }

  private final Core core;

  /** Runs once, on the first {@link #close()}. */
  private final Runnable release;

  private final AtomicBoolean closed = new AtomicBoolean();

  /** A private pair of engines, closed with this object (not shared with any executor). */
  public Engines(RuntimeMode mode, long cpuLimitMs) {
    this(new Core(mode, cpuLimitMs), null);
    logReady("private");
  }

  private Engines(Core core, Runnable release) {
    this.core = core;
    this.release = release != null ? release : core::close;
  }

  /**
   * A lease on this JVM's engines for {@code mode} and {@code cpuLimitMs}, built on the first lease
   * (seconds; call it off the event loop). Closing the lease gives it back; the last one closes the
   * engines.
   */
  public static Engines shared(RuntimeMode mode, long cpuLimitMs) {
    Key key = new Key(mode, cpuLimitMs);
    Shared s;
    boolean built = false;
    synchronized (SHARED) {
      s = SHARED.get(key);
      if (s == null) {
        // Built under the lock: a second executor starting meanwhile waits for these engines
        // instead of building its own pair.
        s = new Shared(new Core(mode, cpuLimitMs));
        SHARED.put(key, s);
        built = true;
      }
      s.leases++;
    }
    Shared leased = s;
    Engines e =
        new Engines(
            leased.core,
            () -> {
              boolean last;
              synchronized (SHARED) {
                last = --leased.leases == 0;
                if (last) {
                  SHARED.remove(key);
                }
              }
              if (last) {
                leased.core.close();
              }
            });
    if (built) {
      e.logReady("shared");
    }
    return e;
  }

  /** Open leases on the shared engines for {@code mode} and {@code cpuLimitMs} (0 when none). */
  public static int leases(RuntimeMode mode, long cpuLimitMs) {
    synchronized (SHARED) {
      Shared s = SHARED.get(new Key(mode, cpuLimitMs));
      return s == null ? 0 : s.leases;
    }
  }

  private void logReady(String how) {
    log.log(
        System.Logger.Level.INFO,
        "polyglot engines ready ("
            + how
            + "): "
            + core.python.engine().getImplementationName()
            + " (runtime mode "
            + core.mode.wire()
            + (compiled() ? ", compiled" : ", interpreter only")
            + ")");
  }

  private static String resource(String name) {
    try (InputStream in = Engines.class.getResourceAsStream("/io/cloudburst/runtime/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read resource " + name, e);
    }
  }

  public RuntimeMode mode() {
    return core.mode;
  }

  /** True when guest code is compiled by the Graal compiler (JVMCI present and enabled). */
  public boolean compiled() {
    return !core.python
        .engine()
        .getImplementationName()
        .toLowerCase(java.util.Locale.ROOT)
        .contains("interpreted");
  }

  /** The polyglot language id of a project language name. */
  static String languageId(String language) {
    return Languages.PYTHON.equals(language) ? PY : JS;
  }

  /** The prelude source of a language. */
  Source prelude(String language) {
    return Languages.PYTHON.equals(language) ? core.pyPrelude : core.jsPrelude;
  }

  /**
   * Builds a fresh sandboxed context; its guest output goes to {@code out}. Where the sandbox
   * offers them, it carries the CPU-time backstop and the {@link #MAX_STACK_FRAMES} call-depth
   * limit; a sandbox limit this runtime refuses is dropped (logged once) and the watchdog remains.
   */
  Built newContext(String language, OutputStream out) {
    String id = languageId(language);
    EngineLine line = PY.equals(id) ? core.python : core.js;
    EngineLine.Generation g = line.take();
    java.util.concurrent.atomic.AtomicBoolean given =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable closed =
        () -> {
          if (given.compareAndSet(false, true)) {
            line.closed(g);
          }
        };
    try {
      return new Built(build(id, g.engine, out), g, closed);
    } catch (RuntimeException e) {
      closed.run();
      throw e;
    }
  }

  private Context build(String id, Engine engine, OutputStream out) {
    while (true) {
      Context.Builder b = builder(id, engine, out);
      if (core.frameLimitSupported) {
        b.option(FRAMES_OPTION, String.valueOf(MAX_STACK_FRAMES));
      }
      if (core.cpuLimitSupported) {
        b.option(CPU_OPTION, core.cpuLimitMs + "ms")
            .option("sandbox.MaxCPUTimeCheckInterval", "50ms");
      }
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        if (core.frameLimitSupported && (m.contains(FRAMES_OPTION) || !core.cpuLimitSupported)) {
          core.frameLimitSupported = false;
          log.log(
              System.Logger.Level.INFO,
              "sandbox call-depth limit not available here ("
                  + m
                  + "); a recursion bomb is stopped only by"
                  + " the watchdog, which it may defeat");
        } else if (core.cpuLimitSupported) {
          core.cpuLimitSupported = false;
          log.log(
              System.Logger.Level.INFO,
              "sandbox CPU-time limit not available here ("
                  + m
                  + "); time limits rest on the watchdog");
        } else {
          throw e;
        }
      }
    }
  }

  /** The sandbox CPU-time budget of a context between resets. */
  public long cpuLimitMs() {
    return core.cpuLimitMs;
  }

  /** Whether contexts carry the sandbox CPU-time backstop. */
  public boolean cpuLimited() {
    return core.cpuLimitSupported;
  }

  /** Python engines built so far by these engines' line (grows as old ones are retired). */
  public long pythonEnginesBuilt() {
    return core.python.engines();
  }

  /**
   * Engines retired so far, all languages (a change means pooled contexts may have become stale).
   */
  public long retirements() {
    return core.python.engines() - 1 + core.js.engines() - 1;
  }

  /** Python engines still open (the current one and retired ones with contexts left). */
  public int pythonEnginesOpen() {
    return core.python.open();
  }

  private Context.Builder builder(String id, Engine engine, OutputStream out) {
    return Context.newBuilder(id)
        .engine(engine)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(out)
        .err(out)
        .in(InputStream.nullInputStream())
        .allowHostAccess(HostAccess.CONSTRAINED)
        .allowHostClassLookup(name -> false)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE);
  }

  /** Gives the lease back (closes a private pair); only the first call counts. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
