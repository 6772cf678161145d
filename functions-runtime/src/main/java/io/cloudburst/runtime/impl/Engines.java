package io.cloudburst.runtime.impl;

import io.cloudburst.bus.Languages;
import io.cloudburst.runtime.RuntimeMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One shared {@link Engine} per guest language (shared code caches make every context after the
 * first cheap), and the one place where a sandboxed {@link Context} is configured: constrained
 * sandbox policy, no IO, no host class lookup, no threads, no processes, no native access, no
 * environment, output captured by the caller. Every context of an engine uses the same
 * {@link HostAccess} policy ({@code CONSTRAINED}: only {@code @HostAccess.Export} members of the
 * user library are reachable).
 */
public final class Engines implements AutoCloseable {
  private static final System.Logger log = System.getLogger(Engines.class.getName());
  private static final String PY = "python";
  private static final String JS = "js";

  private final Engine python;
  private final Engine js;
  private final RuntimeMode mode;
  private final long cpuLimitMs;
  private volatile boolean cpuLimitSupported;
  private final Source pyPrelude;
  private final Source jsPrelude;

  public Engines(RuntimeMode mode, long cpuLimitMs) {
    this.mode = mode;
    this.cpuLimitMs = cpuLimitMs;
    this.cpuLimitSupported = mode == RuntimeMode.INTERPRETED && cpuLimitMs > 0;
    OutputStream sink = OutputStream.nullOutputStream();
    this.python = Engine.newBuilder(PY).sandbox(SandboxPolicy.CONSTRAINED).out(sink).err(sink).build();
    this.js = Engine.newBuilder(JS).sandbox(SandboxPolicy.CONSTRAINED).out(sink).err(sink).build();
    this.pyPrelude = Source.newBuilder(PY, resource("prelude.py"), "<cloudburst>").buildLiteral();
    this.jsPrelude = Source.newBuilder(JS, resource("prelude.js"), "<cloudburst>.js").buildLiteral();
    log.log(System.Logger.Level.INFO, "polyglot engines ready: " + python.getImplementationName()
        + " (runtime mode " + mode.wire() + (compiled() ? ", compiled" : ", interpreter only") + ")");
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
    return mode;
  }

  /** True when guest code is compiled by the Graal compiler (JVMCI present and enabled). */
  public boolean compiled() {
    return !python.getImplementationName().toLowerCase(java.util.Locale.ROOT).contains("interpreted");
  }

  /** The polyglot language id of a project language name. */
  static String languageId(String language) {
    return Languages.PYTHON.equals(language) ? PY : JS;
  }

  /** The prelude source of a language. */
  Source prelude(String language) {
    return Languages.PYTHON.equals(language) ? pyPrelude : jsPrelude;
  }

  /** Builds a fresh sandboxed context; its guest output goes to {@code out}. */
  Context newContext(String language, OutputStream out) {
    String id = languageId(language);
    if (cpuLimitSupported) {
      try {
        return builder(id, out)
            .option("sandbox.MaxCPUTime", cpuLimitMs + "ms")
            .option("sandbox.MaxCPUTimeCheckInterval", "50ms")
            .build();
      } catch (IllegalArgumentException e) {
        cpuLimitSupported = false;
        log.log(System.Logger.Level.INFO, "sandbox CPU-time limit not available here (" + e.getMessage()
            + "); time limits rest on the watchdog");
      }
    }
    return builder(id, out).build();
  }

  /** The sandbox CPU-time budget of a context between resets. */
  public long cpuLimitMs() {
    return cpuLimitMs;
  }

  /** Whether contexts carry the sandbox CPU-time backstop. */
  public boolean cpuLimited() {
    return cpuLimitSupported;
  }

  private Context.Builder builder(String id, OutputStream out) {
    return Context.newBuilder(id)
        .engine(PY.equals(id) ? python : js)
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

  @Override
  public void close() {
    python.close(true);
    js.close(true);
  }
}
