package dev.warden.core.inventory;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Workload;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Inventory use cases: read the facts (from the posture index when there is one, else from the
 * store), import, retire a workload, offboard an owner, keep the daily KPI history. Every change is
 * audited (and durable) before the method returns; no secret value reaches the store or the audit
 * log (imports carry names and fingerprints only).
 *
 * <p>The reads and imports are here; the KPIs are {@link GovernanceKpis}, retiring a workload is
 * {@link WorkloadRetirement} and an owner's departure {@link OwnerDeparture}.
 *
 * <p>Why it is still over 400 lines: it is the inventory's one public entry point, and its result
 * and plan records (part of the API) are declared here with the methods that return them.
 */
public final class InventoryService {
  /** What an import did. */
  public record ImportResult(
      int received,
      int created,
      int updated,
      int unchanged,
      List<String> duplicates,
      List<Importers.LineError> errors,
      int skipped,
      boolean imported) {}

  /** What retiring a workload did. */
  public record RetireResult(
      String workload,
      String previousState,
      List<String> revokedLeases,
      List<String> disabledPolicies,
      List<String> keptPolicies,
      List<String> notRevoked,
      boolean verified) {}

  /** What an owner held and what was done with it. */
  public record DepartResult(
      String owner,
      String action,
      String reassignedTo,
      List<String> workloads,
      List<String> imported,
      List<String> revokedLeases,
      boolean applied) {}

  /**
   * What retiring a workload will do.
   *
   * @param leases its live leases, to be revoked
   * @param deletePolicies allow policies that name only it, to be deleted
   * @param keptPolicies allow policies that cover only it today through a pattern or selector, kept
   */
  public record RetirePlan(
      Workload workload,
      List<Lease> leases,
      List<String> deletePolicies,
      List<String> keptPolicies) {
    public RetirePlan {
      leases = List.copyOf(leases);
      deletePolicies = List.copyOf(deletePolicies);
      keptPolicies = List.copyOf(keptPolicies);
    }
  }

  /**
   * What an owner's departure will do.
   *
   * @param action {@code reassigned}, {@code suspended}, or {@code list} (nothing changes)
   * @param workloads the workloads the owner holds, as they are
   * @param changed those that change, as they will be
   * @param leases the live leases that will be revoked
   */
  public record DepartPlan(
      String owner,
      String action,
      String reassignTo,
      List<Workload> workloads,
      List<String> imported,
      List<Workload> changed,
      List<Lease> leases) {
    public DepartPlan {
      workloads = List.copyOf(workloads);
      imported = List.copyOf(imported);
      changed = List.copyOf(changed);
      leases = List.copyOf(leases);
    }
  }

  /** A rebuild of the posture index: how long it took and what the index holds now. */
  public record IndexRebuild(long millis, PostureIndex.Size size) {}

  private final Store store;
  private final InventoryStore inventory;
  private final AuditWriter audit;
  private final Clock clock;
  private final PostureThresholds thresholds;
  private final PostureIndex index;
  private final WorkloadRetirement retirement;
  private final OwnerDeparture departure;
  private final GovernanceKpis kpis;

  /**
   * @param index serves reads under the configured thresholds instead of reading the store each
   *     time; null: every read goes to the store
   */
  public InventoryService(
      Store store,
      InventoryStore inventory,
      KpiHistoryStore kpiHistory,
      ConfigService config,
      AuditWriter audit,
      Clock clock,
      PostureThresholds thresholds,
      PostureIndex index) {
    this.store = store;
    this.inventory = inventory;
    this.audit = audit;
    this.clock = clock;
    this.thresholds = thresholds;
    this.index = index;
    this.retirement = new WorkloadRetirement(store, config, audit, clock, index);
    this.departure = new OwnerDeparture(store, inventory, config, audit, clock);
    this.kpis =
        new GovernanceKpis(store, inventory, kpiHistory, clock, thresholds, index, this::facts);
  }

  public PostureThresholds thresholds() {
    return thresholds;
  }

  /**
   * False while the posture index is still reading everything after start (a minute at a million
   * items): a caller that must answer fast can say so instead of waiting. True without an index.
   */
  public boolean ready() {
    return index == null || index.ready();
  }

  /**
   * Reads everything the inventory is computed from, with usage over the default posture windows.
   */
  public InventoryFacts facts() {
    return index != null ? index.facts() : facts(thresholds);
  }

  /** Reads everything the inventory is computed from, with usage over the windows of {@code t}. */
  public InventoryFacts facts(PostureThresholds t) {
    Instant now = clock.instant();
    List<Workload> workloads = values(store.workloads().list());
    return new InventoryFacts(
        now,
        workloads,
        inventory.firstWritten(Kind.WORKLOAD.wire()),
        values(store.resources().list()),
        values(store.policies().list()),
        store.adminTokens().list(),
        inventory.listImported(),
        inventory.leaseSummaries(now),
        inventory.usage(now.minus(maxWindow(t))),
        inventory.leaks(),
        inventory.departedOwners(),
        SecretSummary.read(store.brokeredSecrets(), now));
  }

  private static java.time.Duration maxWindow(PostureThresholds t) {
    return t.unusedGrant().compareTo(t.stale()) > 0 ? t.unusedGrant() : t.stale();
  }

  static <T> List<T> values(List<Versioned<T>> vs) {
    return vs.stream().map(Versioned::value).toList();
  }

  /**
   * Findings judged now from everything in the store, bypassing the index (an on-demand recompute).
   */
  public List<Finding> postureFromStore(PostureThresholds t) {
    return Posture.evaluate(facts(t), t);
  }

  /**
   * A page of inventory items matching {@code filter}, ordered by id, after {@code cursor} (null:
   * from the start): from the index, or read from the store when there is none or {@code
   * recompute}.
   */
  public PostureIndex.ItemsPage items(
      Inventory.Filter filter, String cursor, int limit, boolean recompute) {
    if (index != null && !recompute) {
      return index.items(filter, cursor, limit);
    }
    List<InventoryItem> page = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (InventoryItem i : Inventory.list(facts(thresholds), filter)) {
      if (cursor != null && i.id().compareTo(cursor) <= 0) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(i);
      last = i.id();
    }
    return new PostureIndex.ItemsPage(page, more ? last : null);
  }

  /**
   * What one inventory item can reach.
   *
   * @throws NotFoundException when the index holds no item with this id
   */
  public BlastRadius blastRadius(String itemId) {
    if (index != null) {
      return index
          .blastRadius(itemId)
          .orElseThrow(() -> new NotFoundException("inventory item", itemId));
    }
    return BlastRadius.of(facts(), itemId);
  }

  /**
   * Findings from {@code offset}, at most {@code limit}, with counts over every match: from the
   * index under the configured thresholds, else (other thresholds, a what-if, or {@code recompute})
   * judged now from everything in the store, and then without {@code evaluatedAt}.
   *
   * @param severity only this severity (its wire name), or null
   * @param rule only this rule id or OWASP id (any case), or null
   */
  public PostureIndex.FindingsPage posture(
      String severity, String rule, int offset, int limit, PostureThresholds t, boolean recompute) {
    if (index != null && t.equals(thresholds) && !recompute) {
      return index.findings(severity, rule, offset, limit);
    }
    List<Finding> findings =
        postureFromStore(t).stream()
            .filter(
                f ->
                    (severity == null || f.severity().wire().equals(severity))
                        && (rule == null
                            || f.ruleId().equals(rule)
                            || f.owasp().equalsIgnoreCase(rule)))
            .toList();
    List<Finding> page = new ArrayList<>();
    Map<String, Integer> bySeverity = new TreeMap<>();
    Map<String, Integer> byOwasp = new TreeMap<>();
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      if (i >= offset && page.size() < limit) {
        page.add(f);
      }
      bySeverity.merge(f.severity().wire(), 1, Integer::sum);
      byOwasp.merge(f.owasp(), 1, Integer::sum);
    }
    return new PostureIndex.FindingsPage(page, findings.size(), bySeverity, byOwasp, null);
  }

  /**
   * Re-reads everything into the posture index now; empty when reads go to the store (no index).
   */
  public Optional<IndexRebuild> rebuildIndex() {
    if (index == null) {
      return Optional.empty();
    }
    long t0 = System.nanoTime();
    index.rebuild();
    PostureIndex.Size size = index.size();
    return Optional.of(new IndexRebuild((System.nanoTime() - t0) / 1_000_000, size));
  }

  /**
   * Records today's KPI snapshot (UTC day) unless a node already has; call on a timer.
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public void recordDailyKpi() {
    kpis.recordDailyKpi();
  }

  /** The daily KPI snapshots of the last {@code days} UTC days, today included, oldest first. */
  public List<KpiHistoryStore.Snapshot> kpiHistory(int days) {
    return kpis.kpiHistory(days);
  }

  /**
   * Governance indicators; credential lifetimes over the last {@code unusedGrant} window (at most
   * 100,000).
   */
  public Kpi kpi() {
    return kpis.kpi();
  }

  /**
   * Stores parsed items. With errors and not {@code partial}, nothing is stored.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (nothing is stored)
   */
  public ImportResult importItems(
      Importers.Parsed parsed, boolean partial, String format, String actor) {
    int received = parsed.items().size() + parsed.errors().size();
    if (!parsed.errors().isEmpty() && !partial) {
      return new ImportResult(
          received, 0, 0, 0, parsed.duplicates(), parsed.errors(), parsed.skipped(), false);
    }
    Instant now = clock.instant();
    List<InventoryStore.Upserted> done = inventory.upsert(parsed.items(), now);
    int created = (int) done.stream().filter(u -> u.action().equals("created")).count();
    int updated = (int) done.stream().filter(u -> u.action().equals("updated")).count();
    int unchanged = done.size() - created - updated;
    Map<String, String> d = new HashMap<>();
    d.put("format", format);
    d.put("created", Integer.toString(created));
    d.put("updated", Integer.toString(updated));
    d.put("unchanged", Integer.toString(unchanged));
    d.put("rejected", Integer.toString(parsed.errors().size()));
    d.put("duplicates", Integer.toString(parsed.duplicates().size()));
    // the rows this import wrote carry this stamp: the posture index re-reads exactly those
    d.put("changedAt", now.toString());
    auditChange(audit, clock, AuditType.INVENTORY_IMPORTED, actor, null, d);
    return new ImportResult(
        received,
        created,
        updated,
        unchanged,
        parsed.duplicates(),
        parsed.errors(),
        parsed.skipped(),
        true);
  }

  /**
   * What retiring a workload will do, computed from the store and changing nothing: the live leases
   * to revoke, the allow policies to delete (they name only this workload's SPIFFE ID and cover no
   * other non-retired workload) and those to keep and report (they cover only this workload today,
   * but through a pattern or selector that would also cover workloads created later).
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetirePlan retirePlan(String spiffeId) {
    return retirement.retirePlan(spiffeId);
  }

  /**
   * {@link #retirePlan} computed against the posture index's copy of the workloads (caught up with
   * the audit log first) rather than every workload read from the store: for showing the plan
   * before a confirmation. {@link #retire} computes its own from the store.
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetirePlan retirePlanPreview(String spiffeId) {
    return retirement.retirePlanPreview(spiffeId);
  }

  /**
   * Retires a workload: state RETIRED, every live lease revoked, and the policies of {@link
   * #retirePlan} deleted (their history is kept, so they can be restored). Then checks that nothing
   * live is left and reports what could not be revoked.
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetireResult retire(String spiffeId, String actor) {
    return retirement.retire(spiffeId, actor);
  }

  /**
   * What an owner's departure will do, computed from the store and changing nothing: the workloads
   * and imported items they hold, each workload as it will be afterwards (new owner, or suspended),
   * and the live leases that {@code suspend} revokes. With neither {@code reassignTo} nor {@code
   * suspend} the plan only lists.
   *
   * @throws ValidationException when the owner is missing, or both reassignTo and suspend are given
   */
  public DepartPlan departPlan(String owner, String reassignTo, boolean suspend) {
    return departure.departPlan(owner, reassignTo, suspend);
  }

  /**
   * Lists what an owner holds and, unless {@code dryRun}, hands it over ({@code reassignTo}) or
   * suspends their workloads and revokes their live leases ({@code suspend}), as {@link
   * #departPlan} says.
   *
   * @throws ValidationException unless exactly one of reassignTo and suspend is given (or dryRun)
   */
  public DepartResult depart(
      String owner, String reassignTo, boolean suspend, boolean dryRun, String actor) {
    return departure.depart(owner, reassignTo, suspend, dryRun, actor);
  }

  /** Audits a successful inventory change by {@code actor}. */
  static void auditChange(
      AuditWriter audit,
      Clock clock,
      AuditType type,
      String actor,
      String workload,
      Map<String, String> details) {
    audit.write(
        new AuditEvent(
            UUID.randomUUID().toString(),
            clock.instant(),
            type.wire(),
            AuditOutcome.SUCCESS.wire(),
            "",
            actor,
            workload,
            null,
            details,
            null));
  }
}
