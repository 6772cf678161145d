package io.cloudburst.web.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.value.Values;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The JSON shapes of the public API (README, "The API"; openapi.json), made from the bus records:
 * one place, so HTTP, the bridges and the dashboard see the same fields.
 */
public final class ApiJson {
  /** Longest logs (and error message) of a call summary, in chars. */
  public static final int MAX_SUMMARY_TEXT = 2000;

  private ApiJson() {}

  /** {@code {"name", "language", "version"}}: a function in a list. */
  public static JsonObject functionSummary(FunctionInfo f) {
    return new JsonObject()
        .put("name", f.name())
        .put("language", f.language())
        .put("version", f.version());
  }

  /** The answer to a registration: {@code {"name", "version", "language", "entrypoint"}}. */
  public static JsonObject registered(FunctionInfo f) {
    return new JsonObject()
        .put("name", f.name())
        .put("version", f.version())
        .put("language", f.language())
        .put("entrypoint", f.entrypoint());
  }

  /**
   * One function version with its source: the summary plus {@code "source", "entrypoint",
   * "created_at"}.
   */
  public static JsonObject functionDetail(FunctionInfo f) {
    return functionSummary(f)
        .put("source", f.source())
        .put("entrypoint", f.entrypoint())
        .put("created_at", f.createdAt());
  }

  /** A list of functions, each {@link #functionSummary}. */
  public static JsonArray functions(List<FunctionInfo> functions) {
    JsonArray out = new JsonArray();
    functions.forEach(f -> out.add(functionSummary(f)));
    return out;
  }

  /** The versions of a function, each {@link #functionSummary} with {@code "created_at"}. */
  public static JsonArray versions(List<FunctionInfo> versions) {
    JsonArray out = new JsonArray();
    versions.forEach(f -> out.add(functionSummary(f).put("created_at", f.createdAt())));
    return out;
  }

  /** The answer to a restore: {@code {"name", "version", "restored_from"}}. */
  public static JsonObject restored(FunctionInfo f, long from) {
    return new JsonObject()
        .put("name", f.name())
        .put("version", f.version())
        .put("restored_from", from);
  }

  /** {@code {"name", "functions": [...], "connections": [[from, to], ...]}}. */
  public static JsonObject dag(SchedulerReply.DagInfo d) {
    JsonArray conns = new JsonArray();
    for (List<String> c : d.connections()) {
      conns.add(new JsonArray(c));
    }
    return new JsonObject()
        .put("name", d.name())
        .put("functions", new JsonArray(d.functions()))
        .put("connections", conns);
  }

  public static JsonArray dags(List<SchedulerReply.DagInfo> dags) {
    JsonArray out = new JsonArray();
    dags.forEach(d -> out.add(dag(d)));
    return out;
  }

  /**
   * The HTTP status of an invoke answer: 202 pending, 200 done, the error code's status when
   * failed.
   */
  public static int callStatus(CallResult r) {
    return switch (r.status()) {
      case PENDING -> 202;
      case DONE -> 200;
      case FAILED -> r.code().httpStatus();
    };
  }

  /** {@code GET /v1/status}: this node, and per node its executors and cache. */
  public static JsonObject status(SchedulerReply.Status st, String nodeId, String runtimeMode) {
    JsonArray nodes = new JsonArray();
    for (SchedulerReply.NodeInfo n : st.nodes()) {
      JsonArray execs = new JsonArray();
      for (SchedulerReply.ExecutorInfo e : n.executors()) {
        execs.add(
            new JsonObject()
                .put("address", e.address())
                .put("threads", e.threads())
                .put("busy", e.busy())
                .put("queued", e.queued())
                .put("in_flight", e.inFlight())
                .put("warm", new JsonArray(e.warm()))
                .put("last_seen", e.lastSeen()));
      }
      long reads = n.cacheHits() + n.cacheMisses();
      nodes.add(
          new JsonObject()
              .put("id", n.nodeId())
              .put("executors", execs)
              .put(
                  "cache",
                  new JsonObject()
                      .put("keys", n.cachedKeyCount())
                      .put("keys_shown", new JsonArray(n.cachedKeys()))
                      .put("bytes", n.cacheBytes())
                      .put("hits", n.cacheHits())
                      .put("misses", n.cacheMisses())
                      .put("evictions", n.cacheEvictions())
                      .put("hit_rate", reads == 0 ? null : (double) n.cacheHits() / reads)
                      .put("reported_at", n.cacheReportedAt())));
    }
    return new JsonObject()
        .put("node", nodeId)
        .put("runtime_mode", runtimeMode)
        .put("nodes", nodes)
        .put("at", st.at())
        .put("replications", st.replications());
  }

  /** {@code {"key", "lattice", "value"}}; lattice and value null for an absent key. */
  public static JsonObject key(String key, Lattice l) {
    return new JsonObject()
        .put("key", key)
        .put("lattice", l == null ? null : l.kind().wireName())
        .put("value", l == null ? null : Values.toJson(l.value()));
  }

  /**
   * A finished call as the call stream ({@code cloudburst.api.calls}) shows it: {@code {"id",
   * "function", "status", "duration_us", "executor", "at", "error"?: {"code", "message"},
   * "logs"?}}. A long error message keeps its start and its last line (a Python traceback's
   * exception line, which the dashboard shows); long logs keep their start.
   */
  public static JsonObject callSummary(CallResult r, long at) {
    JsonObject o =
        new JsonObject()
            .put("id", r.id())
            .put("function", r.function())
            .put("status", r.status().wire())
            .put("duration_us", r.durationMicros())
            .put("executor", r.executor())
            .put("at", at);
    if (r.errorCode() != null) {
      o.put(
          "error",
          new JsonObject()
              .put("code", r.errorCode())
              .put("message", truncateKeepingLastLine(r.errorMessage())));
    }
    if (r.logs() != null && !r.logs().isEmpty()) {
      o.put("logs", truncate(r.logs()));
    }
    return o;
  }

  static String truncate(String s) {
    return s == null || s.length() <= MAX_SUMMARY_TEXT ? s : s.substring(0, MAX_SUMMARY_TEXT) + "…";
  }

  /**
   * At most {@link #MAX_SUMMARY_TEXT} chars: a longer text keeps its start, a line "…", and its
   * last non-blank line (cut like the rest when that line alone is very long).
   */
  static String truncateKeepingLastLine(String s) {
    if (s == null || s.length() <= MAX_SUMMARY_TEXT) {
      return s;
    }
    String last = lastLine(s);
    if (last.length() > MAX_SUMMARY_TEXT / 2) {
      return truncate(s);
    }
    String tail = "\n…\n" + last;
    return s.substring(0, MAX_SUMMARY_TEXT - tail.length()) + tail;
  }

  /** The last non-blank line of {@code s}, stripped, or "". */
  static String lastLine(String s) {
    String[] lines = s.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        return lines[i].strip();
      }
    }
    return "";
  }
}
