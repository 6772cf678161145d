package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import java.util.function.Consumer;

/**
 * How a call is reported, for single calls and DAG calls alike: started (its pending result held,
 * its idempotency key remembered), then finished (the result held, the waiting caller answered,
 * then the result published and repeats of the request answered).
 */
public final class CallOutcomes {
  private final ResultLookup results;
  private final IdempotencyKeys keys;
  private final Notices notices;

  public CallOutcomes(ResultLookup results, IdempotencyKeys keys, Notices notices) {
    this.results = results;
    this.keys = keys;
    this.notices = notices;
  }

  /**
   * A call started: its pending result is held, and its idempotency key ({@code requestId}, or
   * null) points at it.
   */
  public void started(CallResult pending, String requestId, String target) {
    results.hold(pending);
    keys.started(requestId, target, pending.id());
  }

  /**
   * A call finished. The answer to {@code waiting} (null when nobody waits) goes before the
   * publication: the publication's consumers (the web front's WebSocket futures, recent calls and
   * metrics) run on the same event loop, and ahead of the answer they lengthened every call. The
   * result is held before the answer leaves, so a read of it right after finds it.
   */
  public void finish(CallResult res, Consumer<CallResult> waiting) {
    results.hold(res);
    if (waiting != null) {
      waiting.accept(res);
    }
    notices.result(res);
    keys.finished(res);
  }
}
