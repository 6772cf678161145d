package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the scheduler sends its executors: full function versions on its own node, versions without
 * sources (and no Ack asked for a schedule) to another node's executors.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BusGatewayTest {
  private static final FunctionInfo SQ =
      new FunctionInfo("sq", "python", 1, "def sq(cb, x):\n    return x * x\n", "sq", 5L);

  private static final FunctionInfo INCR =
      new FunctionInfo("incr", "python", 3, "def incr(cb, x):\n    return x + 1\n", "incr", 6L);

  /** incr on this node's executor 0, then sq on {@code executor}. */
  private static DagSchedule schedule(String executor) {
    return new DagSchedule(
        "c#0",
        "d",
        Map.of("incr", INCR, "sq", SQ),
        Map.of("incr", Addresses.executor("me", 0), "sq", executor),
        Map.of("incr", List.of(), "sq", List.of("incr")),
        Map.of("incr", List.of("sq"), "sq", List.of()),
        Map.of("incr", List.of(1L), "sq", List.of(2L)),
        List.of("sq"),
        Addresses.dagEvents("me"),
        Long.MAX_VALUE,
        0,
        Consistency.NORMAL,
        null,
        null);
  }

  @Test
  void anotherNodesExecutorGetsVersionsWithoutSourcesAndNoAckIsAskedOfIt(
      Vertx vertx, VertxTestContext ctx) {
    CloudburstCodecs.register(vertx);
    BusGateway gateway = new BusGateway(vertx, "me", 1_000);
    String remote = Addresses.executor("other", 0);
    var seen = ctx.checkpoint(2);
    vertx
        .eventBus()
        .<ExecutorRequest>consumer(
            remote,
            m -> {
              switch (m.body()) {
                case ExecutorRequest.RunDag r -> {
                  ctx.verify(
                      () -> {
                        assertThat(r.schedule().functions()).isEqualTo(Map.of("sq", SQ.thin()));
                        assertThat(r.schedule().args()).isEqualTo(Map.of("sq", List.of(2L)));
                        assertThat(r.schedule().placement())
                            .isEqualTo(schedule(remote).placement());
                        assertThat(r.schedule().upstreams()).containsEntry("sq", List.of("incr"));
                        assertThat(m.replyAddress()).as("no Ack asked").isNull();
                      });
                  seen.flag();
                }
                case ExecutorRequest.Execute e -> {
                  ctx.verify(() -> assertThat(e.function()).isEqualTo(SQ.thin()));
                  m.reply(CallResult.done(e.callId(), "sq", 4L, null, remote, 1));
                  seen.flag();
                }
                default -> ctx.failNow("unexpected " + m.body());
              }
            })
        .completion()
        .compose(v -> gateway.runDag(remote, schedule(remote)))
        .compose(
            v ->
                gateway.execute(
                    remote, new ExecutorRequest.Execute("c1", SQ, List.of(2L), 1_000, 0), 1_000))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void thisNodesExecutorGetsTheWholeVersionAndAcknowledgesTheSchedule(
      Vertx vertx, VertxTestContext ctx) {
    CloudburstCodecs.register(vertx);
    BusGateway gateway = new BusGateway(vertx, "me", 1_000);
    String local = Addresses.executor("me", 0);
    vertx
        .eventBus()
        .<ExecutorRequest>consumer(
            local,
            m -> {
              if (m.body() instanceof ExecutorRequest.RunDag r) {
                ctx.verify(() -> assertThat(r.schedule().functions().get("sq")).isSameAs(SQ));
                ctx.verify(() -> assertThat(r.schedule().functions()).hasSize(2));
                m.reply(new SchedulerReply.Ack());
              }
            })
        .completion()
        .compose(v -> gateway.runDag(local, schedule(local)))
        .onComplete(ctx.succeedingThenComplete());
  }
}
