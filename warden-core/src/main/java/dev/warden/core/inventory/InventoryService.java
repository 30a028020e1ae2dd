package dev.warden.core.inventory;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.lease.Lease;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Named;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.InventoryStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Inventory use cases: read the facts, import, retire a workload, offboard an owner. Every change
 * is audited (and durable) before the method returns; no secret value reaches the store or the
 * audit log (imports carry names and fingerprints only).
 */
public final class InventoryService {
  /** What an import did. */
  public record ImportResult(int received, int created, int updated, int unchanged, List<String> duplicates,
      List<Importers.LineError> errors, int skipped, boolean imported) {}

  /** What retiring a workload did. */
  public record RetireResult(String workload, String previousState, List<String> revokedLeases,
      List<String> disabledPolicies, List<String> keptPolicies, List<String> notRevoked, boolean verified) {}

  /** What an owner held and what was done with it. */
  public record DepartResult(String owner, String action, String reassignedTo, List<String> workloads,
      List<String> imported, List<String> revokedLeases, boolean applied) {}

  private final Store store;
  private final InventoryStore inventory;
  private final ConfigService config;
  private final AuditWriter audit;
  private final Clock clock;
  private final PostureThresholds thresholds;

  public InventoryService(Store store, InventoryStore inventory, ConfigService config, AuditWriter audit, Clock clock,
      PostureThresholds thresholds) {
    this.store = store;
    this.inventory = inventory;
    this.config = config;
    this.audit = audit;
    this.clock = clock;
    this.thresholds = thresholds;
  }

  private PostureIndex index;

  /** Serves reads under the configured thresholds from {@code index} instead of reading the store each time. */
  public InventoryService withIndex(PostureIndex index) {
    this.index = index;
    return this;
  }

  /** The maintained index, or null when reads go to the store each time. */
  public PostureIndex index() {
    return index;
  }

  public PostureThresholds thresholds() {
    return thresholds;
  }

  /** Reads everything the inventory is computed from, with usage over the default posture windows. */
  public InventoryFacts facts() {
    return index != null ? index.facts() : facts(thresholds);
  }

  /** Reads everything the inventory is computed from, with usage over the windows of {@code t}. */
  public InventoryFacts facts(PostureThresholds t) {
    Instant now = clock.instant();
    List<Workload> workloads = values(store.workloads().list());
    return new InventoryFacts(now, workloads, inventory.firstWritten(Kind.WORKLOAD.wire()),
        values(store.resources().list()), values(store.policies().list()), store.adminTokens().list(),
        inventory.listImported(), inventory.leaseSummaries(now),
        inventory.usage(now.minus(maxWindow(t))), inventory.leaks(), inventory.departedOwners());
  }

  private static java.time.Duration maxWindow(PostureThresholds t) {
    return t.unusedGrant().compareTo(t.stale()) > 0 ? t.unusedGrant() : t.stale();
  }

  private static <T> List<T> values(List<Versioned<T>> vs) {
    return vs.stream().map(Versioned::value).toList();
  }

  /** Findings judged now from everything in the store, bypassing the index (an on-demand recompute). */
  public List<Finding> postureFromStore(PostureThresholds t) {
    return Posture.evaluate(facts(t), t);
  }

  /** Governance indicators; credential lifetimes over the last {@code unusedGrant} window (at most 100,000). */
  public Kpi kpi() {
    InventoryFacts f = facts();
    Map<String, Instant> revokedAt = new HashMap<>();
    for (LeakRecord l : f.leaks()) {
      if (!l.issued()) {
        continue;
      }
      store.leases().get(l.leaseId()).map(Lease::revokedAt).ifPresent(t -> revokedAt.put(l.leaseId(), t));
    }
    return Kpi.compute(f, index != null ? index.allFindings() : Posture.evaluate(f, thresholds),
        inventory.leaseLifetimes(f.now().minus(thresholds.unusedGrant()), 100_000), revokedAt);
  }

  /**
   * Stores parsed items. With errors and not {@code partial}, nothing is stored.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (nothing is stored)
   */
  public ImportResult importItems(Importers.Parsed parsed, boolean partial, String format, String actor) {
    int received = parsed.items().size() + parsed.errors().size();
    if (!parsed.errors().isEmpty() && !partial) {
      return new ImportResult(received, 0, 0, 0, parsed.duplicates(), parsed.errors(), parsed.skipped(), false);
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
    write("inventory.imported", actor, null, d);
    return new ImportResult(received, created, updated, unchanged, parsed.duplicates(), parsed.errors(),
        parsed.skipped(), true);
  }

  /**
   * Retires a workload: state RETIRED, every live lease revoked, and every allow policy that names
   * only this workload's SPIFFE ID deleted (its history is kept, so it can be restored); an allow
   * policy that covers only this workload through a pattern or selector is kept and reported, since
   * it would also cover workloads created later. Then checks that nothing live is left and reports
   * what could not be revoked.
   *
   * @throws NotFoundException when the workload does not exist
   */
  public RetireResult retire(String spiffeId, String actor) {
    Workload w = store.workloads().get(spiffeId).map(Versioned::value)
        .orElseThrow(() -> new NotFoundException("Workload", spiffeId));
    Instant now = clock.instant();
    String previous = w.state().name().toLowerCase(java.util.Locale.ROOT);
    if (w.state() != WorkloadState.RETIRED) {
      config.apply(List.of(w.withState(WorkloadState.RETIRED)), false, actor);
    }
    List<String> revoked = new ArrayList<>();
    List<String> failed = new ArrayList<>();
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
    List<Workload> others = values(store.workloads().list()).stream()
        .filter(o -> !o.name().equals(spiffeId) && o.state() != WorkloadState.RETIRED).toList();
    List<String> disabled = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (AccessPolicy p : values(store.policies().list())) {
      if (p.effect() != dev.warden.core.model.Effect.ALLOW || !p.workloads().matches(w)
          || others.stream().anyMatch(o -> p.workloads().matches(o))) {
        continue;
      }
      // a pattern or selector matcher would also cover workloads created later: report, keep
      boolean onlyThisId = p.workloads().selectors().isEmpty()
          && p.workloads().spiffeIds().stream().allMatch(id -> id.equals(spiffeId));
      if (!onlyThisId) {
        kept.add(p.name());
        continue;
      }
      try {
        config.delete(Kind.ACCESS_POLICY, p.name(), false, actor);
        disabled.add(p.name());
      } catch (RuntimeException e) {
        failed.add("policy " + p.name() + ": " + e.getMessage());
      }
    }
    for (Lease l : store.leases().listActive(spiffeId, now)) {
      failed.add(l.id() + ": still active after revocation");
    }
    boolean verified = failed.isEmpty()
        && store.workloads().get(spiffeId).map(v -> v.value().state() == WorkloadState.RETIRED).orElse(false);
    Map<String, String> d = new HashMap<>();
    d.put("previousState", previous);
    d.put("revokedLeases", Integer.toString(revoked.size()));
    d.put("disabledPolicies", String.join(",", disabled));
    d.put("keptPolicies", String.join(",", kept));
    d.put("notRevoked", Integer.toString(failed.size()));
    d.put("verified", Boolean.toString(verified));
    write("workload.retired", actor, spiffeId, d);
    return new RetireResult(spiffeId, previous, revoked, disabled, kept, failed, verified);
  }

  /**
   * Lists what an owner holds and, unless {@code dryRun}, hands it over ({@code reassignTo}) or
   * suspends their workloads and revokes their live leases ({@code suspend}).
   *
   * @throws ValidationException unless exactly one of reassignTo and suspend is given (or dryRun)
   */
  public DepartResult depart(String owner, String reassignTo, boolean suspend, boolean dryRun, String actor) {
    if (owner == null || owner.isBlank()) {
      throw new ValidationException("owner", "is required");
    }
    boolean reassign = reassignTo != null && !reassignTo.isBlank();
    if (!dryRun && reassign == suspend) {
      throw new ValidationException("owner", "say what happens to what " + owner
          + " holds: --reassign-to <owner> or --suspend (or --dry-run to only list it)");
    }
    List<Workload> held = values(store.workloads().list()).stream().filter(w -> owner.equals(w.owner())).toList();
    List<String> imported = inventory.listImported().stream().filter(n -> owner.equals(n.owner()))
        .map(ImportedNhi::id).toList();
    List<String> names = held.stream().map(Workload::name).toList();
    if (dryRun) {
      return new DepartResult(owner, "list", null, names, imported, List.of(), false);
    }
    Instant now = clock.instant();
    List<String> revoked = new ArrayList<>();
    List<Named> changed = new ArrayList<>();
    for (Workload w : held) {
      if (reassign) {
        changed.add(new Workload(w.spiffeId(), w.selectors(), reassignTo, w.team(), w.environment(), w.state(),
            w.expiresAt(), w.description(), w.nodeSelectors()));
      } else if (w.state() == WorkloadState.ACTIVE) {
        changed.add(w.withState(WorkloadState.SUSPENDED));
      }
    }
    if (!changed.isEmpty()) {
      config.apply(changed, false, actor);
    }
    if (suspend) {
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
    write("owner.departed", actor, null, d);
    return new DepartResult(owner, reassign ? "reassigned" : "suspended", reassign ? reassignTo : null, names, imported,
        revoked, true);
  }

  private void write(String type, String actor, String workload, Map<String, String> details) {
    audit.write(new AuditEvent(UUID.randomUUID().toString(), clock.instant(), type, "success", "", actor, workload, null,
        details, null));
  }
}
