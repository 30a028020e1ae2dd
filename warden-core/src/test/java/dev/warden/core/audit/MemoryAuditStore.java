package dev.warden.core.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Test fake: an audit store that chains events in memory, as the JDBC store does, for core's unit
 * tests.
 */
public final class MemoryAuditStore implements AuditStore {
  private final List<AuditRecord> records = new ArrayList<>();

  @Override
  public synchronized List<AuditRecord> append(List<AuditEvent> events) {
    List<AuditRecord> out = new ArrayList<>();
    for (AuditEvent e : events) {
      byte[] prev = records.isEmpty() ? AuditChain.GENESIS : records.getLast().hash();
      long seq = records.size() + 1;
      AuditRecord r = new AuditRecord(seq, e, prev, AuditChain.link(prev, seq, e));
      records.add(r);
      out.add(r);
    }
    return out;
  }

  @Override
  public synchronized List<AuditRecord> query(AuditQuery query) {
    return List.copyOf(records);
  }

  @Override
  public synchronized List<AuditRecord> readChain(long fromSeq, int limit) {
    return records.stream().filter(r -> r.seq() >= fromSeq).limit(limit).toList();
  }

  @Override
  public synchronized java.util.Optional<AuditRecord> byEventId(String eventId) {
    return records.stream().filter(r -> r.event().id().equals(eventId)).findFirst();
  }

  @Override
  public synchronized List<AuditRecord> chainOf(String key, int limit) {
    return records.stream()
        .filter(
            r ->
                r.event().id().equals(key)
                    || key.equals(r.event().details().get(ChainFields.ROOT))
                    || key.equals(r.event().details().get(ChainFields.TXN)))
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized ChainHead head() {
    return records.isEmpty()
        ? new ChainHead(0, AuditChain.GENESIS)
        : new ChainHead(records.size(), records.getLast().hash());
  }

  /** The events appended so far, oldest first. */
  public synchronized List<AuditEvent> events() {
    return records.stream().map(AuditRecord::event).toList();
  }

  /** Their types, oldest first. */
  public synchronized List<String> types() {
    return records.stream().map(r -> r.event().type()).toList();
  }
}
