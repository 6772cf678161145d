package io.cloudburst.bus.txn;

import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of atomic calls (transactions): the transaction id of a call, the reserved key of its
 * commit record, and the writer stamp its last-writer-wins versions carry, by which a reader tells
 * which transaction wrote a version it read.
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
}
