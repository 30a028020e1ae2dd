package dev.warden.core.lease;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Leases of issued credentials. Leases are created with their issuance audit event, never alone.
 */
public interface LeaseStore {

  Optional<Lease> get(String id);

  /** Leases whose credential has this fingerprint (normally one). */
  List<Lease> findByFingerprint(String fingerprint);

  /** Unrevoked, unexpired leases of a workload. */
  List<Lease> listActive(String workload, Instant now);

  /**
   * Marks a lease revoked.
   *
   * @return true if it was active and is now revoked; false if unknown or already revoked
   */
  boolean revoke(String id, Instant at, String reason);

  /**
   * {@link #revoke} for many leases at once, durable together: the reaper revokes a batch of
   * expired leases with one commit instead of one each. This default revokes them one by one.
   *
   * @return the ids that were active and are now revoked
   */
  default Set<String> revokeAll(Collection<String> ids, Instant at, String reason) {
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      if (revoke(id, at, reason)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Moves the end of a live lease later, to {@code expiresAt}: only while it is active, unrevoked
   * and not yet expired at {@code now}, and only later than it was.
   *
   * @return true when the lease was extended
   */
  boolean extend(String id, Instant expiresAt, Instant now);

  /**
   * Every lease matching {@code search}, newest issued first, one page.
   *
   * @throws UnsupportedOperationException from a store that cannot list (test fakes)
   */
  default List<LeaseRow> search(LeaseSearch search) {
    throw new UnsupportedOperationException("this lease store cannot list leases");
  }
}
