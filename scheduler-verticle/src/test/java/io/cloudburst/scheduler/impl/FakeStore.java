package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The store and cache of atomic commits, in memory and answering at once. */
final class FakeStore implements CommitGateway {
  final Map<String, Lattice> records = new HashMap<>();
  final Map<String, Lattice> keys = new HashMap<>();
  final List<String> recordWrites = new ArrayList<>();
  final List<String> applies = new ArrayList<>();

  @Override
  public Future<Lattice> readRecord(String key) {
    return Future.succeededFuture(records.get(key));
  }

  @Override
  public Future<Void> writeRecord(String key, Lattice state) {
    recordWrites.add(key);
    records.merge(key, state, Lattice::merge);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> apply(String key, Lattice state) {
    applies.add(key);
    keys.merge(key, state, Lattice::merge);
    return Future.succeededFuture();
  }
}
