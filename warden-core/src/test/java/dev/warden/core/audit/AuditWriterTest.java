package dev.warden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AuditWriterTest {

  @Test
  void writeAllMakesEveryEventDurableInOrderWithFewAppends() {
    AtomicInteger appends = new AtomicInteger();
    MemoryAuditStore memory = new MemoryAuditStore();
    AuditStore counting = new AuditStore() {
      @Override
      public List<AuditRecord> append(List<AuditEvent> events) {
        if (appends.incrementAndGet() == 1) {
          pause(); // a slow first commit: the rest queue up meanwhile, as under load
        }
        return memory.append(events);
      }

      @Override
      public List<AuditRecord> query(AuditQuery query) {
        return memory.query(query);
      }

      @Override
      public List<AuditRecord> readChain(long fromSeq, int limit) {
        return memory.readChain(fromSeq, limit);
      }

      @Override
      public java.util.Optional<dev.warden.core.audit.AuditRecord> byEventId(String eventId) {
        return java.util.Optional.empty();
      }

      @Override
      public List<dev.warden.core.audit.AuditRecord> chainOf(String key, int limit) {
        return List.of();
      }

      @Override
      public dev.warden.core.audit.ChainHead head() {
        return memory.head();
      }
    };
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(AuditEvent.of(AuditType.CREDENTIAL_REMOVED, AuditOutcome.SUCCESS, null, Instant.EPOCH, "system",
          null, null, Map.of("username", "u" + i)));
    }
    try (AuditWriter w = new AuditWriter(counting, 20, 5_000)) {
      List<AuditRecord> records = w.writeAll(events);

      assertThat(records).extracting(AuditRecord::event).containsExactlyElementsOf(events);
      assertThat(memory.events()).containsExactlyElementsOf(events);
      assertThat(appends.get()).as("group commits of at most 20, not one per event").isBetween(3, 5);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
