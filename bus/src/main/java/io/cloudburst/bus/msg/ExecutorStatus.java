package io.cloudburst.bus.msg;

import java.util.List;

/**
 * What an executor verticle tells the scheduler, at start and periodically: where it listens, how
 * many calls it can run at once, how many it runs and queues, and which function versions it holds
 * warm contexts for ({@code name@version}). {@code leaving} is sent once on undeploy.
 */
public record ExecutorStatus(
    String nodeId,
    String address,
    int threads,
    int busy,
    int queued,
    List<String> warm,
    long sentAt,
    boolean leaving)
    implements BusMessage {
  public ExecutorStatus {
    warm = List.copyOf(warm);
  }

  public double utilization() {
    return threads == 0 ? 1.0 : (double) (busy + queued) / threads;
  }
}
