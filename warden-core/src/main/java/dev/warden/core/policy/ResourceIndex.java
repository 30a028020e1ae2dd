package dev.warden.core.policy;

import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The policies of one resource, indexed by how they name workloads. */
final class ResourceIndex {
  private final Map<String, List<CompiledPolicy>> exact;
  private final Map<String, List<CompiledPolicy>> prefix;
  private final Map<Selector, List<CompiledPolicy>> bySelector;
  private final List<CompiledPolicy> all;

  private ResourceIndex(
      Map<String, List<CompiledPolicy>> exact,
      Map<String, List<CompiledPolicy>> prefix,
      Map<Selector, List<CompiledPolicy>> bySelector,
      List<CompiledPolicy> all) {
    this.exact = exact;
    this.prefix = prefix;
    this.bySelector = bySelector;
    this.all = all;
  }

  /** Every policy naming this resource, deny first, then by name. */
  List<CompiledPolicy> all() {
    return all;
  }

  /**
   * The policies that may apply to {@code w} (a superset; the caller still checks each matcher).
   *
   * @param prefixes the path prefixes of {@code w}'s SPIFFE ID, precomputed (see {@link
   *     #prefixesOf})
   */
  List<CompiledPolicy> candidates(Workload w, String[] prefixes) {
    List<CompiledPolicy> out = new ArrayList<>(4);
    String id = w.name();
    addAll(out, exact.get(id));
    if (!prefix.isEmpty()) {
      for (String p : prefixes) {
        addAll(out, prefix.get(p));
      }
    }
    if (!bySelector.isEmpty()) {
      for (Selector s : w.selectors()) {
        addAll(out, bySelector.get(s));
      }
    }
    // insertion sort by rank: candidate lists are tiny
    for (int i = 1; i < out.size(); i++) {
      CompiledPolicy p = out.get(i);
      int j = i - 1;
      while (j >= 0 && out.get(j).rank() > p.rank()) {
        out.set(j + 1, out.get(j));
        j--;
      }
      out.set(j + 1, p);
    }
    return out;
  }

  /**
   * {@code spiffe://td/a/b} → {@code spiffe://td/a/}, {@code spiffe://td/}: what a {@code /*}
   * pattern can name.
   */
  @SuppressWarnings("ReturnValueIgnored") // hashCode() is called for its effect: String caches it
  static String[] prefixesOf(String id) {
    List<String> out = new ArrayList<>(4);
    int slash = id.lastIndexOf('/');
    int schemeEnd = "spiffe://".length();
    while (slash >= schemeEnd) {
      String p = id.substring(0, slash + 1);
      p.hashCode(); // computed once here, not per decision
      out.add(p);
      slash = id.lastIndexOf('/', slash - 1);
    }
    return out.toArray(String[]::new);
  }

  private static void addAll(List<CompiledPolicy> out, List<CompiledPolicy> add) {
    if (add == null) {
      return;
    }
    outer:
    for (int i = 0, n = add.size(); i < n; i++) {
      CompiledPolicy p = add.get(i);
      for (int j = 0, m = out.size(); j < m; j++) {
        if (out.get(j) == p) {
          continue outer;
        }
      }
      out.add(p);
    }
  }

  static final Comparator<CompiledPolicy> ORDER = Comparator.comparingInt(CompiledPolicy::rank);

  static final class Builder {
    private final Map<String, List<CompiledPolicy>> exact = new HashMap<>();
    private final Map<String, List<CompiledPolicy>> prefix = new HashMap<>();
    private final Map<Selector, List<CompiledPolicy>> bySelector = new HashMap<>();
    private final List<CompiledPolicy> all = new ArrayList<>();

    void add(CompiledPolicy cp) {
      all.add(cp);
      for (String pattern : cp.policy().workloads().spiffeIds()) {
        if (pattern.endsWith("/*")) {
          prefix
              .computeIfAbsent(pattern.substring(0, pattern.length() - 1), k -> new ArrayList<>())
              .add(cp);
        } else {
          exact.computeIfAbsent(pattern, k -> new ArrayList<>()).add(cp);
        }
      }
      if (!cp.policy().workloads().selectors().isEmpty()) {
        // any one selector will do: a workload must carry all of them to match
        Selector first =
            cp.policy().workloads().selectors().stream()
                .min(Comparator.comparing(Selector::toString))
                .orElseThrow();
        bySelector.computeIfAbsent(first, k -> new ArrayList<>()).add(cp);
      }
    }

    ResourceIndex build() {
      all.sort(ORDER);
      return new ResourceIndex(freeze(exact), freeze(prefix), freeze(bySelector), List.copyOf(all));
    }

    // HashMap, not Map.copyOf: the immutable map probes with equals() on every slot it visits,
    // and SPIFFE IDs share long prefixes, so that costs more than the whole rest of a decision
    private static <K> Map<K, List<CompiledPolicy>> freeze(Map<K, List<CompiledPolicy>> m) {
      Map<K, List<CompiledPolicy>> out = new HashMap<>(m.size() * 2);
      m.forEach((k, v) -> out.put(k, List.copyOf(v)));
      return java.util.Collections.unmodifiableMap(out);
    }
  }
}
