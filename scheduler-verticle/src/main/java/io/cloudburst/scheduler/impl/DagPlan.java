package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Names;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A validated DAG: its functions, and for each function its upstreams in the order of the DAG's
 * connections (the order in which a fan-in function receives their results), its downstreams, the
 * sources and the sinks, and a topological order. Pure: validation takes a predicate that says
 * whether a function is registered.
 */
public record DagPlan(
    String name,
    List<String> functions,
    List<List<String>> connections,
    Map<String, List<String>> upstreams,
    Map<String, List<String>> downstreams,
    List<String> sources,
    List<String> sinks,
    List<String> order) {

  /** Most functions one DAG may name. */
  public static final int MAX_FUNCTIONS = 1_000;

  /**
   * Validates and plans a DAG.
   *
   * @throws CloudburstException DAG_INVALID for an empty DAG, a duplicate or unknown function, a
   *     connection naming a function outside the DAG, a self-loop or a cycle; BAD_REQUEST for a bad
   *     name
   */
  public static DagPlan of(
      String name,
      List<String> functions,
      List<List<String>> connections,
      Predicate<String> registered) {
    Names.requireValid("DAG", name);
    if (functions == null || functions.isEmpty()) {
      throw invalid("DAG '" + name + "' names no functions");
    }
    if (functions.size() > MAX_FUNCTIONS) {
      throw invalid(
          "DAG '"
              + name
              + "' names "
              + functions.size()
              + " functions; at most "
              + MAX_FUNCTIONS
              + " are allowed");
    }
    Set<String> fnSet = new LinkedHashSet<>();
    for (String f : functions) {
      if (f == null || f.isEmpty()) {
        throw invalid("DAG '" + name + "' names an empty function");
      }
      if (!fnSet.add(f)) {
        throw invalid("DAG '" + name + "' names function '" + f + "' twice");
      }
      if (!registered.test(f)) {
        throw invalid("DAG '" + name + "' names function '" + f + "', which is not registered");
      }
    }
    Map<String, List<String>> up = new LinkedHashMap<>();
    Map<String, List<String>> down = new LinkedHashMap<>();
    for (String f : fnSet) {
      up.put(f, new ArrayList<>());
      down.put(f, new ArrayList<>());
    }
    List<List<String>> conns = new ArrayList<>();
    Set<List<String>> seen = new HashSet<>();
    for (List<String> c : connections == null ? List.<List<String>>of() : connections) {
      if (c == null || c.size() != 2) {
        throw invalid("a connection is a pair [from, to]");
      }
      String from = c.get(0);
      String to = c.get(1);
      if (!fnSet.contains(from) || !fnSet.contains(to)) {
        throw invalid(
            "connection ["
                + from
                + ", "
                + to
                + "] names a function that is not in DAG '"
                + name
                + "'");
      }
      if (from.equals(to)) {
        throw invalid("connection [" + from + ", " + to + "] is a self-loop");
      }
      if (!seen.add(List.of(from, to))) {
        continue; // the same edge twice adds nothing
      }
      conns.add(List.of(from, to));
      up.get(to).add(from);
      down.get(from).add(to);
    }
    List<String> order = topologicalOrder(fnSet, up, down, name);
    List<String> sources = new ArrayList<>();
    List<String> sinks = new ArrayList<>();
    for (String f : fnSet) {
      if (up.get(f).isEmpty()) {
        sources.add(f);
      }
      if (down.get(f).isEmpty()) {
        sinks.add(f);
      }
    }
    Map<String, List<String>> upCopy = new LinkedHashMap<>();
    Map<String, List<String>> downCopy = new LinkedHashMap<>();
    up.forEach((k, v) -> upCopy.put(k, List.copyOf(v)));
    down.forEach((k, v) -> downCopy.put(k, List.copyOf(v)));
    return new DagPlan(
        name,
        List.copyOf(fnSet),
        List.copyOf(conns),
        Collections.unmodifiableMap(upCopy),
        Collections.unmodifiableMap(downCopy),
        List.copyOf(sources),
        List.copyOf(sinks),
        List.copyOf(order));
  }

  private static List<String> topologicalOrder(
      Set<String> fns, Map<String, List<String>> up, Map<String, List<String>> down, String name) {
    Map<String, Integer> indegree = new HashMap<>();
    Deque<String> ready = new ArrayDeque<>();
    for (String f : fns) {
      indegree.put(f, up.get(f).size());
      if (up.get(f).isEmpty()) {
        ready.add(f);
      }
    }
    List<String> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      String f = ready.poll();
      order.add(f);
      for (String d : down.get(f)) {
        if (indegree.merge(d, -1, Integer::sum) == 0) {
          ready.add(d);
        }
      }
    }
    if (order.size() != fns.size()) {
      List<String> inCycle = new ArrayList<>();
      for (String f : fns) {
        if (indegree.get(f) > 0) {
          inCycle.add(f);
        }
      }
      throw invalid("DAG '" + name + "' has a cycle through " + inCycle);
    }
    return order;
  }

  private static CloudburstException invalid(String message) {
    return new CloudburstException(ErrorCode.DAG_INVALID, message);
  }
}
