package io.cloudburst.scheduler;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Languages;
import io.cloudburst.bus.Names;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.msg.SchedulerRequest.DeleteFunction;
import io.cloudburst.bus.msg.SchedulerRequest.GetFunction;
import io.cloudburst.bus.msg.SchedulerRequest.GetResult;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeFunction;
import io.cloudburst.bus.msg.SchedulerRequest.ListFunctions;
import io.cloudburst.bus.msg.SchedulerRequest.ListVersions;
import io.cloudburst.bus.msg.SchedulerRequest.RegisterFunction;
import io.cloudburst.bus.msg.SchedulerRequest.RestoreFunction;
import io.cloudburst.bus.value.Values;
import io.cloudburst.scheduler.impl.ExecutorTable;
import io.cloudburst.scheduler.impl.FunctionRegistry;
import io.cloudburst.scheduler.impl.PlacementPolicy;
import io.cloudburst.scheduler.impl.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The scheduler: the function registry, placement of calls on executors, and the results of
 * calls. All state is confined to this verticle's event loop; executors are reached only through
 * messages.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(SchedulerVerticle.class.getName());
  private static final Pattern ENTRYPOINT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  /** Extra time a bus request to an executor gets beyond the call's own deadline. */
  static final long EXECUTOR_MARGIN_MS = 1_000;
  /** Time allowed to validate (compile and load) a new function version. */
  static final long VALIDATE_TIMEOUT_MS = 60_000;

  private SchedulerOptions options;
  private FunctionRegistry registry;
  private ResultStore results;
  private ExecutorTable executors;
  private final PlacementPolicy placement = new PlacementPolicy();
  /** Registrations of one name run one after the other, so versions are assigned in order. */
  private final Map<String, Future<?>> registrations = new HashMap<>();
  private long spin;
  private long seq;
  private String idPrefix;

  @Override
  public Future<?> start() {
    options = SchedulerOptions.fromJson(config());
    registry = new FunctionRegistry();
    results = new ResultStore(options.maxResults(), options.resultRetentionMs());
    executors = new ExecutorTable(options.executorStaleMs());
    idPrefix = options.nodeId() + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    MessageConsumer<SchedulerRequest> requests = vertx.eventBus().consumer(Addresses.SCHEDULER, this::handle);
    MessageConsumer<ExecutorStatus> status = vertx.eventBus().consumer(
        Addresses.EXECUTOR_STATUS, m -> executors.update(m.body(), System.currentTimeMillis()));
    vertx.setPeriodic(10_000, t -> results.expire(System.currentTimeMillis()));
    return Future.all(requests.completion(), status.completion());
  }

  private void handle(Message<SchedulerRequest> m) {
    try {
      switch (m.body()) {
        case InvokeFunction r -> invoke(m, r);
        case RegisterFunction r -> answer(m, register(r));
        case ListFunctions r -> m.reply(new FunctionList(registry.currentAll()));
        case ListVersions r -> m.reply(new FunctionList(registry.history(r.name())));
        case GetFunction r -> m.reply(registry.get(r.name(), r.version()));
        case DeleteFunction r -> {
          registry.remove(r.name());
          m.reply(new SchedulerReply.Ack());
        }
        case RestoreFunction r -> answer(m, restore(r));
        case GetResult r -> {
          CallResult res = r.id() == null ? null : results.get(r.id(), System.currentTimeMillis());
          if (res == null) {
            throw CloudburstException.notFound(ErrorCode.RESULT_NOT_FOUND, "no call with id '" + r.id() + "'");
          }
          m.reply(res);
        }
      }
    } catch (CloudburstException e) {
      fail(m, e);
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.ERROR, "scheduler request " + m.body().getClass().getSimpleName() + " failed", e);
      fail(m, CloudburstException.internal(e.toString()));
    }
  }

  private static void fail(Message<?> m, CloudburstException e) {
    m.fail(e.code().failureCode(), e.getMessage());
  }

  private static <T> void answer(Message<?> m, Future<T> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result());
      } else {
        fail(m, CloudburstException.from(ar.cause()));
      }
    });
  }

  // ---- registry ----

  private Future<FunctionInfo> register(RegisterFunction r) {
    String name = Names.requireValid("function", r.name());
    String language = Languages.requireValid(r.language());
    if (r.source() == null || r.source().isBlank()) {
      throw CloudburstException.badRequest("source is missing");
    }
    if (r.source().getBytes(StandardCharsets.UTF_8).length > options.maxSourceBytes()) {
      throw CloudburstException.tooLarge("source is larger than " + options.maxSourceBytes() + " bytes");
    }
    String entrypoint = r.entrypoint() == null || r.entrypoint().isEmpty() ? name : r.entrypoint();
    if (!ENTRYPOINT.matcher(entrypoint).matches()) {
      throw CloudburstException.badRequest("entrypoint '" + entrypoint + "' is not an identifier");
    }
    return serialized(name, () -> validateAndAdd(name, language, r.source(), entrypoint));
  }

  private Future<FunctionInfo> restore(RestoreFunction r) {
    FunctionInfo old = registry.get(r.name(), r.version());
    return serialized(old.name(), () -> validateAndAdd(old.name(), old.language(), old.source(), old.entrypoint()));
  }

  private Future<FunctionInfo> validateAndAdd(String name, String language, String source, String entrypoint) {
    FunctionInfo f = new FunctionInfo(name, language, registry.nextVersion(name), source, entrypoint, System.currentTimeMillis());
    ExecutorTable.Entry e = pick(f.versionKey(), List.of());
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor is available to load the function"));
    }
    return vertx.eventBus()
        .<FunctionInfo>request(e.address(), new ExecutorRequest.Validate(f), new DeliveryOptions().setSendTimeout(VALIDATE_TIMEOUT_MS))
        .map(reply -> {
          registry.add(f);
          executors.warmed(e.address(), f.versionKey());
          log.log(System.Logger.Level.INFO, "registered " + f.versionKey() + " (" + f.language() + ")");
          return f;
        });
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> serialized(String key, java.util.function.Supplier<Future<T>> work) {
    Future<?> previous = registrations.getOrDefault(key, Future.succeededFuture());
    Promise<T> done = Promise.promise();
    Future<T> mine = done.future();
    registrations.put(key, mine);
    previous.onComplete(ignored -> {
      Future<T> f;
      try {
        f = work.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(done);
    });
    mine.onComplete(ignored -> registrations.remove(key, mine));
    return mine;
  }

  // ---- calls ----

  private void invoke(Message<SchedulerRequest> m, InvokeFunction r) {
    if (r.depth() > options.maxCallDepth()) {
      throw CloudburstException.badRequest("call depth limit of " + options.maxCallDepth() + " exceeded (calls nested too deeply or a call cycle)");
    }
    FunctionInfo f = registry.get(r.name(), r.version());
    long timeout = options.deadline(r.timeoutMs());
    String id = idPrefix + (++seq);
    CallResult pending = CallResult.pending(id, f.name());
    results.put(pending, System.currentTimeMillis());
    if (!r.awaitResult()) {
      m.reply(pending);
    }
    execute(id, f, r.args(), timeout, r.depth(), 0).onComplete(ar -> {
      CallResult res = ar.succeeded()
          ? ar.result()
          : CallResult.failed(id, f.name(), CloudburstException.from(ar.cause()), null, null, 0);
      finish(res);
      if (r.awaitResult()) {
        m.reply(res);
      }
    });
  }

  private void finish(CallResult res) {
    results.put(res, System.currentTimeMillis());
    vertx.eventBus().publish(Addresses.RESULTS, res);
  }

  private Future<CallResult> execute(String id, FunctionInfo f, List<Object> args, long timeout, int depth, int attempt) {
    List<String> refs = new ArrayList<>();
    for (Object a : args) {
      Values.collectRefs(a, refs);
    }
    ExecutorTable.Entry e = pick(f.versionKey(), refs);
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor can take the call"));
    }
    String address = e.address();
    executors.inFlight(address, +1);
    return vertx.eventBus()
        .<CallResult>request(address, new ExecutorRequest.Execute(id, f, args, timeout, depth),
            new DeliveryOptions().setSendTimeout(timeout + EXECUTOR_MARGIN_MS))
        .map(msg -> {
          executors.inFlight(address, -1);
          executors.warmed(address, f.versionKey());
          return msg.body();
        })
        .recover(t -> {
          executors.inFlight(address, -1);
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS && attempt < 2) {
            // The executor is gone: forget it and place the call elsewhere.
            executors.remove(address);
            return execute(id, f, args, timeout, depth, attempt + 1);
          }
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            return Future.failedFuture(CloudburstException.timeout(
                "call " + id + " of " + f.name() + " did not finish within " + timeout + " ms"));
          }
          return Future.failedFuture(t);
        });
  }

  private ExecutorTable.Entry pick(String versionKey, List<String> refKeys) {
    return placement.choose(executors.live(System.currentTimeMillis()), versionKey, refKeys, node -> Set.of(), spin++);
  }
}
