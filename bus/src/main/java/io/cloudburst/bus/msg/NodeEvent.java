package io.cloudburst.bus.msg;

/**
 * Notices about the node and the cluster that verticles publish to each other (no replies). Each
 * record names the address it is published on.
 */
public sealed interface NodeEvent extends BusMessage {

  /** What kind of registry entry changed. */
  enum EntryKind {
    FUNCTION,
    DAG
  }

  /**
   * Cluster-wide, at {@link io.cloudburst.bus.Addresses#REGISTRY_CHANGED}: scheduler {@code nodeId}
   * changed a registry entry in the store, so every other scheduler reloads it.
   */
  record RegistryChanged(String nodeId, EntryKind kind, String name) implements NodeEvent {}

  /**
   * Node-local, at {@link io.cloudburst.bus.Addresses#NODE_LEFT}: node {@code nodeId} left the
   * cluster. Its executors and cached keys are gone; its calls run again elsewhere.
   */
  record NodeLeft(String nodeId) implements NodeEvent {}

  /** What a scaling decision did. */
  enum ScalingAction {
    /** An executor was added. */
    UP,
    /** An executor was removed. */
    DOWN,
    /**
     * A function was placed onto an executor without a warm context because the warm ones were
     * saturated.
     */
    REPLICATE;

    /** The action's label at /metrics ({@code up}, {@code down}, {@code replicate}). */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Node-local, at {@link io.cloudburst.bus.Addresses#AUTOSCALE}: a scaling decision (logged, and
   * counted by /metrics). {@code executors} and {@code utilization} describe the node after an
   * up/down decision (-1 for a replication); {@code function} and {@code executor} name a
   * replication's function version and target (null otherwise).
   */
  record ScalingDecision(
      String nodeId,
      ScalingAction action,
      int executors,
      double utilization,
      String function,
      String executor,
      String reason)
      implements NodeEvent {
    /** An executor added or removed. */
    public static ScalingDecision resize(
        String nodeId, ScalingAction action, int executors, double utilization, String reason) {
      return new ScalingDecision(nodeId, action, executors, utilization, null, null, reason);
    }

    /** A function replicated onto a cold executor. */
    public static ScalingDecision replicate(
        String nodeId, String function, String executor, String reason) {
      return new ScalingDecision(
          nodeId, ScalingAction.REPLICATE, -1, -1, function, executor, reason);
    }
  }
}
