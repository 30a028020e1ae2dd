package dev.warden.core.inventory;

import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Retiring a workload: its plan (the live leases to revoke, the policies that would be left naming
 * only it) and its execution, checked afterwards so that what could not be revoked is reported.
 */
final class WorkloadRetirement {
  private final Store store;
  private final ConfigService config;
  private final AuditWriter audit;
  private final Clock clock;
  private final PostureIndex index;

  /**
   * @param index the posture index, for previews; null: previews read the store
   */
  WorkloadRetirement(
      Store store, ConfigService config, AuditWriter audit, Clock clock, PostureIndex index) {
    this.store = store;
    this.config = config;
    this.audit = audit;
    this.clock = clock;
    this.index = index;
  }

  /** See {@link InventoryService#retirePlan}. */
  InventoryService.RetirePlan retirePlan(String spiffeId) {
    return plan(spiffeId, InventoryService.values(store.workloads().list()));
  }

  /** See {@link InventoryService#retirePlanPreview}. */
  InventoryService.RetirePlan retirePlanPreview(String spiffeId) {
    return index == null ? retirePlan(spiffeId) : plan(spiffeId, index.workloads());
  }

  private InventoryService.RetirePlan plan(String spiffeId, List<Workload> all) {
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
    for (AccessPolicy p : InventoryService.values(store.policies().list())) {
      if (p.effect() != Effect.ALLOW
          || !p.workloads().matches(w)
          || others.stream().anyMatch(o -> p.workloads().matches(o))) {
        continue;
      }
      boolean onlyThisId =
          p.workloads().selectors().isEmpty()
              && p.workloads().spiffeIds().stream().allMatch(id -> id.equals(spiffeId));
      (onlyThisId ? delete : kept).add(p.name());
    }
    return new InventoryService.RetirePlan(
        w, store.leases().listActive(spiffeId, clock.instant()), delete, kept);
  }

  /** See {@link InventoryService#retire}. */
  InventoryService.RetireResult retire(String spiffeId, String actor) {
    InventoryService.RetirePlan plan = retirePlan(spiffeId);
    Workload w = plan.workload();
    Instant now = clock.instant();
    String previous = w.state().name().toLowerCase(Locale.ROOT);
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
    InventoryService.auditChange(audit, clock, AuditType.WORKLOAD_RETIRED, actor, spiffeId, d);
    return new InventoryService.RetireResult(
        spiffeId, previous, revoked, disabled, kept, failed, verified);
  }
}
