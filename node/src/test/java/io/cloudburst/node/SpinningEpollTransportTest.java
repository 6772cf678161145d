package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event loop's select strategy, driven directly with a fake non-blocking select. */
class SpinningEpollTransportTest {
  private final AtomicInteger selects = new AtomicInteger();
  private int ready;

  private int strategy(SpinningEpollTransport.Strategy s, boolean hasTasks) throws Exception {
    return s.calculateStrategy(
        () -> {
          selects.incrementAndGet();
          return ready;
        },
        hasTasks);
  }

  @Test
  void withoutSpinningItBlocksAtOnceAndLooksForIoWhenTasksWait() throws Exception {
    var s = new SpinningEpollTransport.Strategy(0);
    assertThat(strategy(s, false)).isEqualTo(SelectStrategy.SELECT);
    ready = 2;
    assertThat(strategy(s, true)).isEqualTo(2);
    assertThat(selects.get()).isEqualTo(1);
  }

  @Test
  void pollsItsQueueWhileIdleThenBlocks() throws Exception {
    long spin = TimeUnit.MILLISECONDS.toNanos(30);
    var s = new SpinningEpollTransport.Strategy(spin);
    long t0 = System.nanoTime();
    int continues = 0;
    int result;
    while ((result = strategy(s, false)) == SelectStrategy.CONTINUE) {
      continues++;
    }
    long took = System.nanoTime() - t0;
    assertThat(result).isEqualTo(SelectStrategy.SELECT);
    assertThat(continues).isGreaterThan(10);
    assertThat(took).isGreaterThanOrEqualTo(spin);
    // It looked for I/O now and then while polling, not on every turn.
    assertThat(selects.get()).isBetween(1, continues / 2);
    // Work starts a new idle period: polling again, not blocking.
    assertThat(strategy(s, true)).isZero();
    assertThat(strategy(s, false)).isEqualTo(SelectStrategy.CONTINUE);
  }

  @Test
  void ioThatArrivesWhilePollingIsHandled() throws Exception {
    var s = new SpinningEpollTransport.Strategy(TimeUnit.SECONDS.toNanos(60));
    assertThat(strategy(s, false)).isEqualTo(SelectStrategy.CONTINUE);
    ready = 1;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int result;
    while ((result = strategy(s, false)) == SelectStrategy.CONTINUE) {
      assertThat(System.nanoTime()).isLessThan(until);
    }
    assertThat(result).isEqualTo(1);
  }
}
