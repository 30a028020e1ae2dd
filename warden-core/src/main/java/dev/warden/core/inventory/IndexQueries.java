package dev.warden.core.inventory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The reads the posture index answers from one {@link IndexState}: a page of findings with counts
 * over every match, a page of items after a cursor, one item. A page walks only as far as it needs:
 * findings by {@link IndexFindings.Part}, skipping whole parts for an offset; imported items
 * through the smallest index the filter names, merged in id order with the items Warden holds. The
 * caller holds the index's read lock.
 */
final class IndexQueries {
  private IndexQueries() {}

  /**
   * Findings in {@link Posture#ORDER}, from {@code offset}, at most {@code limit}, with counts over
   * every match.
   *
   * @param severity only this severity (its wire name), or null
   * @param rule only this rule id or OWASP id (any case), or null
   */
  static PostureIndex.FindingsPage findings(
      IndexState s, String severity, String rule, int offset, int limit) {
    List<Finding> page = new ArrayList<>();
    Map<String, Integer> bySeverity = new TreeMap<>();
    Map<String, Integer> byOwasp = new TreeMap<>();
    int total = 0;
    int skip = offset;
    for (Map.Entry<IndexFindings.Part, TreeSet<Finding>> e : s.findings.parts().entrySet()) {
      IndexFindings.Part p = e.getKey();
      if ((severity != null && !p.severity().wire().equals(severity))
          || (rule != null && !p.ruleId().equals(rule) && !p.owasp().equalsIgnoreCase(rule))) {
        continue;
      }
      int n = e.getValue().size();
      total += n;
      bySeverity.merge(p.severity().wire(), n, Integer::sum);
      byOwasp.merge(p.owasp(), n, Integer::sum);
      if (page.size() >= limit) {
        continue;
      }
      if (skip >= n) {
        skip -= n;
        continue;
      }
      for (Finding f : e.getValue()) {
        if (skip > 0) {
          skip--;
        } else if (page.size() < limit) {
          page.add(f);
        } else {
          break;
        }
      }
    }
    return new PostureIndex.FindingsPage(page, total, bySeverity, byOwasp, s.judgedAt);
  }

  /** Items matching {@code filter}, ordered by id, after {@code cursor} (null: from the start). */
  static PostureIndex.ItemsPage items(
      IndexState s, Inventory.Filter filter, String cursor, int limit) {
    Iterator<InventoryItem> warden =
        (cursor == null
                ? s.findings.wardenItems()
                : s.findings.wardenItems().tailMap(cursor, false))
            .values().stream().filter(filter::test).iterator();
    Iterator<InventoryItem> merged =
        merge(warden, imported(s, filter, cursor), Comparator.comparing(InventoryItem::id));
    List<InventoryItem> out = new ArrayList<>();
    while (merged.hasNext() && out.size() < limit) {
      out.add(merged.next());
    }
    return new PostureIndex.ItemsPage(
        out, merged.hasNext() && !out.isEmpty() ? out.get(out.size() - 1).id() : null);
  }

  /** One item by id, if the index holds it. */
  static Optional<InventoryItem> item(IndexState s, String id) {
    InventoryItem w = s.findings.wardenItems().get(id);
    if (w != null) {
      return Optional.of(w);
    }
    ImportedNhi n = s.imported.get(id);
    return n == null ? Optional.empty() : Optional.of(Inventory.importedItem(n, id));
  }

  /**
   * One item's blast radius from the facts around it ({@link IndexState#factsAround}): the cost of
   * one workload, not of the whole inventory.
   */
  static Optional<BlastRadius> blastRadius(IndexState s, String id, java.time.Instant now) {
    return item(s, id)
        .map(
            i ->
                BlastRadius.of(
                    s.factsAround(
                        now,
                        i.kind().equals("workload") ? i.name() : i.attributes().get("workload")),
                    i));
  }

  /**
   * Imported items matching {@code filter} after {@code cursor}, in id order, made into items
   * lazily.
   */
  private static Iterator<InventoryItem> imported(
      IndexState s, Inventory.Filter filter, String cursor) {
    // walk the smallest index that the filter names; with none, walk everything in id order
    IdIndex best = null;
    String key = null;
    for (Object[] c :
        new Object[][] {
          {s.byOwner, filter.owner()},
          {s.byTeam, filter.team()},
          {s.byEnvironment, filter.environment()},
          {s.byKind, filter.kind()}
        }) {
      IdIndex ix = (IdIndex) c[0];
      String k = (String) c[1];
      if (k != null && (best == null || ix.size(k) < best.size(key))) {
        best = ix;
        key = k;
      }
    }
    Stream<Map.Entry<String, ImportedNhi>> entries =
        best != null
            ? best.after(key, cursor).stream().map(id -> Map.entry(id, s.imported.get(id)))
            : (cursor == null ? s.imported : s.imported.tailMap(cursor, false)).entrySet().stream();
    return entries
        .filter(e -> filter.testImported(e.getValue()))
        .map(e -> Inventory.importedItem(e.getValue(), e.getKey()))
        .iterator();
  }

  /** Merges two iterators already ordered by {@code order}; neither may yield null. */
  static <T> Iterator<T> merge(Iterator<T> a, Iterator<T> b, Comparator<? super T> order) {
    return new Iterator<>() {
      T x = a.hasNext() ? a.next() : null;
      T y = b.hasNext() ? b.next() : null;

      @Override
      public boolean hasNext() {
        return x != null || y != null;
      }

      @Override
      public T next() {
        T out;
        if (y == null || (x != null && order.compare(x, y) <= 0)) {
          out = x;
          x = a.hasNext() ? a.next() : null;
        } else {
          out = y;
          y = b.hasNext() ? b.next() : null;
        }
        return out;
      }
    };
  }
}
