package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ResultLookupTest {
  private final Fakes.Clock clock = new Fakes.Clock();
  private final Fakes.Nodes nodes = new Fakes.Nodes();
  private final Set<String> known = new TreeSet<>();
  private final ResultLookup lookup =
      new ResultLookup("n1", new ResultStore(100, 60_000), () -> known, nodes, clock);

  private static ErrorCode code(Future<?> f) {
    return CloudburstException.from(f.cause()).code();
  }

  @Test
  void aResultHeldHereIsAnsweredWithoutAskingAnyone() {
    known.add("n2");
    lookup.hold(CallResult.pending("n1-abc", "f"));
    assertThat(lookup.lookup("n1-abc").result().status()).isEqualTo(CallResult.Status.PENDING);
    lookup.hold(CallResult.done("n1-abc", "f", 3L, "", "e", 1));
    assertThat(lookup.lookup("n1-abc").result().result()).isEqualTo(3L);
    assertThat(lookup.heldOrNotFound("n1-abc").result()).isEqualTo(3L);
    assertThat(nodes.asks).isEmpty();
  }

  @Test
  void aResultOfAnotherKnownNodeIsAskedOfThatNodeOnly() {
    known.add("n2-x");
    known.add("n2"); // prefixes the id too, but did not start the call
    Future<CallResult> answer = lookup.lookup("n2-x-0123abcd");
    assertThat(nodes.asks).extracting(Fakes.Nodes.Ask::node).containsExactly("n2-x");
    for (Fakes.Nodes.Ask a : nodes.asks) {
      a.reply().complete(CallResult.done(a.callId(), "f", 5L, "", "e", 1));
    }
    assertThat(answer.result().id()).isEqualTo("n2-x-0123abcd");
    assertThat(answer.result().result()).isEqualTo(5L);
  }

  @Test
  void anIdNotHeldAndOfNoKnownNodeIsNotFoundWithoutAsking() {
    known.add("n2");
    assertThat(code(lookup.lookup("n9-0123abcd"))).isEqualTo(ErrorCode.RESULT_NOT_FOUND);
    assertThat(code(lookup.lookup("nope"))).isEqualTo(ErrorCode.RESULT_NOT_FOUND);
    assertThat(code(lookup.lookup("n1-0123abcd")))
        .isEqualTo(ErrorCode.RESULT_NOT_FOUND); // this node's, and not held
    assertThat(nodes.asks).isEmpty();
  }

  @Test
  void anIdTheOwningNodeDoesNotHoldIsNotFound() {
    known.add("n2");
    Future<CallResult> answer = lookup.lookup("n2-0123abcd");
    assertThat(nodes.asks).hasSize(1);
    nodes
        .asks
        .get(0)
        .reply()
        .fail(CloudburstException.notFound(ErrorCode.RESULT_NOT_FOUND, "no call"));
    assertThat(code(answer)).isEqualTo(ErrorCode.RESULT_NOT_FOUND);
    assertThat(answer.cause().getMessage()).contains("n2");
  }

  @Test
  void finishedResultsExpireAfterTheirRetention() {
    lookup.hold(CallResult.done("n1-abc", "f", 3L, "", "e", 1));
    clock.now += 60_001;
    lookup.expire();
    assertThat(lookup.held("n1-abc")).isNull();
  }
}
