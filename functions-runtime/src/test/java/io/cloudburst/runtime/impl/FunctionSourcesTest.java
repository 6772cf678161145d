package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sources of function versions sent without them: fetched once per version, then kept. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FunctionSourcesTest {
  private static final FunctionInfo SQ =
      new FunctionInfo("sq", "python", 2, "def sq(cb, x):\n    return x * x\n", "sq", 100L);

  private final List<String> fetched = new ArrayList<>();

  private FunctionSources sources(FunctionInfo registered) {
    return new FunctionSources(
        (name, version, budget) -> {
          fetched.add(name + "@" + version + " within " + budget);
          return registered;
        });
  }

  @Test
  void aThinVersionIsFetchedOnceFromTheRegistryAndThenKept() {
    FunctionSources s = sources(SQ);
    assertThat(s.complete(SQ.thin(), 500)).isEqualTo(SQ);
    assertThat(s.complete(SQ.thin(), 500)).isEqualTo(SQ);
    assertThat(fetched).containsExactly("sq@2 within 500");
    assertThat(s.fetches()).isEqualTo(1);
  }

  @Test
  void aVersionThatCameWithItsSourceIsNeverFetched() {
    FunctionSources s = sources(null);
    assertThat(s.complete(SQ, 500)).isSameAs(SQ);
    assertThat(s.complete(SQ.thin(), 500)).isSameAs(SQ);
    assertThat(fetched).isEmpty();
  }

  @Test
  void aFunctionRegisteredAgainAfterTheCallWasMadeIsNotRunInItsPlace() {
    FunctionInfo again =
        new FunctionInfo("sq", "python", 2, "def sq(cb, x):\n    return -x\n", "sq", 999L);
    FunctionSources s = sources(again);
    assertThatThrownBy(() -> s.complete(SQ.thin(), 500))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.FUNC_NOT_FOUND));
  }

  @Test
  void thinDropsOnlyTheSource() {
    FunctionInfo thin = SQ.thin();
    assertThat(thin.source()).isNull();
    assertThat(thin.contextKey()).isEqualTo(SQ.contextKey());
    assertThat(thin.entrypoint()).isEqualTo("sq");
    assertThat(thin.thin()).isSameAs(thin);
  }

  @Test
  void withoutARegistryAThinVersionIsAnInternalError() {
    assertThatThrownBy(() -> FunctionSources.none().complete(SQ.thin(), 500))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
  }
}
