package io.cloudburst.runtime;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorRequest.Direct;
import io.cloudburst.bus.msg.ExecutorRequest.Execute;
import io.cloudburst.bus.msg.ExecutorRequest.RunDag;
import io.cloudburst.bus.msg.ExecutorRequest.Trigger;
import io.cloudburst.bus.msg.ExecutorRequest.Validate;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.txn.WriteBuffer;
import io.cloudburst.runtime.impl.BusRequests;
import io.cloudburst.runtime.impl.ContextPool;
import io.cloudburst.runtime.impl.DagSteps;
import io.cloudburst.runtime.impl.Engines;
import io.cloudburst.runtime.impl.ExecutorLibrary;
import io.cloudburst.runtime.impl.FunctionRunner;
import io.cloudburst.runtime.impl.FunctionSources;
import io.cloudburst.runtime.impl.GuestContexts;
import io.cloudburst.runtime.impl.Invocation;
import io.cloudburst.runtime.impl.Mailboxes;
import io.cloudburst.runtime.impl.NestedCalls;
import io.cloudburst.runtime.impl.RefResolver;
import io.cloudburst.runtime.impl.Touches;
import io.cloudburst.runtime.impl.UserState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An executor: runs user functions in sandboxed GraalPy and GraalJS contexts on its own worker
 * threads (never on an event loop), answers single calls, runs its share of DAG calls (passing
 * results straight to the next executors), carries direct messages between invocations of one DAG
 * call, and reports its load and warm contexts to the scheduler.
 *
 * <p>This class is the wiring: the requests it takes, and the bus behind the parts in {@code impl}
 * ({@link GuestContexts} for guest code, {@link DagSteps} for DAG calls, and the user library's
 * {@link UserState}, {@link NestedCalls} and {@link Mailboxes}). Answers and DAG messages leave
 * from this verticle's context, never from a worker: a send from a thread without a Vert.x context
 * to another node of a cluster first makes a context of its own and picks the destination on it
 * (about a millisecond a hop, measured on 2 nodes).
 */
public final class ExecutorVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(ExecutorVerticle.class.getName());

  /** How often the keys served from the cache view are reported back to the cache. */
  private static final long TOUCH_INTERVAL_MS = 100;

  private ExecutorOptions options;
  private String address;
  private GuestContexts contexts;
  private FunctionRunner runner;
  private Mailboxes mailboxes;
  private DagSteps dags;
  private long statusTimer = -1;
  private final Touches touches = new Touches();

  @Override
  public Future<?> start() {
    options = ExecutorOptions.fromJson(config());
    address = Addresses.executor(options.nodeId(), options.index());
    BusRequests bus = new BusRequests(vertx, options.nodeId(), touches);
    PinnedVersions pinned = PinnedVersions.of(vertx, options.nodeId());
    UserState state = new UserState(bus);
    mailboxes = new Mailboxes(bus, options.nodeId());
    ExecutorLibrary library =
        new ExecutorLibrary(state, new NestedCalls(bus, options.threads(), address), mailboxes);
    RuntimeMode mode = RuntimeMode.configured();
    return vertx
        .executeBlocking(
            () -> {
              // The first engines and contexts take seconds: never on the event loop. The engines
              // are
              // shared with this node's other executors (a later executor starts in well under a
              // second).
              GuestContexts g =
                  new GuestContexts(
                      Engines.shared(mode, options.cpuLimitMs()),
                      new ContextPool<>(options.maxContexts()),
                      options,
                      library,
                      new FunctionSources(bus::function));
              try {
                g.prewarm();
              } catch (RuntimeException | Error e) {
                g.close(); // gives the engines' lease back
                throw e;
              }
              return g;
            },
            false)
        .compose(
            g -> {
              contexts = g;
              runner = new FunctionRunner(g, new RefResolver(state::lookup), address);
              dags = new DagSteps(address, options.nodeId(), new StepPort(pinned));
              MessageConsumer<ExecutorRequest> consumer =
                  vertx.eventBus().consumer(address, this::handle);
              return consumer.completion();
            })
        .onSuccess(
            v -> {
              publishStatus(false);
              statusTimer =
                  vertx.setPeriodic(
                      options.statusIntervalMs(),
                      t -> {
                        publishStatus(false);
                        dags.expireEarly(System.currentTimeMillis());
                      });
              vertx.setPeriodic(
                  Math.min(60_000, options.idleRetireMs()), t -> contexts.retireIdle());
              vertx.setPeriodic(
                  TOUCH_INTERVAL_MS,
                  t -> {
                    CacheRequest.Touch touch = touches.drain();
                    if (touch != null) {
                      vertx.eventBus().send(Addresses.cache(options.nodeId()), touch);
                    }
                  });
              log.log(
                  System.Logger.Level.INFO,
                  "executor "
                      + address
                      + " ready: "
                      + options.threads()
                      + " threads, up to "
                      + options.maxContexts()
                      + " contexts, runtime mode "
                      + mode.wire()
                      + (contexts.compiled() ? " (compiled)" : " (interpreter only)")
                      + (contexts.cpuLimited()
                          ? ", sandbox CPU-time limit on"
                          : ", time limits by watchdog"));
            });
  }

  /**
   * The guest-code machinery (for tests: its cancel and stuck-worker counts); null before start.
   */
  GuestContexts guestContexts() {
    return contexts;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(statusTimer);
    publishStatus(true);
    GuestContexts g = contexts;
    return g == null
        ? Future.succeededFuture()
        : vertx.executeBlocking(
            () -> {
              g.close();
              return null;
            },
            false);
  }

  private void publishStatus(boolean leaving) {
    GuestContexts g = contexts;
    if (g == null) {
      return;
    }
    vertx
        .eventBus()
        .publish(
            Addresses.EXECUTOR_STATUS,
            new ExecutorStatus(
                options.nodeId(),
                address,
                options.threads(),
                g.busy(),
                g.queued(),
                g.warmVersions(),
                System.currentTimeMillis(),
                leaving));
  }

  private void handle(Message<ExecutorRequest> m) {
    switch (m.body()) {
      case Execute e -> {
        // A cancelled call is answered from the cancel, at its deadline; the worker's late result
        // is dropped.
        AtomicBoolean answered = new AtomicBoolean();
        Consumer<CallResult> answer =
            r -> {
              if (answered.compareAndSet(false, true)) {
                context.runOnContext(v -> m.reply(r));
              }
            };
        submit(
            m,
            () -> {
              CallResult r;
              try {
                r = execute(e, answer);
              } catch (
                  Throwable t) { // e.g. an Error out of the guest runtime: the caller still gets an
                // answer
                r =
                    CallResult.failed(
                        e.callId(),
                        e.function().name(),
                        CloudburstException.internal(String.valueOf(t)),
                        null,
                        address,
                        0);
              }
              answer.accept(r);
            });
      }
      case Validate v -> {
        AtomicBoolean answered = new AtomicBoolean();
        Consumer<CloudburstException> answer =
            ce -> {
              if (answered.compareAndSet(false, true)) {
                context.runOnContext(
                    x -> {
                      if (ce == null) {
                        m.reply(v.function());
                      } else {
                        m.fail(ce.code().failureCode(), ce.getMessage());
                      }
                    });
              }
            };
        submit(
            m,
            () -> {
              CloudburstException failed = null;
              try {
                contexts.validate(v.function(), answer);
              } catch (
                  Throwable
                      t) { // an Error too: the registration gets an answer, never a wait for its
                // timeout
                failed = CloudburstException.from(t);
              }
              answer.accept(failed);
            });
      }
      case RunDag r -> {
        m.reply(new SchedulerReply.Ack());
        dags.run(r.schedule());
      }
      case Trigger t -> dags.trigger(t);
      case Direct d -> {
        mailboxes.deliver(d);
        m.reply(new SchedulerReply.Ack());
      }
    }
  }

  private void submit(Message<ExecutorRequest> m, Runnable work) {
    if (!contexts.submit(work)) {
      m.fail(
          ErrorCode.NO_RESOURCES.failureCode(),
          "executor " + address + " is overloaded (queue full)");
    }
  }

  private CallResult execute(Execute e, Consumer<CallResult> cancelled) {
    long timeout = e.timeoutMs() > 0 ? e.timeoutMs() : options.defaultTimeoutMs();
    Invocation inv =
        new Invocation(
            e.callId(),
            e.function().name(),
            e.callId(),
            e.depth(),
            System.currentTimeMillis() + timeout,
            null,
            null,
            e.txn(),
            e.txn() == null ? null : new WriteBuffer(),
            null);
    CallResult r = runner.run(e.callId(), e.function(), e.args(), inv, e.awaitRefsMs(), cancelled);
    // An atomic call's writes go back with its result, for the scheduler to commit; a failed call
    // takes none (its buffer is simply dropped: the abort).
    return r.withBuffer(inv.buffer());
  }

  /** The DAG steps' view of this verticle: its workers, its context, and the bus. */
  private final class StepPort implements DagSteps.Port {
    private final PinnedVersions pinned;

    StepPort(PinnedVersions pinned) {
      this.pinned = pinned;
    }

    @Override
    public boolean submit(Runnable work) {
      return contexts.submit(work);
    }

    @Override
    public void onContext(Runnable task) {
      context.runOnContext(v -> task.run());
    }

    @Override
    public long timer(long delayMs, Runnable task) {
      return vertx.setTimer(delayMs, t -> task.run());
    }

    @Override
    public void cancelTimer(long id) {
      vertx.cancelTimer(id);
    }

    @Override
    public void send(String to, Object message) {
      vertx.eventBus().send(to, message);
    }

    @Override
    public CallResult run(
        String resultId,
        FunctionInfo f,
        List<Object> args,
        Invocation inv,
        Consumer<CallResult> cancelled) {
      return runner.run(resultId, f, args, inv, 0, cancelled);
    }

    @Override
    public void pin(String session, Map<String, Lattice> versions, long expiresAt) {
      pinned.pin(session, versions, expiresAt);
    }

    @Override
    public void ended(String invocationId) {
      mailboxes.forget(invocationId);
    }
  }
}
