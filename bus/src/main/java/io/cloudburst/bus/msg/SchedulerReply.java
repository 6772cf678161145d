package io.cloudburst.bus.msg;

import java.util.List;

/** Replies of the scheduler and executors. */
public sealed interface SchedulerReply extends BusMessage permits SchedulerReply.FunctionInfo, SchedulerReply.FunctionList, SchedulerReply.Ack, SchedulerReply.DagInfo,
        SchedulerReply.DagList, CallResult {

  /** A function version. */
  record FunctionInfo(String name, String language, int version, String source, String entrypoint, long createdAt)
      implements SchedulerReply {
    /** The key of this version, e.g. {@code sq@3}. */
    public String versionKey() {
      return name + "@" + version;
    }

    /**
     * What identifies this exact source for warm contexts: the version key plus its creation
     * time, since a function deleted and registered again starts its versions at 1 again.
     */
    public String contextKey() {
      return versionKey() + ":" + createdAt;
    }
  }

  record FunctionList(List<FunctionInfo> functions) implements SchedulerReply {
    public FunctionList {
      functions = List.copyOf(functions);
    }
  }

  /** A registered DAG. */
  record DagInfo(String name, List<String> functions, List<List<String>> connections, long createdAt) implements SchedulerReply {
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

  /** A plain acknowledgement. */
  record Ack() implements SchedulerReply {}
}
