package io.cloudburst.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedSequencerTest {
  @Test
  void workOfOneKeyRunsInOrderEvenAfterAFailureAndOtherKeysDoNotWait() {
    KeyedSequencer seq = new KeyedSequencer();
    List<String> log = new ArrayList<>();
    Promise<String> first = Promise.promise();
    Future<String> a1 =
        seq.run(
            "a",
            () -> {
              log.add("a1 start");
              return first.future();
            });
    Future<String> a2 =
        seq.run(
            "a",
            () -> {
              log.add("a2 start");
              throw new IllegalStateException("boom");
            });
    Future<String> a3 =
        seq.run(
            "a",
            () -> {
              log.add("a3 start");
              return Future.succeededFuture("a3");
            });
    Future<String> b1 =
        seq.run(
            "b",
            () -> {
              log.add("b1 start");
              return Future.succeededFuture("b1");
            });
    assertThat(log).containsExactly("a1 start", "b1 start");
    assertThat(b1.result()).isEqualTo("b1");
    first.complete("a1");
    assertThat(log).containsExactly("a1 start", "b1 start", "a2 start", "a3 start");
    assertThat(a1.result()).isEqualTo("a1");
    assertThat(a2.failed()).isTrue();
    assertThat(a3.result()).isEqualTo("a3");
    assertThat(seq.size()).as("finished keys are forgotten").isZero();
  }
}
