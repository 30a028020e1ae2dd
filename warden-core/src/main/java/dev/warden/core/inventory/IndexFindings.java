package dev.warden.core.inventory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The findings and Warden-side items of the posture index, by unit: a unit is what is judged in one
 * go (an imported item by its id, a workload with what was issued to it, or the {@code global}
 * rest), and judging a unit again replaces exactly what it contributed.
 *
 * <p>Findings are kept partitioned by {@link Part} (severity, then rule) in the order of {@link
 * Posture#ORDER}, so that a page and the counts by severity or rule walk the parts rather than
 * every finding. While a change is judged, findings new to their unit can be collected for
 * announcement ({@link #collect}). Not thread-safe: part of {@link IndexState}.
 */
final class IndexFindings {
  private static final String WORKLOAD_UNIT = "w\0";

  /** Findings of one severity and rule: the order of {@link Posture#ORDER} puts them together. */
  record Part(Finding.Severity severity, String ruleId, String owasp) {
    static final Comparator<Part> ORDER =
        Comparator.comparing(Part::severity)
            .reversed()
            .thenComparing(Part::ruleId)
            .thenComparing(Part::owasp);

    static Part of(Finding f) {
      return new Part(f.severity(), f.ruleId(), f.owasp());
    }
  }

  private final TreeMap<Part, TreeSet<Finding>> byPart = new TreeMap<>(Part.ORDER);
  private final Map<String, List<Finding>> byUnit = new HashMap<>();
  private final TreeMap<String, InventoryItem> wardenItems = new TreeMap<>();
  private final Map<String, List<String>> unitItems = new HashMap<>();

  /** While a change is judged: where findings it brings are collected (null: not collected). */
  private List<Finding> noticed;

  private Finding.Severity noticeFrom;

  /** The unit of one workload. */
  static String workloadUnit(String workload) {
    return WORKLOAD_UNIT + workload;
  }

  /**
   * Every finding by part, in {@link Part#ORDER}; each part's findings in {@link Posture#ORDER}.
   */
  NavigableMap<Part, TreeSet<Finding>> parts() {
    return Collections.unmodifiableNavigableMap(byPart);
  }

  /** The items Warden holds itself, by id. */
  NavigableMap<String, InventoryItem> wardenItems() {
    return Collections.unmodifiableNavigableMap(wardenItems);
  }

  int count() {
    return byPart.values().stream().mapToInt(Set::size).sum();
  }

  /**
   * Collects new findings of at least {@code from} into {@code into} from now on; (null, null)
   * stops.
   */
  void collect(List<Finding> into, Finding.Severity from) {
    noticed = from == null ? null : into;
    noticeFrom = from;
  }

  /** Replaces what {@code unit} contributed: its Warden-side items and its findings. */
  void replaceUnit(String unit, List<InventoryItem> items, List<Finding> fresh) {
    List<String> oldItems = unitItems.remove(unit);
    if (oldItems != null) {
      oldItems.forEach(wardenItems::remove);
    }
    if (!items.isEmpty()) {
      List<String> ids = new ArrayList<>(items.size());
      for (InventoryItem i : items) {
        wardenItems.put(i.id(), i);
        ids.add(i.id());
      }
      unitItems.put(unit, ids);
    }
    replaceFindings(unit, fresh);
  }

  /**
   * Replaces the findings of {@code unit}; a finding on a (rule, item) the unit had none of is new.
   */
  void replaceFindings(String unit, List<Finding> fresh) {
    List<Finding> old = byUnit.remove(unit);
    if (noticed != null && noticeFrom != null && !fresh.isEmpty()) {
      Set<String> before = new HashSet<>();
      if (old != null) {
        old.forEach(f -> before.add(f.ruleId() + "\0" + f.itemId()));
      }
      for (Finding f : fresh) {
        if (f.severity().compareTo(noticeFrom) >= 0
            && !before.contains(f.ruleId() + "\0" + f.itemId())) {
          noticed.add(f);
        }
      }
    }
    if (old != null) {
      for (Finding f : old) {
        Part p = Part.of(f);
        TreeSet<Finding> set = byPart.get(p);
        if (set != null) {
          set.remove(f);
          if (set.isEmpty()) {
            byPart.remove(p);
          }
        }
      }
    }
    if (!fresh.isEmpty()) {
      byUnit.put(unit, fresh);
      for (Finding f : fresh) {
        byPart.computeIfAbsent(Part.of(f), k -> new TreeSet<>(Posture.ORDER)).add(f);
      }
    }
  }

  /** Adds every workload that has items or findings here to {@code out}. */
  void workloadsInto(Set<String> out) {
    for (String unit : unitItems.keySet()) {
      if (unit.startsWith(WORKLOAD_UNIT)) {
        out.add(unit.substring(WORKLOAD_UNIT.length()));
      }
    }
    for (String unit : byUnit.keySet()) {
      if (unit.startsWith(WORKLOAD_UNIT)) {
        out.add(unit.substring(WORKLOAD_UNIT.length()));
      }
    }
  }

  /**
   * Findings of at least {@code from} here on a (rule, item) that had none in {@code before}: what
   * the passage of time brought between two loads.
   */
  List<Finding> appearedSince(IndexFindings before, Finding.Severity from) {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<Part, TreeSet<Finding>> e : byPart.entrySet()) {
      if (e.getKey().severity().compareTo(from) < 0) {
        continue;
      }
      Set<String> had = new HashSet<>();
      TreeSet<Finding> old = before.byPart.get(e.getKey());
      if (old != null) {
        old.forEach(f -> had.add(f.itemId()));
      }
      for (Finding f : e.getValue()) {
        if (!had.contains(f.itemId())) {
          out.add(f);
        }
      }
    }
    return out;
  }
}
