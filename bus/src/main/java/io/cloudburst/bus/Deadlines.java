package io.cloudburst.bus;

/**
 * The one deadline policy of the project. A call has a deadline (its {@code timeout_ms}, or the
 * node's default, capped by the node's maximum); each layer that waits for the layer below waits a
 * little longer than that layer's own deadline, so the lower layer's TIMEOUT (with its message)
 * arrives before the upper layer gives up on its own:
 *
 * <pre>
 *   guest call deadline  &lt;  executor reply (+{@link #EXECUTOR_MARGIN_MS})
 *                        &lt;  Java client (+{@link #CLIENT_MARGIN_MS})  &lt;  HTTP / bridges (+{@link #FRONT_MARGIN_MS})
 * </pre>
 *
 * Requests that run no guest code (registry, results, status) use {@link #REQUEST_MS}; a
 * registration waits for the executor's validation of the source ({@link #VALIDATE_MS}).
 */
public final class Deadlines {
  private Deadlines() {}

  /** A call that names no timeout: the node's default deadline. */
  public static final long CALL_DEFAULT_MS = 30_000;

  /**
   * The longest deadline a call may ask for (a front door that does not know the node's own cap
   * waits this long).
   */
  public static final long CALL_MAX_MS = 300_000;

  /**
   * How much longer than a call's deadline the scheduler waits for the executor's answer, and an
   * executor for a nested call's answer or for the last trigger of a DAG run it holds.
   */
  public static final long EXECUTOR_MARGIN_MS = 1_000;

  /** How much longer than a call's deadline the Java event-bus client waits for the scheduler. */
  public static final long CLIENT_MARGIN_MS = 2_000;

  /** How much longer than a call's deadline HTTP and the bridges wait for the scheduler. */
  public static final long FRONT_MARGIN_MS = 3_000;

  /**
   * Validating a new function's source in an executor (the first Python context of a node takes
   * seconds).
   */
  public static final long VALIDATE_MS = 60_000;

  /**
   * Any request that runs no guest code; above {@link #VALIDATE_MS} because a registration includes
   * one.
   */
  public static final long REQUEST_MS = VALIDATE_MS + 10_000;

  /** A cross-node request between schedulers for a result one of them holds. */
  public static final long FORWARD_MS = 2_000;

  /**
   * The longest a function waits on one state request (its node's cache, another node's cache, or
   * the store), within the call's own deadline; above a cache's own wait for the store (10 s by
   * default), so the cache's TIMEOUT, with its message, arrives first.
   */
  public static final long STATE_MS = 15_000;

  /**
   * The longest an atomic call's commit takes on a live node, from its commit record's time to its
   * applied mark: three store requests one after the other (the record, the applies through the
   * cache, the mark), each bounded by the scheduler's store timeout (10 s by default, below {@link
   * #STATE_MS}). A record still not marked applied after this long was cut off (its node died or
   * its applies failed), so the store rolls it forward itself.
   */
  public static final long COMMIT_MS = 3 * STATE_MS;

  /**
   * How long a {@code send} between the invocations of a DAG call waits for the destination's
   * executor to take the message before it leaves it in the destination's store mailbox.
   */
  public static final long DIRECT_MS = 2_000;

  /**
   * The deadline a call asked for, with 0 (or less) meaning the default; never above {@code maxMs}.
   */
  public static long callTimeout(long requestedMs, long defaultMs, long maxMs) {
    if (requestedMs <= 0) {
      return defaultMs;
    }
    return Math.min(requestedMs, maxMs);
  }

  /**
   * How long a front door (HTTP, bridges) waits for the scheduler's answer to an invocation: the
   * call's deadline plus {@link #FRONT_MARGIN_MS} when it waits for the result, else {@link
   * #REQUEST_MS} (the scheduler answers a pending id at once).
   */
  public static long frontWait(long requestedMs, boolean awaitResult) {
    if (!awaitResult) {
      return REQUEST_MS;
    }
    return (requestedMs > 0 ? requestedMs : CALL_MAX_MS) + FRONT_MARGIN_MS;
  }
}
