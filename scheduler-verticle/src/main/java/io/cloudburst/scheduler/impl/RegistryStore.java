package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where the scheduler keeps its registry of functions and DAGs so that it survives a restart. A
 * change is applied to the in-memory registries only once its future succeeded; a failed future
 * means the change did not happen (and carries the error for the caller). Used from the scheduler's
 * event loop only.
 */
public interface RegistryStore {

  /** What {@link #load} found: each function's versions (oldest first) and the DAGs. */
  record Loaded(List<List<FunctionInfo>> functions, List<DagInfo> dags) {
    public Loaded {
      functions = List.copyOf(functions);
      dags = List.copyOf(dags);
    }
  }

  /** Reads every registered function and DAG. */
  Future<Loaded> load();

  /**
   * Reads one function's versions, oldest first, as the store holds them now (another node's
   * scheduler may have changed them); an empty list when it is not registered.
   */
  Future<List<FunctionInfo>> loadFunction(String name);

  /** Reads one DAG as the store holds it now; null when it is not registered. */
  Future<DagInfo> loadDag(String name);

  /** Stores the whole history of a function (a new version was added). */
  Future<Void> putFunction(String name, List<FunctionInfo> history);

  /** Removes a function and all its versions. */
  Future<Void> deleteFunction(String name);

  Future<Void> putDag(DagInfo dag);

  Future<Void> deleteDag(String name);

  /** A store that keeps nothing: the registry lives and dies with the verticle. */
  static RegistryStore none() {
    return new RegistryStore() {
      @Override
      public Future<Loaded> load() {
        return Future.succeededFuture(new Loaded(List.of(), List.of()));
      }

      @Override
      public Future<List<FunctionInfo>> loadFunction(String name) {
        return Future.succeededFuture(List.of());
      }

      @Override
      public Future<DagInfo> loadDag(String name) {
        return Future.succeededFuture(null);
      }

      @Override
      public Future<Void> putFunction(String name, List<FunctionInfo> history) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> deleteFunction(String name) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> putDag(DagInfo dag) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> deleteDag(String name) {
        return Future.succeededFuture();
      }
    };
  }
}
