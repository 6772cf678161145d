package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sources of function versions this executor was sent without them: a schedule or call that
 * crosses nodes names each function version ({@link FunctionInfo} with a null source), and the
 * executor needs the source only to load a context that is not warm yet. It then takes it from
 * here, else fetches it once from the registry (its node's scheduler) and keeps it, bounded, by the
 * version's context key (name, version and creation time, so a function deleted and registered
 * again is a different entry). Thread-safe; {@link #complete} may block (worker threads only).
 */
public final class FunctionSources {
  /** Fetches one registered version, waiting at most {@code budgetMs} (a worker thread). */
  @FunctionalInterface
  public interface Registry {
    FunctionInfo fetch(String name, int version, long budgetMs);
  }

  /** Versions kept; a warm context needs none, so this only has to cover cold loads. */
  static final int MAX_KEPT = 512;

  private final Registry registry;
  private final Map<String, FunctionInfo> kept =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FunctionInfo> e) {
          return size() > MAX_KEPT;
        }
      };
  private long fetches;

  public FunctionSources(Registry registry) {
    this.registry = registry;
  }

  /** Sources that are never fetched: every request carries its source (a node of its own). */
  public static FunctionSources none() {
    return new FunctionSources(
        (name, version, budget) -> {
          throw CloudburstException.internal(
              "function " + name + "@" + version + " came without its source");
        });
  }

  /**
   * {@code f} with its source: itself when it has one (kept for later), else the kept one, else
   * fetched from the registry within {@code budgetMs}.
   *
   * @throws CloudburstException NOT_FOUND when the registry no longer has this exact version (e.g.
   *     deleted and registered again), or the fetch's failure (TIMEOUT, ...)
   */
  public FunctionInfo complete(FunctionInfo f, long budgetMs) {
    String key = f.contextKey();
    synchronized (kept) {
      if (f.source() != null) {
        kept.putIfAbsent(key, f);
        return f;
      }
      FunctionInfo known = kept.get(key);
      if (known != null) {
        return known;
      }
    }
    FunctionInfo fetched = registry.fetch(f.name(), f.version(), budgetMs);
    if (fetched == null
        || fetched.source() == null
        || fetched.createdAt() != f.createdAt()
        || fetched.version() != f.version()) {
      throw CloudburstException.notFound(
          ErrorCode.FUNC_NOT_FOUND,
          "function " + f.versionKey() + " is no longer registered as it was when called");
    }
    synchronized (kept) {
      fetches++;
      kept.put(key, fetched);
    }
    return fetched;
  }

  /** How many sources were fetched from the registry so far. */
  public long fetches() {
    synchronized (kept) {
      return fetches;
    }
  }
}
