package dev.warden.core.secret;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rotation of brokered secrets through their connectors, in two steps so that no value reaches a
 * target that Warden has not stored first (decision 117): the new value is stored as a pending
 * version, set at the target, then made current; a pending version left by a failed or interrupted
 * attempt is completed by {@link #recoverPending} or discarded by an admin.
 */
final class SecretRotation {
  /** Who completes pending rotations in the audit log. */
  static final String RECOVERY_ACTOR = "warden:rotation-recovery";

  private final BrokeredSecretStore store;
  private final SealedVersions versions;
  private final RotationConnectors connectors;
  private final AuditWriter audit;
  private final Clock clock;
  private final AtomicInteger stuckRotations = new AtomicInteger();

  SecretRotation(
      BrokeredSecretStore store,
      SealedVersions versions,
      RotationConnectors connectors,
      AuditWriter audit,
      Clock clock) {
    this.store = store;
    this.versions = versions;
    this.connectors = connectors;
    this.audit = audit;
    this.clock = clock;
  }

  /** See {@link BrokeredSecrets#rotate}. */
  BrokeredSecrets.Written rotate(String name, String actor) {
    SecretMetadata m = metadata(name);
    RotationSpec spec = m.settings().rotation();
    if (spec == null) {
      throw new ValidationException(
          "rotation",
          "secret '"
              + name
              + "' has no rotation connector: Warden cannot"
              + " change it at its target. Its owner rotates it by writing a new version ('warden secret put "
              + name
              + " --cas "
              + m.currentVersion()
              + " --value-file ...'), or set rotation.connector");
    }
    if (m.pending() != null) {
      return complete(m, actor);
    }
    Instant now = clock.instant();
    RotationConnector connector = connectors.get(spec);
    Secret next;
    try {
      next = connector.generate(spec);
    } catch (ValidationException e) {
      auditRotationFailed(name, spec, null, null, null, e, actor, now);
      throw e;
    }
    long version = m.currentVersion() + 1;
    SecretVersion v = versions.seal(name, version, next, VersionState.PENDING, now, actor);
    try {
      store.addPending(name, m.currentVersion(), v, now);
    } catch (ConflictException e) {
      throw new ConflictException(
          "secret '"
              + name
              + "' changed while this rotation began (a new version was"
              + " written or another rotation started); nothing was changed at the target. Read its metadata and retry");
    }
    try {
      connector.apply(spec, next);
    } catch (RuntimeException e) {
      boolean unchanged =
          e instanceof ValidationException || e instanceof TargetException t && !t.maybeChanged();
      if (unchanged && store.dropPending(name, version, now)) {
        auditRotationFailed(name, spec, version, v.fingerprint(), "dropped", e, actor, now);
        throw e;
      }
      store.releasePending(name, version, now, message(e), clock.instant());
      auditRotationFailed(name, spec, version, v.fingerprint(), "kept", e, actor, now);
      throw keptPending(name, version, e);
    }
    return promote(name, v, actor, false);
  }

  /** See {@link BrokeredSecrets#recoverPending}. */
  BrokeredSecrets.Recovery recoverPending() {
    Instant now = clock.instant();
    int completed = 0;
    int failed = 0;
    int stuck = 0;
    for (SecretMetadata m : store.list()) {
      PendingRotation p = m.pending();
      if (p == null) {
        continue;
      }
      boolean heldByLiveAttempt =
          p.claimedAt() != null
              && !p.claimedAt().isBefore(now.minus(BrokeredSecrets.PENDING_CLAIM));
      boolean failedRecently =
          p.failedAt() != null && !p.failedAt().isBefore(now.minus(BrokeredSecrets.PENDING_CLAIM));
      if (heldByLiveAttempt || failedRecently) {
        stuck += p.attempts() > 0 ? 1 : 0;
        continue;
      }
      try {
        complete(m, RECOVERY_ACTOR);
        completed++;
      } catch (ConflictException e) {
        // another node claimed it first: it completes it
      } catch (RuntimeException e) {
        failed++;
        stuck++;
      }
    }
    stuckRotations.set(stuck);
    return new BrokeredSecrets.Recovery(completed, failed);
  }

  /** See {@link BrokeredSecrets#stuckRotations}. */
  int stuckRotations() {
    return stuckRotations.get();
  }

  /** See {@link BrokeredSecrets#discardPending}. */
  void discardPending(String name, long version, String actor) {
    SecretMetadata m = metadata(name);
    PendingRotation p = m.pending();
    if (p == null || p.version() != version) {
      throw new ConflictException(
          "secret '"
              + name
              + "' has no pending version "
              + version
              + " ("
              + (p == null ? "no rotation is pending" : "the pending version is " + p.version())
              + "); nothing changed");
    }
    Instant now = clock.instant();
    if (!store.claimPending(name, version, now.minus(BrokeredSecrets.PENDING_CLAIM), now)) {
      throw attemptUnderWay(name, p);
    }
    String fingerprint = store.version(name, version).map(SecretVersion::fingerprint).orElse("");
    if (!store.dropPending(name, version, now)) {
      throw new ConflictException(
          "the pending version "
              + version
              + " of secret '"
              + name
              + "' changed meanwhile;"
              + " read its metadata and retry");
    }
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("fingerprint", fingerprint);
    d.put("action", "pending_discarded");
    audit.write(VersionStates.changed(d, now, actor));
  }

  /**
   * Completes the pending rotation of {@code m}: claims it, sets its value at the target again and
   * promotes it. Never drops it: an earlier attempt may have set it at the target already.
   */
  private BrokeredSecrets.Written complete(SecretMetadata m, String actor) {
    String name = m.name();
    PendingRotation p = m.pending();
    Instant at = clock.instant();
    if (!store.claimPending(name, p.version(), at.minus(BrokeredSecrets.PENDING_CLAIM), at)) {
      throw attemptUnderWay(name, p);
    }
    SecretVersion v =
        store
            .version(name, p.version())
            .filter(x -> x.state() == VersionState.PENDING)
            .orElseThrow(
                () ->
                    new ConflictException(
                        "the pending version "
                            + p.version()
                            + " of secret '"
                            + name
                            + "' was completed or discarded meanwhile; read its metadata"));
    RotationSpec spec = m.settings().rotation();
    try {
      if (spec == null) {
        throw new ValidationException(
            "rotation",
            "secret '"
                + name
                + "' has a pending version "
                + p.version()
                + " but no rotation connector to set it with; discard it ('warden secret discard-pending "
                + name
                + " --version "
                + p.version()
                + "') once the target is known not to hold it");
      }
      connectors.get(spec).apply(spec, versions.open(v));
    } catch (RuntimeException e) {
      store.releasePending(name, p.version(), at, message(e), clock.instant());
      auditRotationFailed(name, spec, p.version(), v.fingerprint(), "kept", e, actor, at);
      throw keptPending(name, p.version(), e);
    }
    return promote(name, v, actor, true);
  }

  /** Step 3: the target holds {@code v}; make it current. */
  private BrokeredSecrets.Written promote(
      String name, SecretVersion v, String actor, boolean recovered) {
    Instant now = clock.instant();
    boolean promoted;
    try {
      promoted = store.promotePending(name, v.version(), now, actor);
    } catch (RuntimeException e) {
      Map<String, String> d = new HashMap<>();
      d.put("name", name);
      d.put("version", Long.toString(v.version()));
      d.put("fingerprint", v.fingerprint());
      d.put("pending", "kept");
      d.put(
          "message",
          "the target holds the new value but it could not be made current; it stays pending and"
              + " Warden completes the rotation at its next rotation check");
      audit.write(
          AuditEvent.of(
              AuditType.BROKERED_SECRET_ROTATION_FAILED,
              AuditOutcome.FAILURE,
              null,
              now,
              actor,
              null,
              null,
              d));
      throw e;
    }
    if (!promoted) {
      SecretMetadata after = metadata(name);
      if (after.currentVersion() == v.version()) {
        // another node completed this very version (a recovery racing this attempt): done, audited
        // there
        return new BrokeredSecrets.Written(name, v.version(), v.fingerprint());
      }
      throw new ConflictException(
          "the pending version "
              + v.version()
              + " of secret '"
              + name
              + "' was discarded"
              + " while it was being set at the target, which now holds it (fingerprint "
              + v.fingerprint()
              + "); write the account's password again");
    }
    versions.forget(name);
    audit.write(
        WrittenEvent.of(name, v.version(), v.fingerprint(), "rotated", recovered, actor, now));
    return new BrokeredSecrets.Written(name, v.version(), v.fingerprint());
  }

  private void auditRotationFailed(
      String name,
      RotationSpec spec,
      Long version,
      String fingerprint,
      String pending,
      RuntimeException e,
      String actor,
      Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    if (spec != null) {
      d.put("connector", spec.connector());
    }
    if (version != null) {
      d.put("version", Long.toString(version));
      d.put("fingerprint", fingerprint);
      d.put("pending", pending);
    }
    d.put("message", message(e));
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_ROTATION_FAILED,
            AuditOutcome.FAILURE,
            Reason.TARGET_UNAVAILABLE,
            now,
            actor,
            null,
            null,
            d));
  }

  /** The error of an attempt that kept its value pending, saying so and what happens next. */
  private static RuntimeException keptPending(String name, long version, RuntimeException e) {
    String next =
        "; the new value is kept as pending version "
            + version
            + " (the target may hold it): Warden sets"
            + " it again at its next rotation check, 'warden secret rotate "
            + name
            + "' retries now, and 'warden secret"
            + " discard-pending "
            + name
            + " --version "
            + version
            + "' drops it once the target is known not to hold it";
    if (e instanceof TargetException t) {
      return new TargetException(message(t) + next, true, t);
    }
    if (e instanceof ValidationException) {
      return e;
    }
    return new IllegalStateException(message(e) + next, e);
  }

  private static ConflictException attemptUnderWay(String name, PendingRotation p) {
    return new ConflictException(
        "a rotation of secret '"
            + name
            + "' is under way: version "
            + p.version()
            + " is pending, claimed at "
            + p.claimedAt()
            + "; retry after "
            + (p.claimedAt() == null
                ? "a moment"
                : p.claimedAt().plus(BrokeredSecrets.PENDING_CLAIM).toString())
            + ", or read its metadata");
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > 900 ? m.substring(0, 900) : m;
  }

  private SecretMetadata metadata(String name) {
    return store.get(name).orElseThrow(() -> new NotFoundException("brokered secret", name));
  }
}
