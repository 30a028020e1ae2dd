package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.model.Lease;
import dev.warden.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The governance indicators ({@link Kpi}) computed from the inventory's facts and findings, and
 * their history: one snapshot a UTC day, recorded by whichever node gets there first.
 */
final class GovernanceKpis {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final InventoryStore inventory;
  private final KpiHistoryStore kpiHistory;
  private final Clock clock;
  private final PostureThresholds thresholds;
  private final PostureIndex index;
  private final Supplier<InventoryFacts> facts;

  /**
   * @param facts the inventory's facts under the configured thresholds (from the index if any)
   */
  GovernanceKpis(
      Store store,
      InventoryStore inventory,
      KpiHistoryStore kpiHistory,
      Clock clock,
      PostureThresholds thresholds,
      PostureIndex index,
      Supplier<InventoryFacts> facts) {
    this.store = store;
    this.inventory = inventory;
    this.kpiHistory = kpiHistory;
    this.clock = clock;
    this.thresholds = thresholds;
    this.index = index;
    this.facts = facts;
  }

  /** See {@link InventoryService#recordDailyKpi}. */
  void recordDailyKpi() {
    String day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).toString();
    if (!kpiHistory.has(day)) {
      String json;
      try {
        json = JSON.writeValueAsString(kpi().fields());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      kpiHistory.recordIfAbsent(new KpiHistoryStore.Snapshot(day, clock.instant(), json));
    }
  }

  /** See {@link InventoryService#kpiHistory}. */
  List<KpiHistoryStore.Snapshot> kpiHistory(int days) {
    String from =
        LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days - 1L).toString();
    return kpiHistory.since(from);
  }

  /** See {@link InventoryService#kpi}. */
  Kpi kpi() {
    InventoryFacts f = facts.get();
    Map<String, Instant> revokedAt = new HashMap<>();
    for (LeakRecord l : f.leaks()) {
      if (!l.issued()) {
        continue;
      }
      store
          .leases()
          .get(l.leaseId())
          .map(Lease::revokedAt)
          .ifPresent(t -> revokedAt.put(l.leaseId(), t));
    }
    return Kpi.compute(
        f,
        index != null ? index.allFindings() : Posture.evaluate(f, thresholds),
        inventory.leaseLifetimes(f.now().minus(thresholds.unusedGrant()), 100_000),
        revokedAt);
  }
}
