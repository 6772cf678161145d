package io.cloudburst.bus.msg;

import java.util.List;

/** Replies of the scheduler and executors. */
public sealed interface SchedulerReply extends BusMessage
    permits SchedulerReply.FunctionInfo,
        SchedulerReply.FunctionList,
        SchedulerReply.Ack,
        SchedulerReply.DagInfo,
        SchedulerReply.DagList,
        SchedulerReply.Status,
        CallResult {

  /** A function version. */
  record FunctionInfo(
      String name, String language, int version, String source, String entrypoint, long createdAt)
      implements SchedulerReply {
    /** The key of this version, e.g. {@code sq@3}. */
    public String versionKey() {
      return name + "@" + version;
    }

    /**
     * What identifies this exact source for warm contexts: the version key plus its creation time,
     * since a function deleted and registered again starts its versions at 1 again.
     */
    public String contextKey() {
      return versionKey() + ":" + createdAt;
    }

    /**
     * This version without its source, as sent to an executor on another node (which fetches the
     * source only when no context of the version is warm there): a null source means "look it up".
     */
    public FunctionInfo thin() {
      return source == null
          ? this
          : new FunctionInfo(name, language, version, null, entrypoint, createdAt);
    }
  }

  record FunctionList(List<FunctionInfo> functions) implements SchedulerReply {
    public FunctionList {
      functions = List.copyOf(functions);
    }
  }

  /** A registered DAG. */
  record DagInfo(
      String name, List<String> functions, List<List<String>> connections, long createdAt)
      implements SchedulerReply {
    public DagInfo {
      functions = List.copyOf(functions);
      connections = List.copyOf(connections);
    }
  }

  record DagList(List<DagInfo> dags) implements SchedulerReply {
    public DagList {
      dags = List.copyOf(dags);
    }
  }

  /**
   * What the scheduler knows of the nodes: their executors (last status, with the calls this
   * scheduler has in flight there) and their caches (last key report). {@code replications} counts
   * the calls this scheduler placed on an executor without a warm context for the function because
   * every warm one was saturated (hot-function replication).
   */
  record Status(List<NodeInfo> nodes, long at, long replications) implements SchedulerReply {
    public Status {
      nodes = List.copyOf(nodes);
    }

    public Status(List<NodeInfo> nodes, long at) {
      this(nodes, at, 0);
    }
  }

  /**
   * One node as the scheduler sees it. {@code cachedKeys} holds at most {@link #MAX_KEYS_SHOWN} of
   * the {@code cachedKeyCount} keys its cache reported, sorted.
   */
  record NodeInfo(
      String nodeId,
      List<ExecutorInfo> executors,
      long cachedKeyCount,
      List<String> cachedKeys,
      long cacheBytes,
      long cacheHits,
      long cacheMisses,
      long cacheEvictions,
      long cacheReportedAt) {
    public static final int MAX_KEYS_SHOWN = 100;

    public NodeInfo {
      executors = List.copyOf(executors);
      cachedKeys = List.copyOf(cachedKeys);
    }
  }

  /** One executor: its last status report and the calls this scheduler has in flight on it. */
  record ExecutorInfo(
      String address,
      int threads,
      int busy,
      int queued,
      int inFlight,
      List<String> warm,
      long lastSeen) {
    public ExecutorInfo {
      warm = List.copyOf(warm);
    }
  }

  /** A plain acknowledgement. */
  record Ack() implements SchedulerReply {}
}
