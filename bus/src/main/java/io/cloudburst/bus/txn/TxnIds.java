package io.cloudburst.bus.txn;

import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Names of atomic calls (transactions): the transaction id of a call, the reserved key of its
 * commit record, the writer stamp its last-writer-wins versions carry and the recent writers its
 * set and counter versions carry, by which a reader tells which transactions wrote a version it
 * read.
 *
 * <p>A call with a {@code request_id} takes its transaction id from that id (a hash of it), so
 * every run of the request, on any node and after any restart, writes the same stamps and the same
 * commit record: a second commit of the same request is found before it happens, and would join to
 * the same state if it did.
 */
public final class TxnIds {
  /** Where commit records live: {@code __cloudburst/txn/<txn id>}. */
  public static final String RECORD_PREFIX = Keys.SYSTEM_PREFIX + "txn/";

  /** The writer id of a transaction's last-writer-wins versions (and counter entries). */
  public static final String STAMP_PREFIX = "txn:";

  private TxnIds() {}

  /** The transaction id of call {@code callId}, or of request {@code requestId} when not null. */
  public static String of(String callId, String requestId) {
    if (requestId == null) {
      return callId;
    }
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
      return "req-" + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key of transaction {@code txn}'s commit record. */
  public static String recordKey(String txn) {
    return RECORD_PREFIX + txn;
  }

  /** The writer id transaction {@code txn} writes its versions with. */
  public static String stamp(String txn) {
    return STAMP_PREFIX + txn;
  }

  /** The transaction that wrote {@code version} (a last-writer-wins one), or null. */
  public static String writerOf(Lattice version) {
    if (version instanceof LwwLattice l && l.nodeId().startsWith(STAMP_PREFIX)) {
      return l.nodeId().substring(STAMP_PREFIX.length());
    }
    return null;
  }

  /**
   * The transactions known to have written {@code version}: a last-writer-wins version's one
   * writer, a set's or counter's recent writers (newest first, at most {@link
   * io.cloudburst.bus.lattice.RecentWriters#MAX}), none for other kinds or null.
   */
  public static List<String> writersOf(Lattice version) {
    return switch (version) {
      case SetLattice s -> s.writers().newestFirst();
      case CounterLattice c -> c.writers().newestFirst();
      case null -> List.of();
      default -> {
        String w = writerOf(version);
        yield w == null ? List.of() : List.of(w);
      }
    };
  }

  /**
   * {@code written}, a write transaction {@code txn} made at {@code timestamp} with its {@link
   * #stamp}, marked as the transaction's: a set or counter gets {@code txn} among its recent
   * writers; other kinds are returned as they are (a last-writer-wins version names its writer by
   * the stamp already).
   */
  public static Lattice marked(Lattice written, String txn, long timestamp) {
    return switch (written) {
      case SetLattice s -> s.withWriter(txn, timestamp);
      case CounterLattice c -> c.withWriter(txn, timestamp);
      default -> written;
    };
  }
}
