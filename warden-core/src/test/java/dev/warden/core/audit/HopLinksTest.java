package dev.warden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.error.Reason;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HopLinksTest {
  final MemoryAuditStore store = new MemoryAuditStore();
  final AtomicInteger reads = new AtomicInteger();
  final HopLinks links =
      new HopLinks(
          id -> {
            reads.incrementAndGet();
            return store.byEventId(id);
          });

  AuditRecord append(String id, Map<String, String> details) {
    return store
        .append(
            List.of(
                AuditEvent.withId(
                    id,
                    AuditType.TOKEN_ISSUED,
                    AuditOutcome.ALLOW,
                    Reason.ALLOWED,
                    Instant.parse("2026-12-07T00:00:00Z"),
                    "w",
                    "w",
                    "r",
                    details,
                    null)))
        .getFirst();
  }

  @Test
  void aRecordThisNodeWroteLinksWithoutReadingTheLog() {
    AuditRecord r = append("e1", Map.of(ChainFields.ROOT, "root-1"));
    links.remember(r);
    assertThat(links.of("e1"))
        .contains(new HopLinks.Link(HexFormat.of().formatHex(r.hash()), "root-1"));
    assertThat(reads).hasValue(0);
  }

  @Test
  void anEventWrittenElsewhereIsReadOnceThenKept() {
    AuditRecord r = append("e2", Map.of());
    assertThat(links.of("e2"))
        .contains(new HopLinks.Link(HexFormat.of().formatHex(r.hash()), null));
    assertThat(links.of("e2")).isPresent();
    assertThat(reads).hasValue(1);
    assertThat(links.of("missing")).isEqualTo(Optional.empty());
  }
}
