package io.cloudburst.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs asynchronous work one piece at a time per key: a piece for a key starts when the previous
 * piece for that key has completed (succeeded or failed); pieces for different keys run freely.
 * Used where the order of writes of one key matters (registrations of one function name, writes of
 * one cache key). Not thread-safe: confine it to one verticle's event loop.
 */
public final class KeyedSequencer {
  private final Map<String, Future<?>> tails = new HashMap<>();

  /**
   * Runs {@code work} after every earlier piece for {@code key}; its outcome is the returned
   * future's.
   */
  public <T> Future<T> run(String key, Supplier<Future<T>> work) {
    Future<?> previous = tails.getOrDefault(key, Future.succeededFuture());
    Promise<T> done = Promise.promise();
    Future<T> mine = done.future();
    tails.put(key, mine);
    previous.onComplete(
        ignored -> {
          Future<T> f;
          try {
            f = work.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(done);
        });
    mine.onComplete(ignored -> tails.remove(key, mine));
    return mine;
  }

  /** Keys with work queued or running. */
  public int size() {
    return tails.size();
  }
}
