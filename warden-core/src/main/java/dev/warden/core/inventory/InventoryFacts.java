package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the inventory, posture rules, blast radius and maturity are computed from: one
 * consistent-enough read of the stores at {@code now}. Pure data; the rules hold no state.
 *
 * @param workloadCreated first-seen time per workload SPIFFE ID (first configuration revision)
 * @param departedOwners owners marked as departed, with when
 * @param secrets brokered secrets with their recent readers
 */
public record InventoryFacts(
    Instant now,
    List<Workload> workloads,
    Map<String, Instant> workloadCreated,
    List<Resource> resources,
    List<AccessPolicy> policies,
    List<AdminToken> adminTokens,
    List<ImportedNhi> imported,
    List<LeaseSummary> leases,
    List<Usage> usage,
    List<LeakRecord> leaks,
    Map<String, Instant> departedOwners,
    List<SecretSummary> secrets) {

  public InventoryFacts {
    workloads = List.copyOf(workloads);
    workloadCreated = Map.copyOf(workloadCreated);
    resources = List.copyOf(resources);
    policies = List.copyOf(policies);
    adminTokens = List.copyOf(adminTokens);
    imported = List.copyOf(imported);
    leases = List.copyOf(leases);
    usage = List.copyOf(usage);
    leaks = List.copyOf(leaks);
    departedOwners = Map.copyOf(departedOwners);
    secrets = List.copyOf(secrets);
  }

  /** Facts without brokered secrets. */
  public InventoryFacts(
      Instant now,
      List<Workload> workloads,
      Map<String, Instant> workloadCreated,
      List<Resource> resources,
      List<AccessPolicy> policies,
      List<AdminToken> adminTokens,
      List<ImportedNhi> imported,
      List<LeaseSummary> leases,
      List<Usage> usage,
      List<LeakRecord> leaks,
      Map<String, Instant> departedOwners) {
    this(
        now,
        workloads,
        workloadCreated,
        resources,
        policies,
        adminTokens,
        imported,
        leases,
        usage,
        leaks,
        departedOwners,
        List.of());
  }
}
