package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.vertx.core.Future;

/** The store and cache operations an atomic call's commit needs, each with its timeout. */
public interface CommitGateway {
  /** The state of a system key in the store (null when absent). */
  Future<Lattice> readRecord(String key);

  /** Merges {@code state} into a system key of the store; completes once it is durable. */
  Future<Void> writeRecord(String key, Lattice state);

  /**
   * Joins {@code state} into user key {@code key} through this node's cache (the normal merge path:
   * the store makes it durable and pushes it to every cache holding the key).
   */
  Future<Void> apply(String key, Lattice state);

  /** A gateway for a scheduler without a store: every operation fails. */
  static CommitGateway none() {
    return new CommitGateway() {
      @Override
      public Future<Lattice> readRecord(String key) {
        return Future.failedFuture(
            io.cloudburst.bus.CloudburstException.noResources("atomic calls need the store"));
      }

      @Override
      public Future<Void> writeRecord(String key, Lattice state) {
        return readRecord(key).mapEmpty();
      }

      @Override
      public Future<Void> apply(String key, Lattice state) {
        return readRecord(key).mapEmpty();
      }
    };
  }
}
