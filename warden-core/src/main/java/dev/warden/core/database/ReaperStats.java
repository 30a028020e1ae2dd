package dev.warden.core.database;

import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLeaseStore;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The reaper's figures for metrics: leases by state as of the last run, and totals since start. */
final class ReaperStats {
  private final TargetLeaseStore targetLeases;
  private final AtomicReference<Map<LeaseState, Long>> counts = new AtomicReference<>(Map.of());
  private final Map<String, AtomicLong> totals = new LinkedHashMap<>();

  ReaperStats(TargetLeaseStore targetLeases) {
    this.targetLeases = targetLeases;
    for (String k : List.of("removed", "failed", "irrevocable", "orphan", "expired", "abandoned")) {
      totals.put(k, new AtomicLong());
    }
  }

  /** See {@link LeaseReaper#counts}. */
  Map<LeaseState, Long> counts() {
    return counts.get();
  }

  /** See {@link LeaseReaper#totals}. */
  Map<String, Long> totals() {
    Map<String, Long> out = new LinkedHashMap<>();
    totals.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  void refreshCounts() {
    try {
      Map<LeaseState, Long> c = new EnumMap<>(LeaseState.class);
      c.putAll(targetLeases.countByState());
      counts.set(Collections.unmodifiableMap(c));
    } catch (RuntimeException e) {
      // keep the last counts; the next run retries
    }
  }

  void count(String what, int n) {
    totals.get(what).addAndGet(n);
  }
}
