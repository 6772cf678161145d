package io.cloudburst.bus.session;

import io.cloudburst.bus.lattice.CausalLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which version of a key a session read, small enough to travel with every trigger: for a
 * last-writer-wins key its write's {@code timestamp@nodeId}; for the causal kinds the joined vector
 * clock of its versions; for sets and counters a digest of the state. Two reads saw the same
 * version exactly when their {@code Version}s are equal.
 *
 * @param tag the write's identity ({@code ""} for the causal kinds, whose clock identifies them)
 * @param clock the causal kinds' clock; empty for the other kinds
 */
public record Version(String tag, VectorClock clock) {
  /** What a read of an absent key saw. */
  public static final Version ABSENT = new Version("absent", VectorClock.empty());

  public Version {
    tag = tag == null ? "" : tag;
    clock = clock == null ? VectorClock.empty() : clock;
  }

  /** The version of a state; {@link #ABSENT} for null. */
  public static Version of(Lattice state) {
    return switch (state) {
      case null -> ABSENT;
      case LwwLattice l -> new Version(l.timestamp() + "@" + l.nodeId(), VectorClock.empty());
      case CausalLattice c -> new Version("", c.clock());
      case MultiKeyCausalLattice c -> new Version("", c.clock());
      default -> new Version(digest(state.encode()), VectorClock.empty());
    };
  }

  /**
   * The causal clock of a state: the joined clock of the causal kinds, empty for the others and for
   * null.
   */
  public static VectorClock clockOf(Lattice state) {
    return switch (state) {
      case CausalLattice c -> c.clock();
      case MultiKeyCausalLattice c -> c.clock();
      case null, default -> VectorClock.empty();
    };
  }

  private static String digest(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
