package dev.warden.core.audit;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One thing that happened: a decision, an issuance, a revocation, an admin change, a key rotation.
 * Never holds a secret: credentials appear only as HMAC fingerprints in {@code details}.
 *
 * @param type what kind of event, e.g. {@code token.issued}, {@code decision}, {@code admin.change}
 * @param outcome {@code allow}, {@code deny}, {@code success} or {@code failure}
 * @param reason a stable reason code (see {@link dev.warden.core.error.Reason})
 * @param actor who caused it: a SPIFFE ID, {@code admin:<token id>}, or {@code system}
 * @param lease when the event records an issuance, the lease to persist atomically with it
 */
public record AuditEvent(
    String id,
    Instant time,
    String type,
    String outcome,
    String reason,
    String actor,
    @Nullable String workload,
    @Nullable String resource,
    Map<String, String> details,
    @Nullable Lease lease) {

  public AuditEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    reason = reason == null ? "" : reason;
    actor = actor == null ? "system" : actor;
    // sorted so the canonical hash form is deterministic
    details =
        details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
  }

  /**
   * An event of a known type, with a fresh id.
   *
   * @param reason the stable reason code, or null for none
   */
  public static AuditEvent of(
      AuditType type,
      AuditOutcome outcome,
      dev.warden.core.error.@Nullable Reason reason,
      Instant time,
      String actor,
      @Nullable String workload,
      @Nullable String resource,
      Map<String, String> details) {
    return withId(
        java.util.UUID.randomUUID().toString(),
        type,
        outcome,
        reason,
        time,
        actor,
        workload,
        resource,
        details,
        null);
  }

  /** An event with a chosen id (a credential's lease id) and, for an issuance, its lease. */
  public static AuditEvent withId(
      String id,
      AuditType type,
      AuditOutcome outcome,
      dev.warden.core.error.@Nullable Reason reason,
      Instant time,
      String actor,
      @Nullable String workload,
      @Nullable String resource,
      Map<String, String> details,
      @Nullable Lease lease) {
    return new AuditEvent(
        id,
        time,
        type.wire(),
        outcome.wire(),
        reason == null ? "" : reason.code(),
        actor,
        workload,
        resource,
        details,
        lease);
  }
}
