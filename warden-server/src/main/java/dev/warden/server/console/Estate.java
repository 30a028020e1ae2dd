package dev.warden.server.console;

import dev.warden.core.inventory.InventoryFacts;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.LeaseSummary;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.model.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Estate-wide aggregates the pages share (maturity of every subject, live leases by resource kind),
 * computed from the posture index's facts at most every {@link #TTL} and then served from memory:
 * at a million inventory items one computation takes longer than a page may.
 */
final class Estate {
  static final Duration TTL = Duration.ofSeconds(30);

  record Snapshot(Instant computedAt, int workloads, Map<String, Long> liveLeasesByKind,
      Map<Integer, Integer> maturity, int maturityTotal, Map<String, Maturity.Assessment> byItem) {}

  private final InventoryService inventory;
  private final Clock clock;
  private volatile Snapshot current;

  Estate(InventoryService inventory, Clock clock) {
    this.inventory = inventory;
    this.clock = clock;
  }

  Snapshot get() {
    Instant now = clock.instant();
    Snapshot s = current;
    if (s == null || !now.isBefore(s.computedAt().plus(TTL))) {
      synchronized (this) {
        s = current;
        if (s == null || !now.isBefore(s.computedAt().plus(TTL))) {
          s = compute(inventory.facts(), now);
          current = s;
        }
      }
    }
    return s;
  }

  /** Forgets the aggregates, so the next page after an action shows its effect. */
  void invalidate() {
    current = null;
  }

  static Snapshot compute(InventoryFacts f, Instant now) {
    Map<String, String> kindOf = new HashMap<>();
    for (Resource r : f.resources()) {
      kindOf.put(r.name(), r.kind() == null ? "http" : r.kind());
    }
    Map<String, Long> live = new TreeMap<>();
    for (LeaseSummary l : f.leases()) {
      if (l.active() > 0) {
        live.merge(kindOf.getOrDefault(l.resource(), "other"), l.active(), Long::sum);
      }
    }
    Maturity.Report m = Maturity.assess(f);
    Map<String, Maturity.Assessment> byItem = new HashMap<>();
    m.subjects().forEach(a -> byItem.put(a.itemId(), a));
    int total = m.distribution().values().stream().mapToInt(Integer::intValue).sum();
    return new Snapshot(now, f.workloads().size(), live, new TreeMap<>(m.distribution()), total, byItem);
  }
}
