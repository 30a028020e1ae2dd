package dev.warden.core.inventory;

import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far one identity can reach: every resource reachable through allow policies, and through the
 * static credentials it holds (imported items whose {@code workload} attribute names it, reaching
 * their {@code resources}), weighted by {@link Sensitivity#weight()}, most sensitive first, each
 * with the path that reaches it. A resource reached by two paths is listed twice and counted once
 * (at its weight) in the score.
 */
public record BlastRadius(String itemId, String subject, int score, List<Grants.Grant> reachable) {

  /**
   * The blast radius of an inventory item by id (builds the inventory to find it).
   *
   * @throws NotFoundException when no item has this id
   */
  public static BlastRadius of(InventoryFacts f, String itemId) {
    InventoryItem item =
        Inventory.build(f).stream()
            .filter(i -> i.id().equals(itemId))
            .findFirst()
            .orElseThrow(() -> new NotFoundException("inventory item", itemId));
    return of(f, item);
  }

  /**
   * The blast radius of an inventory item: a workload (its policies and held credentials), a
   * credential issued to one or leaked (the resource it was for), or an imported item (what it
   * reaches itself, plus the reach of the workload named by its {@code workload} attribute).
   */
  public static BlastRadius of(InventoryFacts f, InventoryItem item) {
    Map<String, Resource> resources = Inventory.resourcesByName(f);
    Map<String, Workload> workloads = new HashMap<>();
    f.workloads().forEach(w -> workloads.put(w.name(), w));
    List<Grants.Grant> grants = new ArrayList<>();
    switch (item.kind()) {
      case "workload" -> {
        Workload w = workloads.get(item.name());
        if (w != null) {
          grants.addAll(Grants.of(w, f.policies(), resources));
          grants.addAll(held(heldBy(f).getOrDefault(w.name(), List.of()), resources));
        }
      }
      case "issued-credential", "leaked-credential" -> {
        String wid =
            item.kind().equals("issued-credential") ? item.attributes().get("workload") : null;
        Workload w = wid == null ? null : workloads.get(wid);
        List<Grants.Grant> all = w == null ? List.of() : Grants.of(w, f.policies(), resources);
        for (String r : item.privileges()) {
          grants.add(
              all.stream()
                  .filter(g -> g.resource().equals(r))
                  .findFirst()
                  .orElse(
                      new Grants.Grant(
                          r, null, sensitivity(r, resources), false, "issued credential")));
        }
      }
      default -> {
        String wid = item.attributes().get("workload");
        Workload w = wid == null ? null : workloads.get(wid);
        if (w != null) {
          for (Grants.Grant g : Grants.of(w, f.policies(), resources)) {
            grants.add(
                new Grants.Grant(
                    g.resource(),
                    g.policy(),
                    g.sensitivity(),
                    g.conditional(),
                    "used by workload " + w.name() + ", " + g.path()));
          }
        }
        // an imported credential's own reach: the resources named by its `resources` attribute
        if (!item.source().equals("warden") && item.attributes().containsKey("resources")) {
          for (String r : item.privileges()) {
            grants.add(
                new Grants.Grant(
                    r, null, sensitivity(r, resources), false, "the credential itself"));
          }
        }
      }
    }
    grants.sort(
        java.util.Comparator.comparingInt(Grants.Grant::weight)
            .reversed()
            .thenComparing(Grants.Grant::resource)
            .thenComparing(Grants.Grant::path));
    return new BlastRadius(item.id(), item.name(), scoreOf(grants), List.copyOf(grants));
  }

  /** Every workload's blast radius, largest first. */
  public static List<BlastRadius> ranking(InventoryFacts f) {
    Map<String, Resource> resources = Inventory.resourcesByName(f);
    Map<String, List<ImportedNhi>> byWorkload = heldBy(f);
    return f.workloads().stream()
        .<BlastRadius>map(
            w -> {
              List<Grants.Grant> g = new ArrayList<>(Grants.of(w, f.policies(), resources));
              g.addAll(held(byWorkload.getOrDefault(w.name(), List.of()), resources));
              g.sort(
                  java.util.Comparator.comparingInt(Grants.Grant::weight)
                      .reversed()
                      .thenComparing(Grants.Grant::resource)
                      .thenComparing(Grants.Grant::path));
              return new BlastRadius(
                  Inventory.workloadId(w.name()), w.name(), scoreOf(g), List.copyOf(g));
            })
        .sorted(
            java.util.Comparator.comparingInt(BlastRadius::score)
                .reversed()
                .thenComparing(BlastRadius::subject))
        .toList();
  }

  /** Imported credentials by the workload that uses them (their {@code workload} attribute). */
  static Map<String, List<ImportedNhi>> heldBy(InventoryFacts f) {
    Map<String, List<ImportedNhi>> m = new HashMap<>();
    for (ImportedNhi n : f.imported()) {
      String w = n.attributes().get("workload");
      if (w != null && n.attributes().containsKey("resources")) {
        m.computeIfAbsent(w, k -> new ArrayList<>()).add(n);
      }
    }
    return m;
  }

  private static List<Grants.Grant> held(List<ImportedNhi> held, Map<String, Resource> resources) {
    List<Grants.Grant> out = new ArrayList<>();
    for (ImportedNhi n : held) {
      for (String r : Inventory.importedPrivileges(n)) {
        out.add(
            new Grants.Grant(
                r,
                null,
                sensitivity(r, resources),
                false,
                "static credential " + n.name() + " from " + n.source()));
      }
    }
    return out;
  }

  private static Sensitivity sensitivity(String resource, Map<String, Resource> resources) {
    Resource r = resources.get(resource);
    return r == null ? Sensitivity.MEDIUM : r.sensitivity();
  }

  /** Each resource once, at its weight. */
  private static int scoreOf(List<Grants.Grant> grants) {
    Map<String, Integer> byResource = new HashMap<>();
    grants.forEach(g -> byResource.merge(g.resource(), g.weight(), Math::max));
    return byResource.values().stream().mapToInt(Integer::intValue).sum();
  }
}
