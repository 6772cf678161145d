package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one function on the current worker thread: resolves its {@code $ref} arguments, invokes it,
 * and makes a result of the outcome.
 */
public final class FunctionRunner {
  private final GuestContexts contexts;
  private final RefResolver refs;
  private final String address;

  public FunctionRunner(GuestContexts contexts, RefResolver refs, String address) {
    this.contexts = contexts;
    this.refs = refs;
    this.address = address;
  }

  /**
   * The call's result; failures (TIMEOUT, EXECUTION_ERROR, ...) are results too. A call the
   * watchdog cancels is also given to {@code cancelled} at once, from the watchdog's thread (which
   * must not block there): the worker may come back from the guest late, or never, so the caller
   * answers with whichever result comes first and drops the other.
   */
  public CallResult run(
      String resultId,
      FunctionInfo f,
      List<Object> args,
      Invocation inv,
      long awaitRefsMs,
      Consumer<CallResult> cancelled) {
    long t0 = System.nanoTime();
    try {
      List<Object> resolved = refs.resolve(args, inv, awaitRefsMs);
      var out =
          contexts.invoke(
              f,
              resolved,
              inv,
              e ->
                  cancelled.accept(
                      CallResult.failed(
                          resultId, f.name(), e, null, address, (System.nanoTime() - t0) / 1_000)));
      long micros = (System.nanoTime() - t0) / 1_000;
      return out.error() == null
          ? CallResult.done(resultId, f.name(), out.value(), out.logs(), address, micros)
          : CallResult.failed(resultId, f.name(), out.error(), out.logs(), address, micros);
    } catch (RuntimeException ex) {
      return CallResult.failed(
          resultId,
          f.name(),
          CloudburstException.from(ex),
          null,
          address,
          (System.nanoTime() - t0) / 1_000);
    }
  }
}
