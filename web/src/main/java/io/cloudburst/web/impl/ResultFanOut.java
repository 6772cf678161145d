package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.function.Consumer;

/**
 * The web front's one consumer of {@link Addresses#RESULTS} (local: each node's front shows the
 * calls its own scheduler finished): hands each result, in order, to the WebSocket futures, the
 * recent calls, the bridges and the metrics. A sink that throws is logged and does not keep the
 * result from the others.
 */
public final class ResultFanOut {
  private static final System.Logger log = System.getLogger(ResultFanOut.class.getName());

  private final List<Consumer<CallResult>> sinks;
  private MessageConsumer<CallResult> consumer;

  public ResultFanOut(List<Consumer<CallResult>> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  /** Starts consuming; completes once the consumer is registered. */
  public Future<Void> start(Vertx vertx) {
    consumer = vertx.eventBus().localConsumer(Addresses.RESULTS, m -> deliver(m.body()));
    return consumer.completion();
  }

  void deliver(CallResult r) {
    for (Consumer<CallResult> sink : sinks) {
      try {
        sink.accept(r);
      } catch (RuntimeException e) {
        log.log(System.Logger.Level.ERROR, "a consumer of call " + r.id() + "'s result failed", e);
      }
    }
  }
}
