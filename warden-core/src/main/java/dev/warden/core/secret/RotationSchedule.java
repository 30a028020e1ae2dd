package dev.warden.core.secret;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The schedule of brokered secrets' rotations: each secret whose rotation is due is rotated through
 * its connector, or its owner is reminded, once per due period and by exactly one node.
 */
final class RotationSchedule {
  private final BrokeredSecretStore store;
  private final SecretRotation rotation;
  private final AuditWriter audit;
  private final Clock clock;

  RotationSchedule(
      BrokeredSecretStore store, SecretRotation rotation, AuditWriter audit, Clock clock) {
    this.store = store;
    this.rotation = rotation;
    this.audit = audit;
    this.clock = clock;
  }

  /** See {@link BrokeredSecrets#checkRotations}. */
  BrokeredSecrets.RotationCheck checkRotations(BiConsumer<String, Map<String, Object>> notify) {
    BrokeredSecrets.Recovery recovery = rotation.recoverPending();
    Instant now = clock.instant();
    int rotated = 0;
    int reminded = 0;
    int failed = recovery.failed();
    for (SecretMetadata m : store.list()) {
      Instant due = m.rotationDueAt();
      if (due == null
          || now.isBefore(due)
          || m.pending() != null
          || (m.rotationNoticeAt() != null && !m.rotationNoticeAt().isBefore(due))) {
        continue;
      }
      if (!store.markRotationNotice(m.name(), m.rotationNoticeAt(), now)) {
        continue;
      }
      if (m.settings().rotation() != null) {
        try {
          rotation.rotate(m.name(), "warden:rotation-schedule");
          rotated++;
        } catch (RuntimeException e) {
          failed++;
        }
        continue;
      }
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("event", "brokered_secret.rotation_due");
      payload.put("secret", m.name());
      payload.put("owner", m.settings().owner());
      payload.put("version", m.currentVersion());
      payload.put("lastRotatedAt", m.lastRotatedAt().toString());
      payload.put("dueAt", due.toString());
      payload.put(
          "action",
          "change the value at its target, then: warden secret put "
              + m.name()
              + " --cas "
              + m.currentVersion()
              + " --value-file <file>");
      notify.accept("brokered_secret.rotation_due", payload);
      Map<String, String> d = new HashMap<>();
      d.put("name", m.name());
      d.put("owner", m.settings().owner());
      d.put("dueAt", due.toString());
      audit.write(
          AuditEvent.of(
              AuditType.BROKERED_SECRET_ROTATION_DUE,
              AuditOutcome.SUCCESS,
              null,
              now,
              "warden",
              null,
              null,
              d));
      reminded++;
    }
    return new BrokeredSecrets.RotationCheck(rotated, reminded, failed, recovery.completed());
  }
}
