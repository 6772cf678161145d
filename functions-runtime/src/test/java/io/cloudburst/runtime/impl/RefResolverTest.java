package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.value.Ref;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RefResolverTest {
  /**
   * A fake cache: the keys it holds, the lookups asked of it, and keys that appear after some
   * lookups.
   */
  static final class FakeStore implements RefResolver.Lookup {
    final Map<String, Lattice> held = new HashMap<>();
    final List<List<String>> asked = new ArrayList<>();
    final Map<String, Integer> appearAfter = new HashMap<>();

    void put(String key, Object value) {
      held.put(key, Lattices.write(null, LatticeKind.LWW, value, "n", 1));
    }

    @Override
    public Map<String, Lattice> lookup(Invocation inv, List<String> keys) {
      asked.add(List.copyOf(keys));
      appearAfter.forEach(
          (k, n) -> {
            if (asked.size() > n) {
              put(k, "late " + k);
            }
          });
      Map<String, Lattice> out = new HashMap<>();
      for (String k : keys) {
        if (held.containsKey(k)) {
          out.put(k, held.get(k));
        }
      }
      return out;
    }
  }

  private static Invocation inv(long deadlineFromNowMs) {
    return new Invocation("c", "f", "c", 0, System.currentTimeMillis() + deadlineFromNowMs, null);
  }

  @Test
  void argumentsWithoutRefsAreReturnedAsTheyAreWithoutALookup() {
    FakeStore store = new FakeStore();
    List<Object> args = List.of(1L, "x", Map.of("a", List.of(2L)));
    assertThat(new RefResolver(store).resolve(args, inv(1_000), 0)).isSameAs(args);
    assertThat(store.asked).isEmpty();
  }

  @Test
  void nestedRefsAreReplacedByTheirValuesInOneLookupAndAMissingKeyBecomesNull() {
    FakeStore store = new FakeStore();
    store.put("k1", 41L);
    List<Object> args =
        List.of(new Ref("k1"), Map.of("inner", List.of(new Ref("k1"), new Ref("gone"))));
    List<Object> out = new RefResolver(store).resolve(args, inv(1_000), 0);
    assertThat(out.get(0)).isEqualTo(41L);
    assertThat(out.get(1)).isEqualTo(Map.of("inner", java.util.Arrays.asList(41L, null)));
    assertThat(store.asked).hasSize(1);
  }

  @Test
  void withAnAwaitTimeAMissingKeyIsLookedUpAgainUntilItAppears() {
    FakeStore store = new FakeStore();
    store.put("here", 1L);
    store.appearAfter.put("later", 2);
    List<Object> out =
        new RefResolver(store)
            .resolve(List.of(new Ref("here"), new Ref("later")), inv(5_000), 2_000);
    assertThat(out).containsExactly(1L, "late later");
    assertThat(store.asked).hasSize(3);
    assertThat(store.asked.get(1))
        .as("only the absent key is asked again")
        .containsExactly("later");
  }

  @Test
  void aKeyThatNeverAppearsFailsWithTimeoutNamingIt() {
    FakeStore store = new FakeStore();
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> new RefResolver(store).resolve(List.of(new Ref("never")), inv(5_000), 150))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
              assertThat(e.getMessage()).contains("[never]").contains("150 ms");
            });
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(150L, 2_000L);
  }
}
