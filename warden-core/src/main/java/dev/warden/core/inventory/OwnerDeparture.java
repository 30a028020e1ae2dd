package dev.warden.core.inventory;

import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Named;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An owner's departure (offboarding): what they hold — workloads and imported items — handed to a
 * new owner, or their workloads suspended and live leases revoked.
 */
final class OwnerDeparture {
  private final Store store;
  private final InventoryStore inventory;
  private final ConfigService config;
  private final AuditWriter audit;
  private final Clock clock;

  OwnerDeparture(
      Store store, InventoryStore inventory, ConfigService config, AuditWriter audit, Clock clock) {
    this.store = store;
    this.inventory = inventory;
    this.config = config;
    this.audit = audit;
    this.clock = clock;
  }

  /** See {@link InventoryService#departPlan}. */
  InventoryService.DepartPlan departPlan(String owner, String reassignTo, boolean suspend) {
    if (owner == null || owner.isBlank()) {
      throw new ValidationException("owner", "is required");
    }
    boolean reassign = reassignTo != null && !reassignTo.isBlank();
    if (reassign && suspend) {
      throw new ValidationException("owner", "choose one of --reassign-to <owner> and --suspend");
    }
    List<Workload> held =
        InventoryService.values(store.workloads().list()).stream()
            .filter(w -> owner.equals(w.owner()))
            .toList();
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
    return new InventoryService.DepartPlan(
        owner, action, reassign ? reassignTo : null, held, imported, changed, leases);
  }

  /** See {@link InventoryService#depart}. */
  InventoryService.DepartResult depart(
      String owner, String reassignTo, boolean suspend, boolean dryRun, String actor) {
    boolean reassign = reassignTo != null && !reassignTo.isBlank();
    if (!dryRun && owner != null && !owner.isBlank() && reassign == suspend) {
      throw new ValidationException(
          "owner",
          "say what happens to what "
              + owner
              + " holds: --reassign-to <owner> or --suspend (or --dry-run to only list it)");
    }
    InventoryService.DepartPlan plan =
        departPlan(owner, dryRun ? null : reassignTo, !dryRun && suspend);
    List<Workload> held = plan.workloads();
    List<String> imported = plan.imported();
    List<String> names = held.stream().map(Workload::name).toList();
    if (dryRun) {
      return new InventoryService.DepartResult(
          owner, "list", null, names, imported, List.of(), false);
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
    InventoryService.auditChange(audit, clock, AuditType.OWNER_DEPARTED, actor, null, d);
    return new InventoryService.DepartResult(
        owner,
        reassign ? "reassigned" : "suspended",
        reassign ? reassignTo : null,
        names,
        imported,
        revoked,
        true);
  }
}
