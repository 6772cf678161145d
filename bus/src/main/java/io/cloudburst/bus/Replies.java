package io.cloudburst.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;

/**
 * How every verticle answers a bus request: a reply with the result, or {@code fail(code, text)}
 * with the code of the {@link CloudburstException} (INTERNAL, logged, for anything else).
 */
public final class Replies {
  private Replies() {}

  /** Fails the request with the error's code and message. */
  public static void fail(Message<?> m, CloudburstException e) {
    m.fail(e.code().failureCode(), e.getMessage());
  }

  /** Replies with the future's result once it completes, or fails with its error's code. */
  public static void answer(Message<?> m, Future<?> f) {
    f.onComplete(
        ar -> {
          if (ar.succeeded()) {
            m.reply(ar.result());
          } else {
            fail(m, CloudburstException.from(ar.cause()));
          }
        });
  }

  /**
   * Answers a request whose handling threw: its own code for a {@link CloudburstException},
   * otherwise INTERNAL, logged with the request's type under {@code what}.
   */
  public static void failed(Message<?> m, RuntimeException e, System.Logger log, String what) {
    if (e instanceof CloudburstException ce) {
      fail(m, ce);
      return;
    }
    log.log(
        System.Logger.Level.ERROR,
        what + " request " + m.body().getClass().getSimpleName() + " failed",
        e);
    fail(m, CloudburstException.internal(e.toString()));
  }
}
