package dev.warden.core.database;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.lease.TargetLease;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** The audit events of what the reaper did to a lease at its target. */
final class ReaperEvents {
  private ReaperEvents() {}

  static AuditEvent revokedEvent(TargetLease l, String reason, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("credentialKind", l.lease().kind().wire());
    return new AuditEvent(
        UUID.randomUUID().toString(),
        now,
        AuditType.LEASE_REVOKED.wire(),
        AuditOutcome.SUCCESS.wire(),
        reason,
        "system",
        l.lease().workload(),
        l.lease().resource(),
        d,
        null);
  }

  static AuditEvent removedEvent(TargetLease l, UserDatabase.Removal r, String why, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("username", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("result", r.name().toLowerCase(Locale.ROOT));
    d.put("attempts", Integer.toString(l.removalAttempts() + 1));
    d.put("revokeReason", l.lease().revokeReason() == null ? why : l.lease().revokeReason());
    return AuditEvent.of(
        AuditType.CREDENTIAL_REMOVED,
        AuditOutcome.SUCCESS,
        null,
        now,
        "system",
        l.lease().workload(),
        l.lease().resource(),
        d);
  }
}
