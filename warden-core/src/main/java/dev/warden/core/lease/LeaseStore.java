package dev.warden.core.lease;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Leases of issued credentials. Leases are created with their issuance audit event, never alone. */
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
   * Moves the end of a live lease later, to {@code expiresAt}: only while it is active, unrevoked
   * and not yet expired at {@code now}, and only later than it was.
   *
   * @return true when the lease was extended
   */
  boolean extend(String id, Instant expiresAt, Instant now);
}
