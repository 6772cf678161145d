package io.cloudburst.bus.client;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Java client: talks to the scheduler over the event bus (local or clustered) and returns
 * Vert.x futures. Every request carries a timeout; a call's bus timeout is its own deadline plus a
 * margin, so a stalled call fails with TIMEOUT rather than hanging.
 */
public final class CloudburstClient {
  private static final long DEFAULT_CALL_TIMEOUT_MS = Deadlines.CALL_DEFAULT_MS;
  private static final long DEFAULT_REQUEST_TIMEOUT_MS = Deadlines.REQUEST_MS;
  private static final long MARGIN_MS = Deadlines.CLIENT_MARGIN_MS;

  private final Vertx vertx;

  public CloudburstClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<FunctionInfo> register(String name, String language, String source) {
    return register(name, language, source, null);
  }

  public Future<FunctionInfo> register(
      String name, String language, String source, String entrypoint) {
    return request(
            new SchedulerRequest.RegisterFunction(name, language, source, entrypoint),
            DEFAULT_REQUEST_TIMEOUT_MS)
        .map(FunctionInfo.class::cast);
  }

  public Future<List<FunctionInfo>> functions() {
    return request(new SchedulerRequest.ListFunctions(), DEFAULT_REQUEST_TIMEOUT_MS)
        .map(r -> ((FunctionList) r).functions());
  }

  /** Invokes the current version and waits: the finished result, done or failed. */
  public Future<CallResult> invoke(String name, List<Object> args, long timeoutMs) {
    long t = timeoutMs > 0 ? timeoutMs : DEFAULT_CALL_TIMEOUT_MS;
    return request(
            SchedulerRequest.InvokeFunction.builder(name).args(args).timeoutMs(t).build(),
            t + MARGIN_MS)
        .map(CallResult.class::cast);
  }

  /**
   * Invokes the current version as an atomic call and waits: its writes become visible together
   * when it succeeds, never when it fails; with a {@code requestId} (null: none) a call that loses
   * its executor runs again and commits once, and a repeat answers the first outcome.
   */
  public Future<CallResult> invokeAtomic(
      String name, List<Object> args, String requestId, long timeoutMs) {
    long t = timeoutMs > 0 ? timeoutMs : DEFAULT_CALL_TIMEOUT_MS;
    return request(
            SchedulerRequest.InvokeFunction.builder(name)
                .args(args)
                .timeoutMs(t)
                .requestId(requestId)
                .atomic(true)
                .build(),
            t + MARGIN_MS)
        .map(CallResult.class::cast);
  }

  /** Invokes without waiting: the pending result with the call's id. */
  public Future<CallResult> submit(String name, List<Object> args, long timeoutMs) {
    return request(
            SchedulerRequest.InvokeFunction.builder(name)
                .args(args)
                .timeoutMs(timeoutMs)
                .awaitResult(false)
                .build(),
            DEFAULT_REQUEST_TIMEOUT_MS)
        .map(CallResult.class::cast);
  }

  /** Calls a function and gives its value; a failed call fails the future with its code. */
  public Future<Object> call(String name, Object... args) {
    return invoke(name, Arrays.asList(args), 0)
        .compose(
            r ->
                r.status() == CallResult.Status.DONE
                    ? Future.succeededFuture(r.result())
                    : Future.failedFuture(r.error()));
  }

  /** Registers a DAG: functions and {@code [from, to]} connections. */
  public Future<SchedulerReply.DagInfo> registerDag(
      String name, List<String> functions, List<List<String>> connections) {
    return request(
            new SchedulerRequest.RegisterDag(name, functions, connections),
            DEFAULT_REQUEST_TIMEOUT_MS)
        .map(SchedulerReply.DagInfo.class::cast);
  }

  /**
   * Invokes a DAG and waits: {@code args} holds each function's explicit arguments by name; {@code
   * consistency} null means normal.
   */
  public Future<CallResult> invokeDag(
      String name, Map<String, List<Object>> args, Consistency consistency, long timeoutMs) {
    return invokeDag(name, args, consistency, null, timeoutMs);
  }

  /**
   * As {@link #invokeDag(String, Map, Consistency, long)}; in causal consistency, successive calls
   * with the same {@code clientId} form one session (read your writes, monotonic reads).
   */
  public Future<CallResult> invokeDag(
      String name,
      Map<String, List<Object>> args,
      Consistency consistency,
      String clientId,
      long timeoutMs) {
    long t = timeoutMs > 0 ? timeoutMs : DEFAULT_CALL_TIMEOUT_MS;
    var req =
        SchedulerRequest.InvokeDag.builder(name)
            .args(args)
            .consistency(consistency)
            .clientId(clientId)
            .timeoutMs(t)
            .build();
    return request(req, t + MARGIN_MS).map(CallResult.class::cast);
  }

  /**
   * Invokes a DAG and waits, as an atomic call when {@code atomic} (see {@link #invokeAtomic}),
   * with an optional {@code requestId}.
   */
  public Future<CallResult> invokeDag(
      String name,
      Map<String, List<Object>> args,
      Consistency consistency,
      boolean atomic,
      String requestId,
      long timeoutMs) {
    long t = timeoutMs > 0 ? timeoutMs : DEFAULT_CALL_TIMEOUT_MS;
    var req =
        SchedulerRequest.InvokeDag.builder(name)
            .args(args)
            .consistency(consistency)
            .atomic(atomic)
            .requestId(requestId)
            .timeoutMs(t)
            .build();
    return request(req, t + MARGIN_MS).map(CallResult.class::cast);
  }

  /** The result of a call so far. */
  public Future<CallResult> result(String id) {
    return request(new SchedulerRequest.GetResult(id), DEFAULT_REQUEST_TIMEOUT_MS)
        .map(CallResult.class::cast);
  }

  /**
   * Any scheduler request, answered within {@code timeoutMs}: its reply, or a failed future with a
   * {@link CloudburstException} carrying the scheduler's code (TIMEOUT or NO_RESOURCES when the bus
   * gives up). The front doors (HTTP, bridges) send every request through here.
   */
  public Future<SchedulerReply> request(SchedulerRequest req, long timeoutMs) {
    return vertx
        .eventBus()
        .<SchedulerReply>request(
            Addresses.SCHEDULER, req, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }
}
