package io.cloudburst.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsistencyTest {

  @Test
  void wireNamesParseToTheirLevelAndAbsentMeansNormal() {
    assertThat(Consistency.parse(null)).isEqualTo(Consistency.NORMAL);
    for (Consistency c : Consistency.values()) {
      assertThat(Consistency.parse(c.wireName())).isEqualTo(c);
    }
    assertThat(Consistency.REPEATABLE_READ.wireName()).isEqualTo("repeatable_read");
  }

  @Test
  void anUnknownLevelIsABadRequestNamingTheChoices() {
    assertThatThrownBy(() -> Consistency.parse("serializable"))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining("consistency")
        .hasMessageContaining("repeatable_read");
    assertThatThrownBy(() -> Consistency.parse("")).isInstanceOf(CloudburstException.class);
  }

  @Test
  void onlyNormalLeavesReadsUntracked() {
    assertThat(Consistency.NORMAL.tracksReads()).isFalse();
    assertThat(Consistency.CAUSAL.tracksReads()).isTrue();
    assertThat(Consistency.REPEATABLE_READ.tracksReads()).isTrue();
  }
}
