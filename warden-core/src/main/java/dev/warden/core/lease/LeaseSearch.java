package dev.warden.core.lease;

import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which leases to list, newest issued first; null fields do not filter. The page after one ends at
 * the last row's {@code (issuedAt, id)}: {@code before} is that row's lease (keyset paging).
 *
 * @param state {@code active} means issued, unrevoked and unexpired at {@code now}; {@code expired}
 *     (not a stored state) means unrevoked but past its expiry; the others are the stored states
 * @param before the last lease of the previous page, or null for the first page
 */
public record LeaseSearch(
    @Nullable String workload,
    @Nullable String resource,
    @Nullable CredentialKind kind,
    @Nullable String state,
    Instant now,
    @Nullable Lease before,
    int limit) {
  public static final int MAX_LIMIT = 500;

  /** The states a search may name: the stored ones and {@code expired}. */
  public static final java.util.List<String> STATES =
      java.util.List.of("issuing", "active", "expired", "revoking", "revoked", "irrevocable");

  public LeaseSearch {
    Objects.requireNonNull(now, "now");
    if (state != null && !STATES.contains(state)) {
      throw new dev.warden.core.error.ValidationException(
          "state", "'" + state + "' is not a lease state; one of " + String.join(", ", STATES));
    }
    limit = Math.max(1, Math.min(limit, MAX_LIMIT));
  }
}
