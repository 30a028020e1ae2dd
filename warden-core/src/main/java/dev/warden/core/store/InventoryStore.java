package dev.warden.core.store;

import dev.warden.core.inventory.ImportedNhi;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.LeaseSummary;
import dev.warden.core.inventory.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The inventory aggregate: imported NHIs and departed owners, plus the read-only aggregations of
 * leases and audit events the inventory is computed from. All methods throw
 * {@link dev.warden.core.error.StoreException} when the database fails.
 */
public interface InventoryStore {

  /** What {@link #upsert} did to one item: {@code created}, {@code updated} or {@code unchanged}. */
  record Upserted(String id, String action) {}

  /**
   * Creates or merges items by (source, kind, name), all in one transaction: either every item is
   * stored or none is.
   */
  List<Upserted> upsert(List<ImportedNhi> items, Instant at);

  /** Every imported item, ordered by id. */
  List<ImportedNhi> listImported();

  /** Sets the owner of every imported item owned by {@code from}; returns how many changed. */
  int reassignOwner(String from, String to);

  /** Records that an owner left (idempotent: the first time is kept). */
  void markDeparted(String owner, Instant at, String action);

  /** Departed owners and when they departed. */
  Map<String, Instant> departedOwners();

  /** Leases grouped by workload and resource; {@code active} counts leases live at {@code now}. */
  List<LeaseSummary> leaseSummaries(Instant now);

  /** {@code token.issued} events since {@code since}, grouped by workload and resource. */
  List<Usage> usage(Instant since);

  /** Lifetimes (expiry minus issuance) of credentials issued since {@code since}, newest first, at most {@code max}. */
  List<java.time.Duration> leaseLifetimes(Instant since, int max);

  /** Warden-issued credentials reported leaked (from their {@code lease.revoked} events). */
  List<LeakRecord> leaks();

  /** When each configuration object of a kind (its wire name, e.g. {@code Workload}) was first written. */
  Map<String, Instant> firstWritten(String kind);
}
