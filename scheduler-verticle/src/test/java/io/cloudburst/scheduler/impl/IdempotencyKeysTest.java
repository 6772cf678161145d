package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
  private final Map<String, CallResult> kept = new HashMap<>();
  private final IdempotencyKeys keys = new IdempotencyKeys(2, kept::get);

  @Test
  void aRepeatOfAFinishedCallIsAnsweredTheFirstResult() {
    assertThat(keys.repeatOf("k", "function f", true)).isNull();
    keys.started("k", "function f", "c1");
    kept.put("c1", CallResult.done("c1", "f", 4L, "", "e", 1));
    Future<CallResult> repeat = keys.repeatOf("k", "function f", true);
    assertThat(repeat.succeeded()).isTrue();
    assertThat(repeat.result().result()).isEqualTo(4L);
  }

  @Test
  void aRepeatOfARunningCallWaitsForItsOutcomeOrTakesThePendingOne() {
    keys.started("k", "function f", "c1");
    kept.put("c1", CallResult.pending("c1", "f"));
    assertThat(keys.repeatOf("k", "function f", false).result().status())
        .isEqualTo(CallResult.Status.PENDING);
    Future<CallResult> waiting = keys.repeatOf("k", "function f", true);
    assertThat(waiting.isComplete()).isFalse();
    keys.finished(CallResult.done("c1", "f", 9L, "", "e", 1));
    assertThat(waiting.result().result()).isEqualTo(9L);
  }

  @Test
  void aKeyWhoseResultIsGoneStartsANewCallAndIsForgotten() {
    keys.started("k", "function f", "c1");
    assertThat(keys.size()).isEqualTo(1);
    // c1's result expired (nothing is kept for it): a new call.
    assertThat(keys.repeatOf("k", "function f", true)).isNull();
    assertThat(keys.size()).isZero();
  }

  @Test
  void theOldestKeysAreForgottenPastTheBound() {
    keys.started("a", "function f", "c1");
    keys.started("b", "function f", "c2");
    keys.started("c", "function f", "c3");
    kept.put("c1", CallResult.pending("c1", "f"));
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.repeatOf("a", "function f", false)).isNull();
  }

  @Test
  void aKeyUsedForAnotherTargetOrMalformedIsRefused() {
    keys.started("k", "function f", "c1");
    kept.put("c1", CallResult.pending("c1", "f"));
    assertThatThrownBy(() -> keys.repeatOf("k", "DAG d", true))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    assertThatThrownBy(() -> keys.repeatOf("", "function f", true))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThatThrownBy(
            () -> keys.repeatOf("x".repeat(IdempotencyKeys.MAX_REQUEST_ID + 1), "function f", true))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }
}
