package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.util.List;
import java.util.Set;

/**
 * Which workloads an access policy applies to: a workload matches if its SPIFFE ID matches any of
 * {@code spiffeIds} (exact, or a pattern ending in {@code /*} for a path prefix) or if it carries
 * every selector in {@code selectors}.
 */
public record WorkloadMatcher(List<String> spiffeIds, Set<Selector> selectors) {

  public WorkloadMatcher {
    spiffeIds = spiffeIds == null ? List.of() : List.copyOf(spiffeIds);
    selectors = selectors == null ? Set.of() : Set.copyOf(selectors);
    if (spiffeIds.isEmpty() && selectors.isEmpty()) {
      throw new ValidationException(
          "workloads", "name at least one SPIFFE ID (pattern) or selector");
    }
    for (String p : spiffeIds) {
      String id = p.endsWith("/*") ? p.substring(0, p.length() - 2) : p;
      if (id.contains("*")) {
        throw new ValidationException(
            "workloads.spiffeIds", "'" + p + "': '*' is allowed only as a final '/*' path segment");
      }
      SpiffeId.parse(id);
    }
  }

  /** True if the workload is covered by this matcher. */
  public boolean matches(Workload w) {
    String id = w.spiffeId().toString();
    for (String p : spiffeIds) {
      if (p.endsWith("/*")) {
        String prefix = p.substring(0, p.length() - 1);
        if (id.startsWith(prefix)) {
          return true;
        }
      } else if (p.equals(id)) {
        return true;
      }
    }
    return !selectors.isEmpty() && w.selectors().containsAll(selectors);
  }
}
