package dev.warden.core.audit;

import java.util.Optional;

/**
 * Reads one audit record by the id of its event: how a hop finds the record of the hop before it.
 */
public interface AuditLookup {

  /**
   * @throws dev.warden.core.store.StoreException when the log cannot be read
   */
  Optional<AuditRecord> byEventId(String eventId);
}
