package dev.warden.core.inventory;

import java.time.Instant;
import java.util.Set;

/**
 * How a workload used a resource, from {@code token.issued} audit events.
 *
 * @param sourceAddresses the distinct caller addresses seen (bounded by the store)
 */
public record Usage(
    String workload, String resource, long count, Instant lastIssued, Set<String> sourceAddresses) {
  public Usage {
    sourceAddresses = Set.copyOf(sourceAddresses);
  }
}
