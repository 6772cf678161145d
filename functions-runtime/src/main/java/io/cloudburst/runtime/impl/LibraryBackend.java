package io.cloudburst.runtime.impl;

import java.util.List;
import java.util.Map;

/**
 * What the user library needs from the node, called on the worker thread that runs the guest (so
 * these may block, bounded by the invocation's deadline). Values are model values ({@link
 * io.cloudburst.bus.value.Values}); failures are {@link io.cloudburst.bus.CloudburstException}s.
 */
public interface LibraryBackend {
  Object get(Invocation inv, String key);

  Map<String, Object> getMany(Invocation inv, List<String> keys);

  void put(Invocation inv, String key, Object value);

  /** Calls a function (or, when no function has the name, a DAG) and returns its result. */
  Object call(Invocation inv, String name, List<Object> args);

  void send(Invocation inv, String dest, byte[] data);

  /** The messages received so far, drained: {@code [[from, bytes], ...]}. */
  List<Object> recv(Invocation inv);
}
