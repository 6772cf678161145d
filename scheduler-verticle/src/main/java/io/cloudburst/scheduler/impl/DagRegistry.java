package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registered DAGs by name, with their plans, and which DAGs use a function. Pure. */
public final class DagRegistry {
  /** A registered DAG. */
  public record Entry(DagInfo info, DagPlan plan) {}

  private final Map<String, Entry> dags = new LinkedHashMap<>();

  public void add(DagInfo info, DagPlan plan) {
    if (dags.containsKey(info.name())) {
      throw new CloudburstException(
          ErrorCode.DAG_ALREADY_EXISTS, "a DAG named '" + info.name() + "' exists");
    }
    dags.put(info.name(), new Entry(info, plan));
  }

  /** Adds or replaces a DAG as the store holds it (a change made by another node's scheduler). */
  public void replace(DagInfo info, DagPlan plan) {
    dags.put(info.name(), new Entry(info, plan));
  }

  public boolean contains(String name) {
    return dags.containsKey(name);
  }

  public Entry get(String name) {
    Entry e = dags.get(name);
    if (e == null) {
      throw new CloudburstException(ErrorCode.DAG_NOT_FOUND, "no DAG named '" + name + "'");
    }
    return e;
  }

  public Entry remove(String name) {
    Entry e = dags.remove(name);
    if (e == null) {
      throw new CloudburstException(ErrorCode.DAG_NOT_FOUND, "no DAG named '" + name + "'");
    }
    return e;
  }

  public List<DagInfo> all() {
    List<DagInfo> out = new ArrayList<>();
    for (Entry e : dags.values()) {
      out.add(e.info());
    }
    out.sort(Comparator.comparing(DagInfo::name));
    return out;
  }

  /** The names of the DAGs that use a function. */
  public List<String> using(String function) {
    List<String> out = new ArrayList<>();
    for (Entry e : dags.values()) {
      if (e.plan().functions().contains(function)) {
        out.add(e.info().name());
      }
    }
    return out;
  }
}
