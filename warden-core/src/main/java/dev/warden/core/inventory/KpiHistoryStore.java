package dev.warden.core.inventory;

import java.time.Instant;
import java.util.List;

/** One KPI snapshot per UTC day, so indicators show whether NHI controls are working over time. */
public interface KpiHistoryStore {
  /** A day's snapshot: {@code day} is {@code yyyy-MM-dd} (UTC), {@code json} the indicators. */
  record Snapshot(String day, Instant computedAt, String json) {}

  /**
   * Records the day's snapshot unless one exists (several nodes may try; the first wins).
   *
   * @return true if this call recorded it
   */
  boolean recordIfAbsent(Snapshot snapshot);

  boolean has(String day);

  /** Snapshots from {@code fromDay} (inclusive), oldest first. */
  List<Snapshot> since(String fromDay);
}
