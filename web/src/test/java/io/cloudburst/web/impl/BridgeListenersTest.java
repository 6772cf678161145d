package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which socket listens on which bridge address: the first and last listener of each address. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BridgeListenersTest {
  private final BridgeListeners listeners = new BridgeListeners();
  private final Object a = new Object();
  private final Object b = new Object();

  @Test
  void theFirstListenerOfAnAddressIsReportedOnce() {
    assertThat(listeners.add(a, "k")).isTrue();
    assertThat(listeners.add(b, "k")).isFalse();
    assertThat(listeners.add(a, "k")).isFalse();
    assertThat(listeners.count(a)).isEqualTo(1);
    assertThat(listeners.addresses()).isEqualTo(1);
  }

  @Test
  void onlyTheLastListenerGoingEmptiesAnAddress() {
    listeners.add(a, "k");
    listeners.add(b, "k");
    assertThat(listeners.remove(a, "k")).isFalse();
    assertThat(listeners.remove(a, "k")).as("a second remove of the same listener").isFalse();
    assertThat(listeners.hasListeners("k")).isTrue();
    assertThat(listeners.remove(b, "k")).isTrue();
    assertThat(listeners.hasListeners("k")).isFalse();
    assertThat(listeners.knows(b)).isFalse();
  }

  @Test
  void aClosedSocketReportsTheAddressesItLeavesEmpty() {
    listeners.add(a, "k1");
    listeners.add(a, "k2");
    listeners.add(b, "k2");
    assertThat(listeners.removeSocket(a)).containsExactly("k1");
    assertThat(listeners.removeSocket(a)).isEmpty();
    assertThat(listeners.hasListeners("k2")).isTrue();
    assertThat(listeners.removeSocket(b)).containsExactly("k2");
    assertThat(listeners.addresses()).isZero();
  }

  @Test
  void removingAnAddressForgetsItsListenersSoTheyAreToldOnce() {
    listeners.add(a, "r");
    listeners.add(b, "r");
    listeners.add(b, "other");
    assertThat(listeners.removeAddress("r")).containsExactlyInAnyOrder(a, b);
    assertThat(listeners.listening(a, "r")).isFalse();
    assertThat(listeners.knows(a)).isFalse();
    assertThat(listeners.count(b)).isEqualTo(1);
    assertThat(listeners.remove(b, "r")).isFalse();
    assertThat(listeners.removeAddress("r")).isEmpty();
  }

  @Test
  void socketsAreComparedByIdentity() {
    Object equalButDistinct1 = new java.util.ArrayList<>();
    Object equalButDistinct2 = new java.util.ArrayList<>();
    listeners.add(equalButDistinct1, "k");
    listeners.add(equalButDistinct2, "k");
    assertThat(listeners.remove(equalButDistinct1, "k")).isFalse();
    assertThat(listeners.remove(equalButDistinct2, "k")).isTrue();
  }
}
