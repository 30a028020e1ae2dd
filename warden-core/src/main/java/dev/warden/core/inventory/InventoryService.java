package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Named;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final InventoryStore inventory;
  private final KpiHistoryStore kpiHistory;
  private final ConfigService config;
  private final AuditWriter audit;
  private final Clock clock;
  private final PostureThresholds thresholds;
  private final PostureIndex index;

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
    this.kpiHistory = kpiHistory;
    this.config = config;
    this.audit = audit;
    this.clock = clock;
    this.thresholds = thresholds;
    this.index = index;
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

  private static <T> List<T> values(List<Versioned<T>> vs) {
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

  /** The daily KPI snapshots of the last {@code days} UTC days, today included, oldest first. */
  public List<KpiHistoryStore.Snapshot> kpiHistory(int days) {
    String from =
        LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days - 1L).toString();
    return kpiHistory.since(from);
  }

  /**
   * Governance indicators; credential lifetimes over the last {@code unusedGrant} window (at most
   * 100,000).
   */
  public Kpi kpi() {
    InventoryFacts f = facts();
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
    write(AuditType.INVENTORY_IMPORTED, actor, null, d);
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
    return plan(spiffeId, values(store.workloads().list()));
  }

  /**
   * {@link #retirePlan} computed against the posture index's copy of the workloads (caught up with
   * the audit log first) rather than every workload read from the store: for showing the plan
   * before a confirmation. {@link #retire} computes its own from the store.
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetirePlan retirePlanPreview(String spiffeId) {
    return index == null ? retirePlan(spiffeId) : plan(spiffeId, index.workloads());
  }

  private RetirePlan plan(String spiffeId, List<Workload> all) {
    Workload w =
        store
            .workloads()
            .get(spiffeId)
            .map(Versioned::value)
            .orElseThrow(() -> new NotFoundException("Workload", spiffeId));
    List<Workload> others =
        all.stream()
            .filter(o -> !o.name().equals(spiffeId) && o.state() != WorkloadState.RETIRED)
            .toList();
    List<String> delete = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (AccessPolicy p : values(store.policies().list())) {
      if (p.effect() != dev.warden.core.model.Effect.ALLOW
          || !p.workloads().matches(w)
          || others.stream().anyMatch(o -> p.workloads().matches(o))) {
        continue;
      }
      boolean onlyThisId =
          p.workloads().selectors().isEmpty()
              && p.workloads().spiffeIds().stream().allMatch(id -> id.equals(spiffeId));
      (onlyThisId ? delete : kept).add(p.name());
    }
    return new RetirePlan(w, store.leases().listActive(spiffeId, clock.instant()), delete, kept);
  }

  /**
   * Retires a workload: state RETIRED, every live lease revoked, and the policies of {@link
   * #retirePlan} deleted (their history is kept, so they can be restored). Then checks that nothing
   * live is left and reports what could not be revoked.
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetireResult retire(String spiffeId, String actor) {
    RetirePlan plan = retirePlan(spiffeId);
    Workload w = plan.workload();
    Instant now = clock.instant();
    String previous = w.state().name().toLowerCase(java.util.Locale.ROOT);
    if (w.state() != WorkloadState.RETIRED) {
      config.apply(List.of(w.withState(WorkloadState.RETIRED)), false, actor);
    }
    List<String> revoked = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    // listed again after the state change: a lease issued since the plan was read is revoked too
    for (Lease l : store.leases().listActive(spiffeId, now)) {
      try {
        if (store.leases().revoke(l.id(), now, "workload retired")) {
          revoked.add(l.id());
          config.auditLeaseRevocation(l, actor);
        }
      } catch (RuntimeException e) {
        failed.add(l.id() + ": " + e.getMessage());
      }
    }
    List<String> disabled = new ArrayList<>();
    for (String p : plan.deletePolicies()) {
      try {
        config.delete(Kind.ACCESS_POLICY, p, false, actor);
        disabled.add(p);
      } catch (RuntimeException e) {
        failed.add("policy " + p + ": " + e.getMessage());
      }
    }
    List<String> kept = plan.keptPolicies();
    for (Lease l : store.leases().listActive(spiffeId, now)) {
      failed.add(l.id() + ": still active after revocation");
    }
    boolean verified =
        failed.isEmpty()
            && store
                .workloads()
                .get(spiffeId)
                .map(v -> v.value().state() == WorkloadState.RETIRED)
                .orElse(false);
    Map<String, String> d = new HashMap<>();
    d.put("previousState", previous);
    d.put("revokedLeases", Integer.toString(revoked.size()));
    d.put("disabledPolicies", String.join(",", disabled));
    d.put("keptPolicies", String.join(",", kept));
    d.put("notRevoked", Integer.toString(failed.size()));
    d.put("verified", Boolean.toString(verified));
    write(AuditType.WORKLOAD_RETIRED, actor, spiffeId, d);
    return new RetireResult(spiffeId, previous, revoked, disabled, kept, failed, verified);
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
    if (owner == null || owner.isBlank()) {
      throw new ValidationException("owner", "is required");
    }
    boolean reassign = reassignTo != null && !reassignTo.isBlank();
    if (reassign && suspend) {
      throw new ValidationException("owner", "choose one of --reassign-to <owner> and --suspend");
    }
    List<Workload> held =
        values(store.workloads().list()).stream().filter(w -> owner.equals(w.owner())).toList();
    List<String> imported =
        inventory.listImported().stream()
            .filter(n -> owner.equals(n.owner()))
            .map(ImportedNhi::id)
            .toList();
    List<Workload> changed = new ArrayList<>();
    List<Lease> leases = new ArrayList<>();
    Instant now = clock.instant();
    for (Workload w : held) {
      if (reassign) {
        changed.add(
            new Workload(
                w.spiffeId(),
                w.selectors(),
                reassignTo,
                w.team(),
                w.environment(),
                w.state(),
                w.expiresAt(),
                w.description(),
                w.nodeSelectors()));
      } else if (suspend && w.state() == WorkloadState.ACTIVE) {
        changed.add(w.withState(WorkloadState.SUSPENDED));
      }
      if (suspend) {
        leases.addAll(store.leases().listActive(w.name(), now));
      }
    }
    String action = reassign ? "reassigned" : suspend ? "suspended" : "list";
    return new DepartPlan(
        owner, action, reassign ? reassignTo : null, held, imported, changed, leases);
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
    boolean reassign = reassignTo != null && !reassignTo.isBlank();
    if (!dryRun && owner != null && !owner.isBlank() && reassign == suspend) {
      throw new ValidationException(
          "owner",
          "say what happens to what "
              + owner
              + " holds: --reassign-to <owner> or --suspend (or --dry-run to only list it)");
    }
    DepartPlan plan = departPlan(owner, dryRun ? null : reassignTo, !dryRun && suspend);
    List<Workload> held = plan.workloads();
    List<String> imported = plan.imported();
    List<String> names = held.stream().map(Workload::name).toList();
    if (dryRun) {
      return new DepartResult(owner, "list", null, names, imported, List.of(), false);
    }
    Instant now = clock.instant();
    List<String> revoked = new ArrayList<>();
    if (!plan.changed().isEmpty()) {
      config.apply(new ArrayList<Named>(plan.changed()), false, actor);
    }
    if (suspend) {
      // listed again after the suspension: a lease issued since the plan was read is revoked too
      for (Workload w : held) {
        for (Lease l : store.leases().listActive(w.name(), now)) {
          if (store.leases().revoke(l.id(), now, "owner departed")) {
            revoked.add(l.id());
            config.auditLeaseRevocation(l, actor);
          }
        }
      }
    }
    if (reassign) {
      inventory.reassignOwner(owner, reassignTo, now);
    }
    inventory.markDeparted(owner, now, reassign ? "reassigned" : "suspended");
    Map<String, String> d = new HashMap<>();
    d.put("owner", owner);
    d.put("action", reassign ? "reassigned" : "suspended");
    if (reassign) {
      d.put("reassignedTo", reassignTo);
    }
    d.put("workloads", Integer.toString(held.size()));
    d.put("imported", Integer.toString(imported.size()));
    d.put("revokedLeases", Integer.toString(revoked.size()));
    d.put("changedAt", now.toString());
    write(AuditType.OWNER_DEPARTED, actor, null, d);
    return new DepartResult(
        owner,
        reassign ? "reassigned" : "suspended",
        reassign ? reassignTo : null,
        names,
        imported,
        revoked,
        true);
  }

  private void write(AuditType type, String actor, String workload, Map<String, String> details) {
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
