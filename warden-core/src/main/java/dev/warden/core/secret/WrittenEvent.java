package dev.warden.core.secret;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code brokered_secret.written} event of an owner's write and of a completed rotation: the
 * version and its fingerprint, never the value.
 */
final class WrittenEvent {
  private WrittenEvent() {}

  /**
   * @param action {@code written} (an owner's value) or {@code rotated} (Warden's own)
   * @param recovered true when a rotation was completed after an earlier attempt failed midway
   */
  static AuditEvent of(
      String name,
      long version,
      String fingerprint,
      String action,
      boolean recovered,
      String actor,
      Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("fingerprint", fingerprint);
    d.put("action", action);
    if (recovered) {
      d.put("recovered", "true");
    }
    return AuditEvent.of(
        AuditType.BROKERED_SECRET_WRITTEN, AuditOutcome.SUCCESS, null, now, actor, null, null, d);
  }
}
