package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.NodeEvent;

/** What the scheduler publishes for others to hear; nobody answers. */
public interface Notices {
  /** A call finished (at {@link io.cloudburst.bus.Addresses#RESULTS}). */
  void result(CallResult r);

  /**
   * A call replicated a hot function onto a cold executor (at {@link
   * io.cloudburst.bus.Addresses#AUTOSCALE}).
   */
  void scaling(NodeEvent.ScalingDecision d);

  /**
   * A registry entry changed in the store (at {@link
   * io.cloudburst.bus.Addresses#REGISTRY_CHANGED}).
   */
  void registryChanged(NodeEvent.RegistryChanged n);
}
