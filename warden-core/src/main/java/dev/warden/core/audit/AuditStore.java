package dev.warden.core.audit;

import dev.warden.core.error.StoreException;
import java.util.List;

/**
 * The append-only, hash-chained audit log. Appends are serialized across nodes (the chain head is
 * locked for the length of one batch) so the chain stays a single line.
 */
public interface AuditStore extends AuditLookup {

  /**
   * Appends a batch in one transaction: assigns sequence numbers, links each event to the one
   * before with {@link dev.warden.core.audit.AuditChain}, and stores the lease of every event that
   * carries one. When this returns, the batch is durable; when it throws, none of it is stored.
   *
   * @throws StoreException when the batch could not be made durable
   */
  List<AuditRecord> append(List<AuditEvent> events);

  /** Events matching the query, newest first. */
  List<AuditRecord> query(AuditQuery query);

  /**
   * Every hop of a chain: the event whose id is {@code key}, the events whose {@link
   * ChainFields#ROOT} or {@link ChainFields#TXN} is {@code key}; in chain order, at most {@code
   * limit}.
   */
  List<AuditRecord> chainOf(String key, int limit);

  /** Events with {@code seq >= fromSeq} in chain order, at most {@code limit}; for verification. */
  List<AuditRecord> readChain(long fromSeq, int limit);

  /**
   * The chain head as the store records it (the last sequence number and hash appends continued
   * from), without locking it.
   *
   * @throws StoreException when the log cannot be read
   */
  ChainHead head();
}
