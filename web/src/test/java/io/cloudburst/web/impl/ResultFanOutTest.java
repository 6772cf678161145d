package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.CallResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultFanOutTest {
  @Test
  void eachResultReachesEverySinkInOrderEvenPastOneThatThrows() {
    List<String> seen = new ArrayList<>();
    ResultFanOut fanOut =
        new ResultFanOut(
            List.of(
                r -> seen.add("futures " + r.id()),
                r -> {
                  throw new IllegalStateException("a broken sink");
                },
                r -> seen.add("metrics " + r.id())));
    fanOut.deliver(CallResult.done("c1", "f", 1L, null, "ex", 3));
    fanOut.deliver(CallResult.pending("c2", "f"));
    assertThat(seen).containsExactly("futures c1", "metrics c1", "futures c2", "metrics c2");
  }
}
