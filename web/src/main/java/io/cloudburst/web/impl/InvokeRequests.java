package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Values;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one parser of invoke bodies, for HTTP ({@code POST /v1/functions/{name}/invoke}, {@code POST
 * /v1/dags/{name}/invoke}) and both event-bus bridges: the same fields, the same defaults, the same
 * BAD_REQUEST messages, and the same wait for the scheduler's answer ({@link #busTimeout}).
 */
public final class InvokeRequests {
  private InvokeRequests() {}

  /**
   * A function call: {@code {"args": [...], "wait"?, "timeout_ms"?, "version"?, "await_refs_ms"?,
   * "request_id"?, "atomic"?}}.
   */
  @SuppressWarnings("unchecked")
  public static SchedulerRequest.InvokeFunction function(String name, JsonObject b) {
    List<Object> args =
        (List<Object>) Values.fromJson(Requests.finite(Requests.array(b, "args"), "args"));
    long version = Requests.nonNegativeLong(b, "version", 0);
    return SchedulerRequest.InvokeFunction.builder(name)
        .version((int) Math.min(version, Integer.MAX_VALUE))
        .args(args)
        .timeoutMs(Requests.nonNegativeLong(b, "timeout_ms", 0))
        .awaitResult(Requests.bool(b, "wait", true))
        .awaitRefsMs(Requests.nonNegativeLong(b, "await_refs_ms", 0))
        .requestId(Requests.string(b, "request_id", false))
        .atomic(Requests.bool(b, "atomic", false))
        .build();
  }

  /**
   * A DAG call: {@code {"args": {"fn": [...]}, "consistency"?, "wait"?, "timeout_ms"?,
   * "output_key"?, "client_id"?, "request_id"?, "atomic"?}}.
   */
  @SuppressWarnings("unchecked")
  public static SchedulerRequest.InvokeDag dag(String name, JsonObject b) {
    Map<String, List<Object>> args = new LinkedHashMap<>();
    Object rawArgs = b.getValue("args");
    if (rawArgs != null) {
      if (!(rawArgs instanceof JsonObject argMap)) {
        throw CloudburstException.badRequest(
            "field 'args' of a DAG call must be an object of argument lists by function name");
      }
      for (String fn : argMap.fieldNames()) {
        if (!(argMap.getValue(fn) instanceof JsonArray a)) {
          throw CloudburstException.badRequest(
              "args of function '" + fn + "' must be a JSON array");
        }
        args.put(fn, (List<Object>) Values.fromJson(Requests.finite(a, "args")));
      }
    }
    return SchedulerRequest.InvokeDag.builder(name)
        .args(args)
        .consistency(Consistency.parse(Requests.string(b, "consistency", false)))
        .timeoutMs(Requests.nonNegativeLong(b, "timeout_ms", 0))
        .awaitResult(Requests.bool(b, "wait", true))
        .outputKey(Requests.string(b, "output_key", false))
        .clientId(Requests.string(b, "client_id", false))
        .requestId(Requests.string(b, "request_id", false))
        .atomic(Requests.bool(b, "atomic", false))
        .build();
  }

  /**
   * How long a front door waits for the scheduler's answer to an invocation ({@link
   * Deadlines#frontWait}).
   */
  public static long busTimeout(SchedulerRequest req) {
    return switch (req) {
      case SchedulerRequest.InvokeFunction f -> Deadlines.frontWait(f.timeoutMs(), f.awaitResult());
      case SchedulerRequest.InvokeDag d -> Deadlines.frontWait(d.timeoutMs(), d.awaitResult());
      default -> Deadlines.REQUEST_MS;
    };
  }
}
