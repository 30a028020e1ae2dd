package dev.warden.core.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of the inventory: any non-human identity or credential, whatever its origin.
 *
 * @param id stable and unique across kinds, e.g. {@code workload:spiffe://...}, {@code imp-...}
 * @param kind {@code workload}, {@code issued-credential}, {@code admin-token}, {@code
 *     leaked-credential} or the kind of an imported item
 * @param source {@code warden} for what Warden holds, else the import source
 * @param privileges resource names reachable through allow policies (workloads and their
 *     credentials)
 */
public record InventoryItem(
    String id,
    String kind,
    String name,
    String owner,
    String team,
    String environment,
    String source,
    Instant created,
    Instant expiry,
    Instant lastUsed,
    CredentialType credentialType,
    List<String> privileges,
    Instant lastRotation,
    Map<String, String> attributes) {

  public InventoryItem {
    privileges = privileges == null ? List.of() : List.copyOf(privileges);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
