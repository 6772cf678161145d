package io.cloudburst.bus.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The thin copies sent to another node keep everything but the sources of others' functions. */
class ThinRecordsTest {
  private static final FunctionInfo SQ =
      new FunctionInfo("sq", "python", 1, "def sq(cb, x):\n    return x * x\n", "sq", 5L);
  private static final FunctionInfo INCR =
      new FunctionInfo("incr", "python", 3, "def incr(cb, x):\n    return x + 1\n", "incr", 6L);

  @Test
  void aThinScheduleKeepsTheCallsTransactionConsistencyAndSession() {
    DagSchedule full =
        new DagSchedule(
            "c#0",
            "d",
            Map.of("incr", INCR, "sq", SQ),
            Map.of("incr", "ex.a.0", "sq", "ex.b.0"),
            Map.of("incr", List.of(), "sq", List.of("incr")),
            Map.of("incr", List.of("sq"), "sq", List.of()),
            Map.of("incr", List.of(1L), "sq", List.of(2L)),
            List.of("sq"),
            "events.a",
            123L,
            1,
            Consistency.REPEATABLE_READ,
            null,
            "txn-1");
    DagSchedule thin = full.thinFor("ex.b.0");
    assertThat(thin.txn()).isEqualTo("txn-1");
    assertThat(thin.consistency()).isEqualTo(Consistency.REPEATABLE_READ);
    assertThat(thin.callId()).isEqualTo("c#0");
    assertThat(thin.deadline()).isEqualTo(123L);
    assertThat(thin.functions()).isEqualTo(Map.of("sq", SQ.thin()));
    assertThat(thin.args()).isEqualTo(Map.of("sq", List.of(2L)));
  }

  @Test
  void anExecuteWithAThinFunctionKeepsItsTransaction() {
    ExecutorRequest.Execute e =
        new ExecutorRequest.Execute("c1", SQ, List.of(2L), 1_000, 0, 50, "txn-2");
    ExecutorRequest.Execute thin = e.withFunction(SQ.thin());
    assertThat(thin.txn()).isEqualTo("txn-2");
    assertThat(thin.awaitRefsMs()).isEqualTo(50);
    assertThat(thin.function()).isEqualTo(SQ.thin());
  }
}
