package dev.warden.core.agent;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/** The audit events of the agent protocol, stamped by one clock. */
final class AgentAudit {
  private final AuditWriter audit;
  private final Clock clock;

  AgentAudit(AuditWriter audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  void event(
      AuditType type,
      AuditOutcome outcome,
      String reason,
      String actor,
      String workload,
      Map<String, String> details) {
    audit.write(
        new AuditEvent(
            UUID.randomUUID().toString(),
            clock.instant(),
            type.wire(),
            outcome.wire(),
            reason,
            actor,
            workload,
            null,
            details,
            null));
  }
}
