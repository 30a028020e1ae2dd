package dev.warden.core.inventory;

import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far one identity can reach: every resource reachable through allow policies, weighted by
 * {@link dev.warden.core.model.Sensitivity#weight()}, most sensitive first, each with the policy
 * that grants it. The score is the sum of the weights.
 */
public record BlastRadius(String itemId, String subject, int score, List<Grants.Grant> reachable) {

  /**
   * The blast radius of an inventory item: a workload, a credential issued to one, or a leaked one
   * (the resource it was for), or an imported item linked to a workload by its {@code workload}
   * attribute.
   *
   * @throws NotFoundException when no item has this id
   */
  public static BlastRadius of(InventoryFacts f, String itemId) {
    Map<String, Resource> resources = Inventory.resourcesByName(f);
    Map<String, Workload> workloads = new HashMap<>();
    f.workloads().forEach(w -> workloads.put(w.name(), w));
    InventoryItem item = Inventory.build(f).stream().filter(i -> i.id().equals(itemId)).findFirst()
        .orElseThrow(() -> new NotFoundException("inventory item", itemId));
    String workload = switch (item.kind()) {
      case "workload" -> item.name();
      case "issued-credential", "leaked-credential" -> null;
      default -> item.attributes().get("workload");
    };
    List<Grants.Grant> grants;
    if (workload != null && workloads.containsKey(workload)) {
      grants = Grants.of(workloads.get(workload), f.policies(), resources);
    } else if (item.kind().equals("issued-credential") || item.kind().equals("leaked-credential")) {
      String wid = item.kind().equals("issued-credential") ? item.attributes().get("workload") : null;
      Workload w = wid == null ? null : workloads.get(wid);
      List<Grants.Grant> all = w == null ? List.of() : Grants.of(w, f.policies(), resources);
      grants = item.privileges().stream().map(r -> all.stream().filter(g -> g.resource().equals(r)).findFirst()
          .orElse(new Grants.Grant(r, "(issued)", resources.containsKey(r) ? resources.get(r).sensitivity()
              : dev.warden.core.model.Sensitivity.MEDIUM, false))).toList();
    } else {
      grants = List.of();
    }
    return new BlastRadius(item.id(), item.name(), grants.stream().mapToInt(Grants.Grant::weight).sum(), grants);
  }

  /** Every workload's blast radius, largest first. */
  public static List<BlastRadius> ranking(InventoryFacts f) {
    Map<String, Resource> resources = Inventory.resourcesByName(f);
    return f.workloads().stream().map(w -> {
      List<Grants.Grant> g = Grants.of(w, f.policies(), resources);
      return new BlastRadius(Inventory.workloadId(w.name()), w.name(), g.stream().mapToInt(Grants.Grant::weight).sum(), g);
    }).sorted(java.util.Comparator.comparingInt(BlastRadius::score).reversed().thenComparing(BlastRadius::subject))
        .toList();
  }
}
