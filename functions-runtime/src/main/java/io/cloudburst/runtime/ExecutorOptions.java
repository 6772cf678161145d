package io.cloudburst.runtime;

import io.vertx.core.json.JsonObject;

/**
 * Configuration of one executor verticle.
 *
 * @param nodeId the node this executor belongs to
 * @param index this executor's number on its node (part of its address)
 * @param threads worker threads that run guest code (calls run at once)
 * @param maxContexts bound on live polyglot contexts, idle, busy and spare (and so on memory)
 * @param pythonSpares blank Python contexts kept ready for newly registered functions
 * @param jsSpares blank JavaScript contexts kept ready for newly registered functions
 * @param defaultTimeoutMs time limit of a call that names none
 * @param loadTimeoutMs time limit for loading (compiling and running the module of) a function
 * @param maxLogBytes captured stdout/stderr kept per call; the rest is cut
 * @param statusIntervalMs how often the executor reports its load to the scheduler
 * @param idleRetireMs a context unused this long is closed
 * @param cpuLimitMs interpreted mode only: the sandbox CPU-time backstop behind the watchdog (0:
 *     none); a context is cancelled once it used this much CPU since its last reset, and is reset
 *     whenever its calls have taken half of it
 * @param spinMicros how long a worker thread that ran out of work keeps polling for more before it
 *     parks (one thread at a time; 0: never), which spares the next call a thread wake-up
 */
public record ExecutorOptions(
    String nodeId,
    int index,
    int threads,
    int maxContexts,
    int pythonSpares,
    int jsSpares,
    long defaultTimeoutMs,
    long loadTimeoutMs,
    int maxLogBytes,
    long statusIntervalMs,
    long idleRetireMs,
    long cpuLimitMs,
    long spinMicros) {

  public static final int DEFAULT_THREADS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  public static final int DEFAULT_MAX_CONTEXTS = 32;
  public static final int DEFAULT_PYTHON_SPARES = 1;
  public static final int DEFAULT_JS_SPARES = 1;
  public static final long DEFAULT_TIMEOUT_MS = io.cloudburst.bus.Deadlines.CALL_DEFAULT_MS;
  public static final long DEFAULT_LOAD_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_MAX_LOG_BYTES = 64 * 1024;
  public static final long DEFAULT_STATUS_INTERVAL_MS = 1_000;
  public static final long DEFAULT_IDLE_RETIRE_MS = 10 * 60_000;
  public static final long DEFAULT_CPU_LIMIT_MS = 600_000;

  /**
   * Default of {@code spinMicros}: the system property {@code cloudburst.spinMicros}, else this.
   */
  public static final long DEFAULT_SPIN_MICROS = Long.getLong("cloudburst.spinMicros", 200);

  public ExecutorOptions {
    require(nodeId != null && !nodeId.isBlank(), "nodeId");
    require(index >= 0, "index");
    require(threads >= 1, "threads");
    require(maxContexts > threads, "maxContexts (must exceed threads)");
    require(
        pythonSpares >= 0 && jsSpares >= 0 && pythonSpares + jsSpares < maxContexts - threads + 1,
        "pythonSpares/jsSpares");
    require(defaultTimeoutMs > 0, "defaultTimeoutMs");
    require(loadTimeoutMs > 0, "loadTimeoutMs");
    require(maxLogBytes >= 0, "maxLogBytes");
    require(statusIntervalMs > 0, "statusIntervalMs");
    require(idleRetireMs > 0, "idleRetireMs");
    require(cpuLimitMs >= 0, "cpuLimitMs");
    require(spinMicros >= 0 && spinMicros <= 1_000_000, "spinMicros (0 to 1000000)");
  }

  private static void require(boolean ok, String field) {
    if (!ok) {
      throw new IllegalArgumentException("invalid executor option: " + field);
    }
  }

  public static ExecutorOptions fromJson(JsonObject c) {
    return new ExecutorOptions(
        c.getString("nodeId", "local"),
        c.getInteger("index", 0),
        c.getInteger("threads", DEFAULT_THREADS),
        c.getInteger("maxContexts", DEFAULT_MAX_CONTEXTS),
        c.getInteger("pythonSpares", DEFAULT_PYTHON_SPARES),
        c.getInteger("jsSpares", DEFAULT_JS_SPARES),
        c.getLong("defaultTimeoutMs", DEFAULT_TIMEOUT_MS),
        c.getLong("loadTimeoutMs", DEFAULT_LOAD_TIMEOUT_MS),
        c.getInteger("maxLogBytes", DEFAULT_MAX_LOG_BYTES),
        c.getLong("statusIntervalMs", DEFAULT_STATUS_INTERVAL_MS),
        c.getLong("idleRetireMs", DEFAULT_IDLE_RETIRE_MS),
        c.getLong("cpuLimitMs", DEFAULT_CPU_LIMIT_MS),
        c.getLong("spinMicros", DEFAULT_SPIN_MICROS));
  }
}
