package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionRegistryTest {
  private static FunctionInfo fn(String name, int version, String source) {
    return new FunctionInfo(name, "python", version, source, name, version);
  }

  @Test
  void reRegisteringMakesANewCurrentVersionAndKeepsTheOld() {
    FunctionRegistry r = new FunctionRegistry();
    r.add(fn("sq", r.nextVersion("sq"), "v1"));
    r.add(fn("sq", r.nextVersion("sq"), "v2"));
    assertThat(r.current("sq").version()).isEqualTo(2);
    assertThat(r.current("sq").source()).isEqualTo("v2");
    assertThat(r.get("sq", 1).source()).isEqualTo("v1");
    assertThat(r.history("sq")).extracting(FunctionInfo::version).containsExactly(1, 2);
  }

  @Test
  void unknownNameOrVersionIsFuncNotFound() {
    FunctionRegistry r = new FunctionRegistry();
    r.add(fn("sq", 1, "v1"));
    assertThatThrownBy(() -> r.current("nope"))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.FUNC_NOT_FOUND));
    assertThatThrownBy(() -> r.get("sq", 7))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.FUNC_NOT_FOUND));
  }

  @Test
  void versionsMustBeAddedInOrder() {
    FunctionRegistry r = new FunctionRegistry();
    assertThatThrownBy(() -> r.add(fn("sq", 2, "v2"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void removeForgetsEveryVersionAndListingIsSortedByName() {
    FunctionRegistry r = new FunctionRegistry();
    r.add(fn("b", 1, "x"));
    r.add(fn("a", 1, "x"));
    r.add(fn("a", 2, "y"));
    assertThat(r.currentAll()).extracting(FunctionInfo::versionKey).containsExactly("a@2", "b@1");
    r.remove("a");
    assertThat(r.contains("a")).isFalse();
    assertThat(r.nextVersion("a")).isEqualTo(1);
  }

  @Test
  void replaceTakesTheStoredHistoryAndAnEmptyOneRemoves() {
    FunctionRegistry r = new FunctionRegistry();
    r.add(fn("sq", 1, "v1"));
    r.replace("sq", List.of(fn("sq", 1, "v1"), fn("sq", 2, "v2 of another node")));
    assertThat(r.current("sq").version()).isEqualTo(2);
    assertThat(r.nextVersion("sq")).isEqualTo(3);
    r.replace("new", List.of(fn("new", 1, "x")));
    assertThat(r.contains("new")).isTrue();
    assertThatThrownBy(() -> r.replace("sq", List.of(fn("sq", 2, "a"), fn("sq", 1, "b"))))
        .isInstanceOf(IllegalStateException.class);
    r.replace("sq", List.of());
    assertThat(r.contains("sq")).isFalse();
    r.replace("never", List.of());
    assertThat(r.contains("never")).isFalse();
  }
}
