package dev.warden.core.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The inventory aggregate: imported NHIs and departed owners, plus the read-only aggregations of
 * leases and audit events the inventory is computed from. All methods throw {@link
 * dev.warden.core.error.StoreException} when the database fails.
 */
public interface InventoryStore {

  /**
   * What {@link #upsert} did to one item: {@code created}, {@code updated} or {@code unchanged}.
   */
  record Upserted(String id, String action) {}

  /**
   * Creates or merges items by (source, kind, name), all in one transaction: either every item is
   * stored or none is.
   */
  List<Upserted> upsert(List<ImportedNhi> items, Instant at);

  /** Every imported item, ordered by id. */
  List<ImportedNhi> listImported();

  /**
   * Sets the owner of every imported item owned by {@code from}, marking them changed at {@code at}
   * (so {@link #importedSince} finds them); returns how many changed.
   */
  int reassignOwner(String from, String to, Instant at);

  /** Imported items created or changed at or after {@code at} (by an import or a reassignment). */
  List<ImportedNhi> importedSince(Instant at);

  /**
   * One audit event as the inventory's change feed sees it.
   *
   * @param detailsJson the event's details as stored, a JSON object of strings (names, ids,
   *     fingerprints; never a secret)
   * @param leaseIssued when the lease the event is about was issued (its credential's iat), if any
   * @param leaseExpires the expiry of that lease
   */
  record Change(
      long seq,
      String type,
      Instant at,
      String workload,
      String resource,
      String reason,
      String detailsJson,
      String leaseId,
      Instant leaseIssued,
      Instant leaseExpires) {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The event's details, parsed on each call (most events are never asked: a burst of issuance
     * needs no parsing once addresses are collected).
     */
    public Map<String, String> details() {
      if (detailsJson == null || detailsJson.equals("{}")) {
        return Map.of();
      }
      try {
        Map<String, String> m =
            JSON.readValue(
                detailsJson,
                new com.fasterxml.jackson.core.type.TypeReference<
                    java.util.LinkedHashMap<String, String>>() {});
        return m == null ? Map.of() : m;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new dev.warden.core.error.StoreException(
            "audit event " + seq + " has corrupt details", e);
      }
    }
  }

  /** A lease neither revoked nor expired when it was read. */
  record LiveLease(String id, String workload, String resource, Instant expiresAt) {}

  /**
   * The large part of the inventory's facts, read in one repeatable-read transaction so that it
   * matches the audit log up to {@code head} exactly: what follows is read from {@link
   * #changesAfter}.
   */
  record Baseline(
      long head,
      List<ImportedNhi> imported,
      List<LeaseSummary> leases,
      List<LiveLease> live,
      List<Usage> usage) {}

  /**
   * Reads the {@link Baseline}; usage from {@code token.issued} events since {@code usageSince},
   * with caller addresses only when {@code withAddresses} (they cost a read of every event's
   * details).
   */
  Baseline baseline(Instant now, Instant usageSince, boolean withAddresses);

  /** Audit events after {@code seq}, oldest first, at most {@code max}. */
  List<Change> changesAfter(long seq, int max);

  /**
   * Records that a finding on (rule, item) was announced; true for the first caller on any node,
   * false ever after.
   */
  boolean claimNotice(String ruleId, String itemId, Instant at);

  /** The sequence number of the newest audit event (0 when there is none). */
  long auditHead();

  /** Records that an owner left (idempotent: the first time is kept). */
  void markDeparted(String owner, Instant at, String action);

  /** Departed owners and when they departed. */
  Map<String, Instant> departedOwners();

  /** Leases grouped by workload and resource; {@code active} counts leases live at {@code now}. */
  List<LeaseSummary> leaseSummaries(Instant now);

  /** {@code token.issued} events since {@code since}, grouped by workload and resource. */
  List<Usage> usage(Instant since);

  /**
   * Credentials of one kind a workload obtained for a resource over a window, from the grant events
   * ({@code token.issued}, every credential kind: tokens, SVIDs, database users, brokered secrets,
   * upstream tokens).
   *
   * @param credentialKind the wire name of the issued lease's kind, e.g. {@code brokered_secret}
   */
  record GrantUse(
      String workload, String resource, String credentialKind, long count, Instant lastUsed) {}

  /**
   * Grant events since {@code since} of {@code workload} (null: any) for {@code resource} (null:
   * any), grouped by workload, resource and credential kind, ordered by workload, resource, kind.
   * Reads only the events of the named workload or resource, through their index.
   *
   * @throws IllegalArgumentException when both workload and resource are null
   */
  List<GrantUse> grantUses(String workload, String resource, Instant since);

  /**
   * Lifetimes (expiry minus issuance) of credentials issued since {@code since}, newest first, at
   * most {@code max}.
   */
  List<java.time.Duration> leaseLifetimes(Instant since, int max);

  /** Warden-issued credentials reported leaked (from their {@code lease.revoked} events). */
  List<LeakRecord> leaks();

  /**
   * When each configuration object of a kind (its wire name, e.g. {@code Workload}) was first
   * written.
   */
  Map<String, Instant> firstWritten(String kind);

  /** {@link #firstWritten(String)} for the named objects only (those never written are absent). */
  Map<String, Instant> firstWritten(String kind, java.util.Collection<String> names);
}
