package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallIdsTest {
  private static final int SAMPLES = 2_000;

  @Test
  void idsAreTheNodeIdAnd128RandomBitsInHex() {
    CallIds ids = new CallIds("n2-x");
    Set<String> seen = new HashSet<>();
    // Every one of the 128 bits must take both values across the samples: a counter, a clock or
    // fewer random bits leaves high bits fixed. (Each bit stays fixed over 2,000 fair draws with
    // probability 2^-1999.)
    BigInteger everOne = BigInteger.ZERO;
    BigInteger everZero = BigInteger.ZERO;
    BigInteger all = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    for (int i = 0; i < SAMPLES; i++) {
      String id = ids.next();
      assertThat(id).matches("n2-x-[0-9a-f]{32}");
      assertThat(seen.add(id)).isTrue();
      BigInteger bits = new BigInteger(id.substring("n2-x-".length()), 16);
      everOne = everOne.or(bits);
      everZero = everZero.or(bits.xor(all));
    }
    assertThat(everOne).isEqualTo(all);
    assertThat(everZero).isEqualTo(all);
  }

  @Test
  void theOriginNodeIsEverythingBeforeTheLastDash() {
    assertThat(CallIds.originNode(new CallIds("n2-x").next())).isEqualTo("n2-x");
    assertThat(CallIds.originNode(new CallIds("local").next())).isEqualTo("local");
    assertThat(CallIds.originNode("nodash")).isNull();
    assertThat(CallIds.originNode("-abc")).isNull();
    assertThat(CallIds.originNode(null)).isNull();
  }
}
