package dev.warden.core.lease;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Lease;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Leases by hand: list what a workload holds now, revoke one lease. A revocation is audited, and
 * durable in the audit log, before the call returns.
 */
public final class LeaseService {
  /** What revoking one lease did: {@code revoked} is false when it had already ended. */
  public record Revocation(String id, boolean revoked) {}

  private final LeaseStore leases;
  private final AuditWriter audit;
  private final Clock clock;

  public LeaseService(LeaseStore leases, AuditWriter audit, Clock clock) {
    this.leases = leases;
    this.audit = audit;
    this.clock = clock;
  }

  /** The unrevoked, unexpired leases of a workload (its SPIFFE ID). */
  public List<Lease> active(String workload) {
    return leases.listActive(workload, clock.instant());
  }

  /**
   * One page of every lease matching the filters, newest issued first.
   *
   * @param before the last lease of the previous page, or null
   * @throws dev.warden.core.error.ValidationException when {@code state} is not a lease state
   */
  public List<LeaseRow> search(
      @Nullable String workload,
      @Nullable String resource,
      dev.warden.core.model.@Nullable CredentialKind kind,
      @Nullable String state,
      @Nullable Lease before,
      int limit) {
    return leases.search(
        new LeaseSearch(workload, resource, kind, state, clock.instant(), before, limit));
  }

  /** The lease with this id, if any. */
  public java.util.Optional<Lease> get(String id) {
    return leases.get(id);
  }

  /**
   * Revokes every live lease of a workload, each audited as {@link #revoke} does.
   *
   * @return the ids revoked now
   */
  public List<String> revokeAll(String workload, String actor) {
    List<String> out = new java.util.ArrayList<>();
    for (Lease l : active(workload)) {
      if (revoke(l.id(), actor).revoked()) {
        out.add(l.id());
      }
    }
    return out;
  }

  /**
   * Revokes a lease; a lease that was already revoked or expired stays as it is and is not audited
   * again.
   *
   * @throws NotFoundException when no lease has this id
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public Revocation revoke(String id, String actor) {
    Lease l = leases.get(id).orElseThrow(() -> new NotFoundException("lease", id));
    boolean revoked = leases.revoke(id, clock.instant(), "revoked by " + actor);
    if (revoked) {
      audit.write(revokedEvent(l, actor, clock.instant()));
    }
    return new Revocation(id, revoked);
  }

  /**
   * The audit event of a lease revoked by an admin or by a lifecycle change (retire, offboarding).
   */
  public static AuditEvent revokedEvent(Lease l, String actor, Instant at) {
    return new AuditEvent(
        UUID.randomUUID().toString(),
        at,
        AuditType.LEASE_REVOKED.wire(),
        AuditOutcome.SUCCESS.wire(),
        "revoked",
        actor,
        l.workload(),
        l.resource(),
        Map.of("leaseId", l.id(), "fingerprint", l.fingerprint()),
        null);
  }
}
