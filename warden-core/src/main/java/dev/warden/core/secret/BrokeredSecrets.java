package dev.warden.core.secret;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.EnvelopeCipher;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brokered static secrets: the bridge for targets that accept only a fixed API key or password.
 *
 * <p>Design note (decision 113). Each version is sealed by {@link EnvelopeCipher} under a data key
 * of its own, wrapped by the master key, with {@code brokered-secret|<name>|<version>} as the
 * associated data of both layers, so a ciphertext moved to another name or version does not
 * decrypt. Writes are check-and-set on the current version. A rotation stores its new value as a
 * pending version before the target sees it, so a crash never leaves the target with a value Warden
 * lost (decision 117, {@link #rotate}). Values leave only through {@link #open} (a workload's read,
 * through {@link BrokeredSecretProvider}) — admins write values and never read them back — and only
 * their HMAC fingerprints reach the audit log.
 *
 * <p>This class is the lifecycle of secrets and versions (write, settings, delete, version states)
 * and the read; the envelope of a version is {@link SealedVersions}, rotation is {@link
 * SecretRotation} with {@link RotationConnectors}, and the rotation schedule is {@link
 * RotationSchedule}.
 *
 * <p>Why it is still over 400 lines: it is the one public entry point of brokered secrets, and each
 * public method keeps its full contract (what it throws and why) here, where callers read it.
 */
public final class BrokeredSecrets {
  /** Longest value accepted, in characters. */
  public static final int MAX_VALUE_LENGTH = 8192;

  /** What a write produced. */
  public record Written(String name, long version, String fingerprint) {}

  /** A value opened for a workload's read. */
  public record Opened(String name, long version, Secret value, String fingerprint) {}

  /** What one {@link #recoverPending} did. */
  public record Recovery(int completed, int failed) {}

  /** What one {@link #checkRotations} did. */
  public record RotationCheck(int rotated, int reminded, int failed, int recovered) {}

  /**
   * How long a node's claim on a pending rotation lasts: a claim older than this belongs to a node
   * that stopped, and another may complete the rotation. It is also the least time between two
   * scheduled retries of a rotation whose target refused.
   */
  public static final Duration PENDING_CLAIM = Duration.ofMinutes(2);

  private final BrokeredSecretStore store;
  private final SealedVersions versions;
  private final RotationConnectors connectors;
  private final SecretRotation rotation;
  private final RotationSchedule schedule;
  private final VersionStates states;
  private final AuditWriter audit;
  private final Clock clock;

  public BrokeredSecrets(
      BrokeredSecretStore store,
      EnvelopeCipher cipher,
      Fingerprinter fingerprinter,
      AuditWriter audit,
      Clock clock,
      List<RotationConnector> connectors) {
    this.store = store;
    this.versions = new SealedVersions(cipher, fingerprinter);
    this.connectors = new RotationConnectors(connectors);
    this.rotation = new SecretRotation(store, versions, this.connectors, audit, clock);
    this.schedule = new RotationSchedule(store, rotation, audit, clock);
    this.states = new VersionStates(store, versions, audit, clock);
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Writes a new version. {@code cas} is the version the writer expects to be current: 0 when the
   * secret must not exist yet, null to write whatever is current (still refused if another write
   * lands in between). A new secret needs {@code settings}; an existing one keeps its settings
   * unless given.
   *
   * @throws ValidationException for a bad name, value or settings; nothing is written
   * @throws ConflictException when {@code cas} is not the current version (HTTP 409)
   * @throws NotFoundException when {@code cas} is above 0 and there is no such secret
   * @throws ConflictException also while a rotation is pending: its value may be at the target
   *     already
   */
  public Written put(String name, Secret value, Long cas, SecretSettings settings, String actor) {
    Names.check("name", name);
    checkValue(value);
    if (cas != null && cas < 0) {
      throw new ValidationException(
          "cas", "must be 0 (the secret must not exist yet) or the current version");
    }
    if (settings != null && settings.rotation() != null) {
      connectors.get(settings.rotation()).check(settings.rotation());
    }
    Optional<SecretMetadata> existing = store.get(name);
    long expected = cas != null ? cas : existing.map(SecretMetadata::currentVersion).orElse(0L);
    if (expected == 0 && existing.isPresent()) {
      throw new ConflictException(
          "secret '"
              + name
              + "' exists already (current version "
              + existing.get().currentVersion()
              + "); to write a new version send cas="
              + existing.get().currentVersion());
    }
    if (expected > 0 && existing.isEmpty()) {
      throw new NotFoundException("brokered secret", name);
    }
    if (expected > 0 && existing.get().currentVersion() != expected) {
      throw casMismatch(name, expected, existing.get().currentVersion());
    }
    if (existing.isPresent() && existing.get().pending() != null) {
      throw rotationPending(existing.get());
    }
    if (expected == 0 && settings == null) {
      throw new ValidationException(
          "owner", "is required for a new secret: say who answers for it");
    }
    Instant now = clock.instant();
    long version = expected + 1;
    SecretVersion v = seal(name, version, value, now, actor);
    if (expected == 0) {
      store.create(
          new SecretMetadata(
              name, settings, 1, now, actor, now, actor, now, null, null, null, null),
          v);
    } else {
      try {
        store.addVersion(name, expected, v, now, actor);
      } catch (ConflictException e) {
        SecretMetadata after = metadata(name);
        throw after.pending() != null
            ? rotationPending(after)
            : casMismatch(name, expected, after.currentVersion());
      }
      if (settings != null) {
        update(name, settings, actor);
      }
    }
    audit.write(WrittenEvent.of(name, version, v.fingerprint(), "written", false, actor, now));
    return new Written(name, version, v.fingerprint());
  }

  /**
   * Replaces a secret's settings.
   *
   * @throws NotFoundException when there is no such secret
   * @throws ValidationException when the rotation spec cannot work; nothing is written
   * @throws ConflictException when the rotation spec changes while a rotation is pending
   */
  public SecretMetadata update(String name, SecretSettings settings, String actor) {
    if (settings.rotation() != null) {
      connectors.get(settings.rotation()).check(settings.rotation());
    }
    SecretMetadata before = metadata(name);
    if (before.pending() != null
        && !java.util.Objects.equals(before.settings().rotation(), settings.rotation())) {
      // the pending value belongs to the account of the old spec: setting it elsewhere would be
      // wrong
      throw new ConflictException(
          "secret '"
              + name
              + "' has a rotation pending (version "
              + before.pending().version()
              + ") for its current rotation spec; complete it ('warden secret rotate "
              + name
              + "') or discard it"
              + " ('warden secret discard-pending "
              + name
              + " --version "
              + before.pending().version()
              + "') before changing rotation");
    }
    Instant now = clock.instant();
    if (!store.updateSettings(name, settings, now, actor)) {
      throw new NotFoundException("brokered secret", name);
    }
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("owner", settings.owner());
    d.put("maxVersions", Integer.toString(settings.maxVersions()));
    if (settings.rotationInterval() != null) {
      d.put("rotationInterval", settings.rotationInterval().toString());
    }
    if (settings.rotation() != null) {
      d.put("rotationConnector", settings.rotation().connector());
    }
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_UPDATED,
            AuditOutcome.SUCCESS,
            null,
            now,
            actor,
            null,
            null,
            d));
    return metadata(name);
  }

  /**
   * @throws NotFoundException when there is no such secret
   */
  public SecretMetadata metadata(String name) {
    return store.get(name).orElseThrow(() -> new NotFoundException("brokered secret", name));
  }

  public Optional<SecretMetadata> find(String name) {
    return store.get(name);
  }

  public List<SecretMetadata> list() {
    return store.list();
  }

  /** The versions kept, newest first, without their envelopes. @throws NotFoundException */
  public List<SecretVersion> versions(String name) {
    metadata(name);
    return store.versions(name);
  }

  /** Workloads that read the secret since {@code since}. */
  public List<BrokeredSecretStore.Reader> readers(String name, Instant since) {
    return store.readers(name, since);
  }

  /**
   * The current value, for a workload's read.
   *
   * @throws dev.warden.core.error.DeniedException ({@code secret_unavailable}) when there is no
   *     such secret or its current version is deleted or destroyed
   */
  public Opened open(String name) {
    return versions.open(name, store.current(name));
  }

  /** Soft-deletes a version: kept, unreadable, can be undeleted. */
  public void deleteVersion(String name, long version, String actor) {
    states.change(name, version, VersionState.ACTIVE, VersionState.DELETED, "deleted", actor);
  }

  /** Makes a soft-deleted version readable again. */
  public void undeleteVersion(String name, long version, String actor) {
    states.change(name, version, VersionState.DELETED, VersionState.ACTIVE, "undeleted", actor);
  }

  /** Erases a version's ciphertext and data key for good; its metadata stays. */
  public void destroyVersion(String name, long version, String actor) {
    states.destroyVersion(name, version, actor);
  }

  /** Removes the secret and every version of it. @throws NotFoundException */
  public void delete(String name, String actor) {
    versions.forget(name);
    if (!store.delete(name)) {
      throw new NotFoundException("brokered secret", name);
    }
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_DELETED,
            AuditOutcome.SUCCESS,
            null,
            clock.instant(),
            actor,
            null,
            null,
            Map.of("name", name)));
  }

  /**
   * Rotates a secret through its connector in two steps, so that no value reaches the target that
   * Warden has not stored first (decision 117): the new value is sealed and stored as a pending
   * version (check-and-set on the current one), then set at the target, then made current. When the
   * target refused and certainly holds nothing new, the pending version is dropped; when it may
   * hold it, the version stays pending and {@link #recoverPending} sets it again and completes the
   * rotation. A secret that has a pending version already completes that one instead.
   *
   * @throws ValidationException when the secret has no rotation connector (its owner writes new
   *     versions), or its spec no longer fits; nothing was changed
   * @throws TargetException when the target refused; the current value is unchanged, and the
   *     message says whether the new value was kept pending
   * @throws ConflictException when another rotation or write of the secret is under way
   */
  public Written rotate(String name, String actor) {
    return rotation.rotate(name, actor);
  }

  /**
   * Completes every pending rotation no live attempt holds: sets its value at the target again and
   * makes it current. One whose target refuses stays pending (audited, counted in {@link
   * #stuckRotations()}); it is retried at most every {@link #PENDING_CLAIM}, or at once by {@link
   * #rotate}, until it succeeds or an admin discards it ({@link #discardPending}). Runs at server
   * start and from {@link #checkRotations}.
   */
  public Recovery recoverPending() {
    return rotation.recoverPending();
  }

  /**
   * Secrets whose pending rotation failed at least once and is not complete, as of the last {@link
   * #recoverPending}: each needs the target fixed or an admin's {@link #discardPending}.
   */
  public int stuckRotations() {
    return rotation.stuckRotations();
  }

  /**
   * Removes the pending version {@code version} of a secret without setting it anywhere, when an
   * admin knows the target does not hold it (the value is gone for good; the audit event keeps its
   * fingerprint). Refused while an attempt to set it is under way.
   *
   * @throws NotFoundException when there is no such secret
   * @throws ConflictException when {@code version} is not the pending version, or an attempt holds
   *     it
   */
  public void discardPending(String name, long version, String actor) {
    rotation.discardPending(name, version, actor);
  }

  /**
   * Handles every secret whose rotation is due: one with a connector is rotated, the owner of one
   * without is reminded through {@code notify} — each once per due period. A node first claims the
   * period (check-and-set on the notice time), so of several nodes exactly one acts. Pending
   * rotations are completed first ({@link #recoverPending}).
   *
   * @param notify sends {@code (event, payload)} to the owner's channel (a webhook); must not block
   */
  public RotationCheck checkRotations(
      java.util.function.BiConsumer<String, Map<String, Object>> notify) {
    return schedule.checkRotations(notify);
  }

  /** Connectors by name, for listing. */
  public java.util.Set<String> connectors() {
    return connectors.names();
  }

  private SecretVersion seal(String name, long version, Secret value, Instant now, String actor) {
    return versions.seal(name, version, value, VersionState.ACTIVE, now, actor);
  }

  /** An owner's write refused while a rotation's value is pending: the target may hold that one. */
  private static ConflictException rotationPending(SecretMetadata m) {
    PendingRotation p = m.pending();
    return new ConflictException(
        "secret '"
            + m.name()
            + "' has a rotation pending (version "
            + p.version()
            + (p.lastError() == null ? "" : ", last attempt failed: " + p.lastError())
            + "): its target may hold that"
            + " value already, so no other version is written until it is resolved. Complete it with 'warden secret"
            + " rotate "
            + m.name()
            + "', or, once the target is known not to hold it, 'warden secret discard-pending "
            + m.name()
            + " --version "
            + p.version()
            + "'; then write with --cas "
            + m.currentVersion());
  }

  private static ConflictException casMismatch(String name, long expected, long current) {
    return new ConflictException(
        "check-and-set failed: secret '"
            + name
            + "' is at version "
            + current
            + ", not "
            + expected
            + "; read its metadata and retry with cas="
            + current);
  }

  private static void checkValue(Secret v) {
    if (v == null || v.length() == 0) {
      throw new ValidationException("value", "is required and must not be empty");
    }
    if (v.length() > MAX_VALUE_LENGTH) {
      throw new ValidationException("value", "must be at most " + MAX_VALUE_LENGTH + " characters");
    }
    if (v.reveal().indexOf('\0') >= 0) {
      throw new ValidationException("value", "must not contain NUL characters");
    }
  }
}
