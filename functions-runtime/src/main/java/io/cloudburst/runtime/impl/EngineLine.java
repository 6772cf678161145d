package io.cloudburst.runtime.impl;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;

/**
 * One language's engines: the current one takes new contexts; one that has built its share is
 * retired and closed once its last context is closed (a context that never closes keeps it).
 */
final class EngineLine {
  private static final System.Logger log = System.getLogger(EngineLine.class.getName());

  private final String language;
  private final int contextsPerEngine;
  private Generation current;
  private final Set<Generation> retired = new HashSet<>();
  private volatile long engines = 1;

  EngineLine(String language, int contextsPerEngine) {
    this.language = language;
    this.contextsPerEngine = contextsPerEngine;
    this.current = new Generation(newEngine(language));
  }

  private static Engine newEngine(String language) {
    OutputStream sink = OutputStream.nullOutputStream();
    return Engine.newBuilder(language)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(sink)
        .err(sink)
        .build();
  }

  /** The engine new contexts go to now, counted as one more open context. */
  synchronized Generation take() {
    if (contextsPerEngine > 0 && current.built >= contextsPerEngine) {
      Generation old = current;
      old.retired = true;
      current = new Generation(newEngine(language));
      engines++;
      log.log(
          System.Logger.Level.INFO,
          language
              + " engine "
              + engines
              + " takes new contexts: the previous one built "
              + old.built
              + " (it closes with its last context, "
              + old.open
              + " open)");
      retire(old);
    }
    current.built++;
    current.open++;
    return current;
  }

  private void retire(Generation g) {
    if (g.open == 0) {
      g.engine.close(true);
    } else {
      retired.add(g);
    }
  }

  /** A context of {@code g} was closed (or never built). */
  void closed(Generation g) {
    boolean closeEngine;
    synchronized (this) {
      closeEngine = --g.open == 0 && retired.remove(g);
    }
    if (closeEngine) {
      g.engine.close(true);
    }
  }

  synchronized Engine engine() {
    return current.engine;
  }

  /** Engines built so far on this line (1 until the first is retired). */
  long engines() {
    return engines;
  }

  /** Engines still open: the current one and retired ones with contexts left. */
  synchronized int open() {
    return 1 + retired.size();
  }

  void close() {
    List<Generation> all;
    synchronized (this) {
      all = new ArrayList<>(retired);
      all.add(current);
      retired.clear();
    }
    all.forEach(g -> g.engine.close(true));
  }

  /** One engine and its context counts (guarded by its {@link EngineLine}). */
  static final class Generation {
    final Engine engine;
    int built;
    int open;

    /** Set once new contexts go to a newer engine. */
    volatile boolean retired;

    Generation(Engine engine) {
      this.engine = engine;
    }
  }
}
