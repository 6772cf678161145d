package io.cloudburst.node;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.IntSupplier;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.transport.Transport;

/**
 * Vert.x's Linux epoll transport whose event loops, when they run out of work, keep looking at
 * their task queue for a bounded time before they block in {@code epoll_wait}.
 *
 * <p>Why: on a virtual machine an event loop blocked in {@code epoll_wait} leaves its CPU to halt,
 * and a worker's reply must then wake it (an eventfd write, then the hypervisor waking the CPU):
 * tens of microseconds, more than a whole small call. A loop that is still polling when the reply
 * arrives takes it straight from its queue (Netty writes the eventfd only for a loop that is
 * blocked). While it polls, the loop looks for I/O with a non-blocking {@code epoll_wait} every
 * {@link Strategy#IO_POLL_NANOS}, and it yields its processor every few polls so that other
 * runnable threads are not kept waiting. After {@code spinMicros} without work it blocks as usual,
 * so an idle node costs nothing; 0 gives Netty's own behaviour.
 */
final class SpinningEpollTransport implements Transport {
  private final io.vertx.core.spi.transport.Transport impl;

  SpinningEpollTransport(long spinMicros) {
    long spinNanos = spinMicros * 1_000;
    this.impl =
        new EpollTransport() {
          @Override
          public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory(0, () -> new Strategy(spinNanos));
          }
        };
  }

  @Override
  public String name() {
    return "epoll";
  }

  @Override
  public boolean available() {
    return impl.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return impl.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return impl;
  }

  /**
   * One event loop's strategy (Netty makes one per loop, so its fields are confined to that loop's
   * thread).
   */
  static final class Strategy implements SelectStrategy {
    /** While spinning, how often the loop looks for I/O (a non-blocking epoll_wait). */
    static final long IO_POLL_NANOS = 20_000;

    private static final int POLLS_PER_YIELD = 64;

    private final long spinNanos;

    /** When the loop ran out of work (System.nanoTime), or 0 while it has work or blocks. */
    private long idleSince;

    private long lastIoPoll;
    private int polls;

    Strategy(long spinNanos) {
      this.spinNanos = spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
      if (hasTasks) {
        idleSince = 0;
        return selectNow.get();
      }
      if (spinNanos == 0) {
        return SelectStrategy.SELECT;
      }
      long now = System.nanoTime();
      if (idleSince == 0) {
        idleSince = now;
        lastIoPoll = now;
      }
      if (now - idleSince >= spinNanos) {
        idleSince = 0;
        return SelectStrategy.SELECT;
      }
      if (now - lastIoPoll >= IO_POLL_NANOS) {
        lastIoPoll = now;
        int ready = selectNow.get();
        if (ready > 0) {
          idleSince = 0;
          return ready;
        }
      }
      if (++polls % POLLS_PER_YIELD == 0) {
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
      return SelectStrategy.CONTINUE;
    }
  }
}
