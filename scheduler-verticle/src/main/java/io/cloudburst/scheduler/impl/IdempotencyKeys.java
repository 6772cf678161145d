package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Idempotency keys ({@code request_id}): which call each key started, so a repeat of the request is
 * answered the first call's outcome instead of running again. A key lives as long as its call's
 * result is kept: once the result is gone (expired or dropped), the key starts a new call. At most
 * {@code maxKeys} are kept, the oldest forgotten first. Not thread-safe: the scheduler's event loop
 * owns it.
 */
public final class IdempotencyKeys {
  /** Longest accepted key. */
  public static final int MAX_REQUEST_ID = 256;

  /** What a key stands for: the call it started and what that call was of. */
  private record Requested(String callId, String target) {}

  private final Map<String, Requested> requests;

  /** Repeats of a running call that wait for its outcome, by call id. */
  private final Map<String, List<Promise<CallResult>>> waiting = new HashMap<>();

  private final Function<String, CallResult> results;

  /**
   * @param maxKeys how many keys are kept at most
   * @param results the result kept for a call id (pending or finished), or null when none is
   */
  public IdempotencyKeys(int maxKeys, Function<String, CallResult> results) {
    this.requests =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Requested> eldest) {
            return size() > maxKeys;
          }
        };
    this.results = results;
  }

  /**
   * The outcome to answer a call made with {@code requestId} of {@code target} ("function f", "DAG
   * d"), or null when it is not a repeat (no key, a key never seen, or one whose result is gone): a
   * finished first call's result, the pending one when the caller does not wait, else the first
   * call's outcome once it finishes.
   *
   * @throws CloudburstException BAD_REQUEST for a malformed key, CONFLICT for a key used for a call
   *     of something else
   */
  public Future<CallResult> repeatOf(String requestId, String target, boolean awaitResult) {
    if (requestId == null) {
      return null;
    }
    if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID) {
      throw CloudburstException.badRequest(
          "request_id must be 1 to " + MAX_REQUEST_ID + " characters");
    }
    Requested first = requests.get(requestId);
    CallResult res = first == null ? null : results.apply(first.callId());
    if (res == null) {
      requests.remove(requestId); // never seen, or its result has expired: a new call
      return null;
    }
    if (!first.target().equals(target)) {
      throw CloudburstException.of(
          ErrorCode.CONFLICT,
          "request_id '" + requestId + "' was used for a call of " + first.target());
    }
    if (res.isFinished() || !awaitResult) {
      return Future.succeededFuture(res);
    }
    Promise<CallResult> p = Promise.promise();
    waiting.computeIfAbsent(res.id(), k -> new ArrayList<>()).add(p);
    return p.future();
  }

  /** Records that {@code requestId} (null: none) started call {@code callId} of {@code target}. */
  public void started(String requestId, String target, String callId) {
    if (requestId != null) {
      requests.put(requestId, new Requested(callId, target));
    }
  }

  /** A call finished: the repeats waiting for it get its result. */
  public void finished(CallResult res) {
    List<Promise<CallResult>> repeats = waiting.remove(res.id());
    if (repeats != null) {
      repeats.forEach(p -> p.tryComplete(res));
    }
  }

  /** Keys kept. */
  public int size() {
    return requests.size();
  }
}
