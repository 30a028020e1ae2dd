package dev.warden.core.auditstream;

import java.time.Instant;
import java.util.List;

/**
 * The outbox of the audit stream, one row per sink: the audit log is already an ordered, durable
 * log with sequence numbers, so a sink needs only a cursor (the last sequence number its far end
 * acknowledged) and a lease, so that one node at a time drains it (decision 010).
 */
public interface AuditSinkStore {

  /**
   * The sink's state; a sink never seen before starts at sequence number 0 with no holder.
   *
   * @throws dev.warden.core.error.StoreException when it cannot be read or created
   */
  SinkState state(String sink);

  /** Every sink's state, by name. */
  List<SinkState> list();

  /**
   * Takes or renews the lease to drain {@code sink}: succeeds when nobody holds it, when its lease
   * ended before {@code now}, or when {@code holder} holds it already (compare-and-set, so two
   * nodes never both win).
   *
   * @return true when {@code holder} now holds the lease until {@code until}
   */
  boolean lease(String sink, String holder, Instant now, Instant until);

  /**
   * Moves the cursor to {@code ackedSeq}, only forward and only while {@code holder} holds the
   * lease.
   *
   * @return false when {@code holder} lost the lease (another node drains the sink now)
   */
  boolean advance(String sink, String holder, long ackedSeq);

  /**
   * Gives up the lease if {@code holder} holds it (at shutdown, so another node takes over at
   * once).
   */
  void release(String sink, String holder);
}
