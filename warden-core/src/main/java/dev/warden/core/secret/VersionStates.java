package dev.warden.core.secret;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The states of a brokered secret's versions: active and deleted (soft, undeletable) swap, any but
 * a pending version can be destroyed for good, and every change is audited. A pending version
 * belongs to its rotation ({@link SecretRotation}).
 */
final class VersionStates {
  private final BrokeredSecretStore store;
  private final SealedVersions versions;
  private final AuditWriter audit;
  private final Clock clock;

  VersionStates(
      BrokeredSecretStore store, SealedVersions versions, AuditWriter audit, Clock clock) {
    this.store = store;
    this.versions = versions;
    this.audit = audit;
    this.clock = clock;
  }

  /** See {@link BrokeredSecrets#destroyVersion}. */
  void destroyVersion(String name, long version, String actor) {
    SecretVersion v =
        store
            .version(name, version)
            .orElseThrow(() -> new NotFoundException("version", name + "@" + version));
    if (v.state() == VersionState.DESTROYED) {
      throw new ConflictException(
          "version " + version + " of secret '" + name + "' is destroyed already");
    }
    if (v.state() == VersionState.PENDING) {
      throw new ConflictException(
          "version "
              + version
              + " of secret '"
              + name
              + "' is a pending rotation; its"
              + " target may hold it. Complete it ('warden secret rotate "
              + name
              + "') or discard it ('warden secret"
              + " discard-pending "
              + name
              + " --version "
              + version
              + "')");
    }
    change(name, version, v.state(), VersionState.DESTROYED, "destroyed", actor);
  }

  void change(
      String name, long version, VersionState from, VersionState to, String action, String actor) {
    if (store.get(name).isEmpty()) {
      throw new NotFoundException("brokered secret", name);
    }
    versions.forget(name);
    Instant now = clock.instant();
    if (!store.changeState(name, version, from, to, now)) {
      SecretVersion v =
          store
              .version(name, version)
              .orElseThrow(() -> new NotFoundException("version", name + "@" + version));
      throw new ConflictException(
          "version "
              + version
              + " of secret '"
              + name
              + "' is "
              + v.state().wire()
              + ", not "
              + from.wire()
              + "; nothing changed");
    }
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("action", action);
    audit.write(changed(d, now, actor));
  }

  /**
   * The audit event of a change to a secret's versions; {@code details} name the secret, the
   * version and the action.
   */
  static AuditEvent changed(Map<String, String> details, Instant now, String actor) {
    return AuditEvent.of(
        AuditType.BROKERED_SECRET_VERSION_CHANGED,
        AuditOutcome.SUCCESS,
        null,
        now,
        actor,
        null,
        null,
        details);
  }
}
