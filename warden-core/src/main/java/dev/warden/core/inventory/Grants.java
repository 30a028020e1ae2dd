package dev.warden.core.inventory;

import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.Workload;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which resources a workload can reach, and through which policy. A resource is reachable when an
 * allow policy's {@link dev.warden.core.model.WorkloadMatcher} covers the workload and no
 * unconditional deny policy covers the same pair (deny wins). A conditional allow still counts: the
 * blast radius is what the policy could grant, not what it granted today.
 */
public final class Grants {
  /**
   * One reachable resource and the path that reaches it.
   *
   * @param policy the allow policy that grants it, or null when the path is not a policy
   * @param path how it is reached, for people: {@code policy api-ledger}, {@code static credential
   *     ...}
   */
  public record Grant(
      String resource, String policy, Sensitivity sensitivity, boolean conditional, String path) {
    /** A grant through an allow policy. */
    public Grant(String resource, String policy, Sensitivity sensitivity, boolean conditional) {
      this(resource, policy, sensitivity, conditional, "policy " + policy);
    }

    public int weight() {
      return sensitivity.weight();
    }
  }

  private Grants() {}

  /**
   * Reachable resources of {@code w}, one entry per resource (the first allowing policy by name).
   */
  public static List<Grant> of(
      Workload w, Collection<AccessPolicy> policies, Map<String, Resource> resources) {
    Set<String> denied = new HashSet<>();
    for (AccessPolicy p : policies) {
      if (p.effect() == Effect.DENY && p.condition() == null && p.workloads().matches(w)) {
        denied.addAll(p.resources());
      }
    }
    Map<String, Grant> out = new HashMap<>();
    List<AccessPolicy> sorted = new ArrayList<>(policies);
    sorted.sort(Comparator.comparing(AccessPolicy::name));
    for (AccessPolicy p : sorted) {
      if (p.effect() != Effect.ALLOW || !p.workloads().matches(w)) {
        continue;
      }
      for (String r : p.resources()) {
        if (denied.contains(r) || out.containsKey(r)) {
          continue;
        }
        Resource res = resources.get(r);
        out.put(
            r,
            new Grant(
                r,
                p.name(),
                res == null ? Sensitivity.MEDIUM : res.sensitivity(),
                p.condition() != null));
      }
    }
    List<Grant> list = new ArrayList<>(out.values());
    list.sort(Comparator.comparingInt(Grant::weight).reversed().thenComparing(Grant::resource));
    return list;
  }

  /** Names of the policies that cover {@code w}. */
  public static List<AccessPolicy> policiesCovering(Workload w, Collection<AccessPolicy> policies) {
    List<AccessPolicy> out = new ArrayList<>();
    for (AccessPolicy p : policies) {
      if (p.workloads().matches(w)) {
        out.add(p);
      }
    }
    return out;
  }
}
