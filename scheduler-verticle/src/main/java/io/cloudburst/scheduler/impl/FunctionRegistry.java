package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of functions and their versions: a pure in-memory core. Versions of a name are
 * numbered from 1 and never reused; the current version is the newest unless one was restored (a
 * restore appends a new version carrying the old source, so history only grows).
 */
public final class FunctionRegistry {
  private final Map<String, List<FunctionInfo>> versions = new HashMap<>();

  /** The version number the next registration of {@code name} receives. */
  public int nextVersion(String name) {
    List<FunctionInfo> l = versions.get(name);
    return l == null ? 1 : l.get(l.size() - 1).version() + 1;
  }

  /** Adds a version; its number must be {@link #nextVersion}. */
  public void add(FunctionInfo f) {
    if (f.version() != nextVersion(f.name())) {
      throw new IllegalStateException(
          "version " + f.version() + " of " + f.name() + " out of order");
    }
    versions.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f);
  }

  /** The current version, or FUNC_NOT_FOUND. */
  public FunctionInfo current(String name) {
    List<FunctionInfo> l = versions.get(name);
    if (l == null) {
      throw CloudburstException.notFound(
          ErrorCode.FUNC_NOT_FOUND, "no function named '" + name + "'");
    }
    return l.get(l.size() - 1);
  }

  /** One version (0 = current), or FUNC_NOT_FOUND. */
  public FunctionInfo get(String name, int version) {
    if (version <= 0) {
      return current(name);
    }
    for (FunctionInfo f : versions.getOrDefault(name, List.of())) {
      if (f.version() == version) {
        return f;
      }
    }
    throw CloudburstException.notFound(
        ErrorCode.FUNC_NOT_FOUND, "function '" + name + "' has no version " + version);
  }

  public boolean contains(String name) {
    return versions.containsKey(name);
  }

  /** Every version of a name, oldest first, or FUNC_NOT_FOUND. */
  public List<FunctionInfo> history(String name) {
    List<FunctionInfo> l = versions.get(name);
    if (l == null) {
      throw CloudburstException.notFound(
          ErrorCode.FUNC_NOT_FOUND, "no function named '" + name + "'");
    }
    return List.copyOf(l);
  }

  /** The current version of every function, by name. */
  public List<FunctionInfo> currentAll() {
    List<FunctionInfo> out = new ArrayList<>();
    for (List<FunctionInfo> l : versions.values()) {
      out.add(l.get(l.size() - 1));
    }
    out.sort(Comparator.comparing(FunctionInfo::name));
    return out;
  }

  /**
   * Makes a function's history what the store holds (a change made by another node's scheduler): an
   * empty history removes the function. The versions must be numbered in order from 1, as the
   * scheduler stores them.
   */
  public void replace(String name, List<FunctionInfo> history) {
    if (history.isEmpty()) {
      versions.remove(name);
      return;
    }
    for (int i = 0; i < history.size(); i++) {
      FunctionInfo f = history.get(i);
      if (!f.name().equals(name) || (i > 0 && f.version() <= history.get(i - 1).version())) {
        throw new IllegalStateException(
            "stored history of " + name + " is out of order at " + f.versionKey());
      }
    }
    versions.put(name, new ArrayList<>(history));
  }

  /** Removes a function and its history; FUNC_NOT_FOUND if absent. */
  public List<FunctionInfo> remove(String name) {
    List<FunctionInfo> l = versions.remove(name);
    if (l == null) {
      throw CloudburstException.notFound(
          ErrorCode.FUNC_NOT_FOUND, "no function named '" + name + "'");
    }
    return l;
  }
}
