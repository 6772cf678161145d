package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Keys;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The scheduler's registry records as user values of the store ({@link
 * io.cloudburst.bus.value.Values} model: only strings, longs, lists and maps), and back. Pure.
 *
 * <p>Layout; every record is one last-writer-wins lattice written by the scheduler:
 *
 * <pre>
 * __cloudburst/functions/{name}  {"format": 1, "name": "sq", "versions": [
 *                                   {"version": 1, "language": "python", "source": "...",
 *                                    "entrypoint": "sq", "createdAt": 1700000000000}, ...]}   oldest first
 * __cloudburst/dags/{name}       {"format": 1, "name": "d", "functions": ["a", "b"],
 *                                 "connections": [["a", "b"]], "createdAt": 1700000000000}
 * __cloudburst/index/functions   ["a", "sq"]   the registered names, sorted
 * __cloudburst/index/dags        ["d"]
 * </pre>
 *
 * The language is kept per version because a re-registration may change it.
 */
public final class RegistryCodec {
  /** The record format this code writes; records of a later format are refused, not misread. */
  public static final long FORMAT = 1;

  public static final String FUNCTIONS = "functions";
  public static final String DAGS = "dags";
  private static final String INDEX = "index";

  private RegistryCodec() {}

  /** The key of a function's record (every version of it). */
  public static String functionKey(String name) {
    return Keys.system(FUNCTIONS, name);
  }

  /** The key of a DAG's record. */
  public static String dagKey(String name) {
    return Keys.system(DAGS, name);
  }

  /** The key of the index of {@link #FUNCTIONS} or {@link #DAGS}. */
  public static String indexKey(String kind) {
    return Keys.system(INDEX, kind);
  }

  /** The record of a function: every version, oldest first (all of one name). */
  public static Map<String, Object> encodeFunction(List<FunctionInfo> history) {
    if (history.isEmpty()) {
      throw new IllegalArgumentException("a function record needs at least one version");
    }
    String name = history.get(0).name();
    List<Object> versions = new ArrayList<>(history.size());
    for (FunctionInfo f : history) {
      if (!f.name().equals(name)) {
        throw new IllegalArgumentException(
            "version " + f.versionKey() + " is not a version of " + name);
      }
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("version", (long) f.version());
      v.put("language", f.language());
      v.put("source", f.source());
      v.put("entrypoint", f.entrypoint());
      v.put("createdAt", f.createdAt());
      versions.add(Collections.unmodifiableMap(v));
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("format", FORMAT);
    record.put("name", name);
    record.put("versions", Collections.unmodifiableList(versions));
    return Collections.unmodifiableMap(record);
  }

  /**
   * Reads a function record back.
   *
   * @param name the name the record's key names; the record must agree
   * @throws IllegalArgumentException for a record that is not a function record of {@code name}
   *     with versions numbered 1, 2, 3...
   */
  public static List<FunctionInfo> decodeFunction(String name, Object value) {
    String what = "function record '" + name + "'";
    Map<?, ?> record = header(value, name, what);
    List<?> versions = list(record, "versions", what);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(what + " has no versions");
    }
    List<FunctionInfo> out = new ArrayList<>(versions.size());
    for (Object o : versions) {
      String at = what + " version " + (out.size() + 1);
      Map<?, ?> v = map(o, at);
      long version = number(v, "version", at);
      if (version != out.size() + 1) {
        throw new IllegalArgumentException(at + " is numbered " + version);
      }
      out.add(
          new FunctionInfo(
              name,
              string(v, "language", at),
              (int) version,
              string(v, "source", at),
              string(v, "entrypoint", at),
              number(v, "createdAt", at)));
    }
    return List.copyOf(out);
  }

  /** The record of a DAG. */
  public static Map<String, Object> encodeDag(DagInfo dag) {
    List<Object> connections = new ArrayList<>(dag.connections().size());
    for (List<String> c : dag.connections()) {
      connections.add(List.copyOf(c));
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("format", FORMAT);
    record.put("name", dag.name());
    record.put("functions", List.copyOf(dag.functions()));
    record.put("connections", Collections.unmodifiableList(connections));
    record.put("createdAt", dag.createdAt());
    return Collections.unmodifiableMap(record);
  }

  /**
   * Reads a DAG record back.
   *
   * @throws IllegalArgumentException for a record that is not a DAG record of {@code name}
   */
  public static DagInfo decodeDag(String name, Object value) {
    String what = "DAG record '" + name + "'";
    Map<?, ?> record = header(value, name, what);
    List<String> functions = strings(list(record, "functions", what), what + " functions");
    List<List<String>> connections = new ArrayList<>();
    for (Object c : list(record, "connections", what)) {
      if (!(c instanceof List<?> pair) || pair.size() != 2) {
        throw new IllegalArgumentException(what + " has a connection that is not a pair: " + c);
      }
      connections.add(strings(pair, what + " connection"));
    }
    return new DagInfo(name, functions, connections, number(record, "createdAt", what));
  }

  /** An index record: the names, sorted and without repeats. */
  public static List<Object> encodeIndex(Collection<String> names) {
    return List.copyOf(new TreeSet<>(names));
  }

  /**
   * Reads an index record; an absent one (null) is empty.
   *
   * @throws IllegalArgumentException for a value that is not a list of names
   */
  public static List<String> decodeIndex(String kind, Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> l)) {
      throw new IllegalArgumentException("index of " + kind + " is not a list");
    }
    return strings(l, "index of " + kind);
  }

  private static Map<?, ?> header(Object value, String name, String what) {
    Map<?, ?> record = map(value, what);
    long format = number(record, "format", what);
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          what + " has format " + format + "; this scheduler reads format " + FORMAT);
    }
    String recorded = string(record, "name", what);
    if (!recorded.equals(name)) {
      throw new IllegalArgumentException(what + " names '" + recorded + "'");
    }
    return record;
  }

  private static Map<?, ?> map(Object value, String what) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " is not an object");
    }
    return m;
  }

  private static List<?> list(Map<?, ?> m, String field, String what) {
    if (!(m.get(field) instanceof List<?> l)) {
      throw new IllegalArgumentException(what + " has no list '" + field + "'");
    }
    return l;
  }

  private static String string(Map<?, ?> m, String field, String what) {
    if (!(m.get(field) instanceof String s)) {
      throw new IllegalArgumentException(what + " has no string '" + field + "'");
    }
    return s;
  }

  private static long number(Map<?, ?> m, String field, String what) {
    if (!(m.get(field) instanceof Long l)) {
      throw new IllegalArgumentException(what + " has no integer '" + field + "'");
    }
    return l;
  }

  private static List<String> strings(List<?> l, String what) {
    List<String> out = new ArrayList<>(l.size());
    for (Object o : l) {
      if (!(o instanceof String s) || s.isEmpty()) {
        throw new IllegalArgumentException(what + " holds " + o + ", not a name");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
