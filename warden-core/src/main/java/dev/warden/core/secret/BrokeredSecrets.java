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
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 * decrypt. Writes are check-and-set on the current version. Values leave only through
 * {@link #open} (a workload's read, through {@link BrokeredSecretProvider}) — admins write values
 * and never read them back — and only their HMAC fingerprints reach the audit log.
 */
public final class BrokeredSecrets {
  /** Longest value accepted, in characters. */
  public static final int MAX_VALUE_LENGTH = 8192;

  /** What a write produced. */
  public record Written(String name, long version, String fingerprint) {}

  /** A value opened for a workload's read. */
  public record Opened(String name, long version, Secret value, String fingerprint) {}

  private final BrokeredSecretStore store;
  private final EnvelopeCipher cipher;
  private final Fingerprinter fingerprinter;
  private final AuditWriter audit;
  private final Clock clock;
  private final Map<String, RotationConnector> connectors = new HashMap<>();
  /**
   * The unwrapped data key of each secret's current version, kept after its first read: unwrapping
   * and parsing a Tink keyset cost more than the rest of opening. Every read still reads the
   * current version from the store (so a new, deleted or destroyed version counts at once, on
   * every node) and decrypts its ciphertext; a key is used only for the very wrapped key it came
   * from, and dropped when its version is no longer readable.
   */
  private final Map<String, EnvelopeCipher.DataKey> keys = new java.util.concurrent.ConcurrentHashMap<>();

  public BrokeredSecrets(BrokeredSecretStore store, EnvelopeCipher cipher, Fingerprinter fingerprinter,
      AuditWriter audit, Clock clock, List<RotationConnector> connectors) {
    this.store = store;
    this.cipher = cipher;
    this.fingerprinter = fingerprinter;
    this.audit = audit;
    this.clock = clock;
    connectors.forEach(c -> this.connectors.put(c.name(), c));
  }

  /** The associated data of a version: binds its ciphertext to the secret's name and the version. */
  static String associatedData(String name, long version) {
    return "brokered-secret|" + name + "|" + version;
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
   */
  public Written put(String name, Secret value, Long cas, SecretSettings settings, String actor) {
    Names.check("name", name);
    checkValue(value);
    if (cas != null && cas < 0) {
      throw new ValidationException("cas", "must be 0 (the secret must not exist yet) or the current version");
    }
    if (settings != null && settings.rotation() != null) {
      connector(settings.rotation()).check(settings.rotation());
    }
    Optional<SecretMetadata> existing = store.get(name);
    long expected = cas != null ? cas : existing.map(SecretMetadata::currentVersion).orElse(0L);
    if (expected == 0 && existing.isPresent()) {
      throw new ConflictException("secret '" + name + "' exists already (current version "
          + existing.get().currentVersion() + "); to write a new version send cas=" + existing.get().currentVersion());
    }
    if (expected > 0 && existing.isEmpty()) {
      throw new NotFoundException("brokered secret", name);
    }
    if (expected > 0 && existing.get().currentVersion() != expected) {
      throw casMismatch(name, expected, existing.get().currentVersion());
    }
    if (expected == 0 && settings == null) {
      throw new ValidationException("owner", "is required for a new secret: say who answers for it");
    }
    Instant now = clock.instant();
    long version = expected + 1;
    SecretVersion v = seal(name, version, value, now, actor);
    if (expected == 0) {
      store.create(new SecretMetadata(name, settings, 1, now, actor, now, actor, now, null, null, null), v);
    } else {
      try {
        store.addVersion(name, expected, v, now, actor);
      } catch (ConflictException e) {
        long current = store.get(name).map(SecretMetadata::currentVersion).orElse(0L);
        throw casMismatch(name, expected, current);
      }
      if (settings != null) {
        update(name, settings, actor);
      }
    }
    auditWritten(name, version, v.fingerprint(), "written", actor, now);
    return new Written(name, version, v.fingerprint());
  }

  /**
   * Replaces a secret's settings.
   *
   * @throws NotFoundException when there is no such secret
   * @throws ValidationException when the rotation spec cannot work; nothing is written
   */
  public SecretMetadata update(String name, SecretSettings settings, String actor) {
    if (settings.rotation() != null) {
      connector(settings.rotation()).check(settings.rotation());
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
    audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_UPDATED, AuditOutcome.SUCCESS, null, now, actor, null, null, d));
    return metadata(name);
  }

  /** @throws NotFoundException when there is no such secret */
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
   * @throws dev.warden.core.error.DeniedException ({@code secret_unavailable}) when there is no such
   *     secret or its current version is deleted or destroyed
   */
  public Opened open(String name) {
    BrokeredSecretStore.Current c = store.current(name).orElseThrow(() -> new dev.warden.core.error.DeniedException(
        Reason.SECRET_UNAVAILABLE, "no brokered secret named '" + name + "' is stored; an admin must write it first"));
    SecretVersion v = c.version();
    if (v == null || v.state() != VersionState.ACTIVE) {
      keys.remove(name);
      throw new dev.warden.core.error.DeniedException(Reason.SECRET_UNAVAILABLE, "the current version ("
          + c.metadata().currentVersion() + ") of brokered secret '" + name + "' is "
          + (v == null ? "gone" : v.state().wire()) + "; an admin must undelete it or write a new version");
    }
    String ad = associatedData(name, v.version());
    EnvelopeCipher.Envelope e = v.envelope();
    EnvelopeCipher.DataKey key = keys.get(name);
    if (key == null || !key.opens(e, ad)) {
      key = cipher.unwrap(e, ad);
      keys.put(name, key);
    }
    byte[] plain = key.open(e);
    return new Opened(name, v.version(), Secret.of(new String(plain, StandardCharsets.UTF_8)), v.fingerprint());
  }

  /** Soft-deletes a version: kept, unreadable, can be undeleted. */
  public void deleteVersion(String name, long version, String actor) {
    change(name, version, VersionState.ACTIVE, VersionState.DELETED, "deleted", actor);
  }

  /** Makes a soft-deleted version readable again. */
  public void undeleteVersion(String name, long version, String actor) {
    change(name, version, VersionState.DELETED, VersionState.ACTIVE, "undeleted", actor);
  }

  /** Erases a version's ciphertext and data key for good; its metadata stays. */
  public void destroyVersion(String name, long version, String actor) {
    SecretVersion v = store.version(name, version).orElseThrow(() -> new NotFoundException("version",
        name + "@" + version));
    if (v.state() == VersionState.DESTROYED) {
      throw new ConflictException("version " + version + " of secret '" + name + "' is destroyed already");
    }
    change(name, version, v.state(), VersionState.DESTROYED, "destroyed", actor);
  }

  /** Removes the secret and every version of it. @throws NotFoundException */
  public void delete(String name, String actor) {
    keys.remove(name);
    if (!store.delete(name)) {
      throw new NotFoundException("brokered secret", name);
    }
    audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_DELETED, AuditOutcome.SUCCESS, null, clock.instant(), actor,
        null, null, Map.of("name", name)));
  }

  /**
   * Rotates a secret through its connector: a new value is set at the target, then stored as the
   * next version. The target changes first: if storing then fails, the target holds a password
   * Warden has lost (the audit event says so with its fingerprint) and an admin must write it again.
   *
   * @throws ValidationException when the secret has no rotation connector (its owner writes new versions)
   * @throws TargetException when the target refuses; the stored value is unchanged
   */
  public Written rotate(String name, String actor) {
    SecretMetadata m = metadata(name);
    RotationSpec spec = m.settings().rotation();
    if (spec == null) {
      throw new ValidationException("rotation", "secret '" + name + "' has no rotation connector: Warden cannot"
          + " change it at its target. Its owner rotates it by writing a new version ('warden secret put " + name
          + " --cas " + m.currentVersion() + " --value-file ...'), or set rotation.connector");
    }
    Instant now = clock.instant();
    Secret next;
    try {
      next = connector(spec).rotate(m, spec);
    } catch (TargetException | ValidationException e) {
      Map<String, String> d = new HashMap<>();
      d.put("name", name);
      d.put("connector", spec.connector());
      d.put("message", e.getMessage() == null ? "" : e.getMessage());
      audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_ROTATION_FAILED, AuditOutcome.FAILURE,
          Reason.TARGET_UNAVAILABLE, now, actor, null, null, d));
      throw e;
    }
    long version = m.currentVersion() + 1;
    SecretVersion v = seal(name, version, next, now, actor);
    try {
      store.addVersion(name, m.currentVersion(), v, now, actor);
    } catch (RuntimeException e) {
      Map<String, String> d = new HashMap<>();
      d.put("name", name);
      d.put("fingerprint", v.fingerprint());
      d.put("message", "the target accepted a new value that could not be stored; write the account's password"
          + " again");
      audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_ROTATION_FAILED, AuditOutcome.FAILURE, null, now, actor,
          null, null, d));
      throw e;
    }
    auditWritten(name, version, v.fingerprint(), "rotated", actor, now);
    return new Written(name, version, v.fingerprint());
  }

  /** What one {@link #checkRotations} did. */
  public record RotationCheck(int rotated, int reminded, int failed) {}

  /**
   * Handles every secret whose rotation is due: one with a connector is rotated, the owner of one
   * without is reminded through {@code notify} — each once per due period. A node first claims the
   * period (check-and-set on the notice time), so of several nodes exactly one acts.
   *
   * @param notify sends {@code (event, payload)} to the owner's channel (a webhook); must not block
   */
  public RotationCheck checkRotations(java.util.function.BiConsumer<String, Map<String, Object>> notify) {
    Instant now = clock.instant();
    int rotated = 0;
    int reminded = 0;
    int failed = 0;
    for (SecretMetadata m : store.list()) {
      Instant due = m.rotationDueAt();
      if (due == null || now.isBefore(due)
          || (m.rotationNoticeAt() != null && !m.rotationNoticeAt().isBefore(due))) {
        continue;
      }
      if (!store.markRotationNotice(m.name(), m.rotationNoticeAt(), now)) {
        continue;
      }
      if (m.settings().rotation() != null) {
        try {
          rotate(m.name(), "warden:rotation-schedule");
          rotated++;
        } catch (RuntimeException e) {
          failed++;
        }
        continue;
      }
      Map<String, Object> payload = new java.util.LinkedHashMap<>();
      payload.put("event", "brokered_secret.rotation_due");
      payload.put("secret", m.name());
      payload.put("owner", m.settings().owner());
      payload.put("version", m.currentVersion());
      payload.put("lastRotatedAt", m.lastRotatedAt().toString());
      payload.put("dueAt", due.toString());
      payload.put("action", "change the value at its target, then: warden secret put " + m.name() + " --cas "
          + m.currentVersion() + " --value-file <file>");
      notify.accept("brokered_secret.rotation_due", payload);
      Map<String, String> d = new HashMap<>();
      d.put("name", m.name());
      d.put("owner", m.settings().owner());
      d.put("dueAt", due.toString());
      audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_ROTATION_DUE, AuditOutcome.SUCCESS, null, now, "warden",
          null, null, d));
      reminded++;
    }
    return new RotationCheck(rotated, reminded, failed);
  }

  /** Connectors by name, for listing. */
  public java.util.Set<String> connectors() {
    return java.util.Set.copyOf(connectors.keySet());
  }

  private RotationConnector connector(RotationSpec spec) {
    RotationConnector c = connectors.get(spec.connector());
    if (c == null) {
      throw new ValidationException("rotation.connector", "'" + spec.connector() + "' is not a rotation connector;"
          + " one of " + new java.util.TreeSet<>(connectors.keySet()));
    }
    return c;
  }

  private void change(String name, long version, VersionState from, VersionState to, String action, String actor) {
    metadata(name);
    keys.remove(name);
    Instant now = clock.instant();
    if (!store.changeState(name, version, from, to, now)) {
      SecretVersion v = store.version(name, version).orElseThrow(() -> new NotFoundException("version",
          name + "@" + version));
      throw new ConflictException("version " + version + " of secret '" + name + "' is " + v.state().wire()
          + ", not " + from.wire() + "; nothing changed");
    }
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("action", action);
    audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_VERSION_CHANGED, AuditOutcome.SUCCESS, null, now, actor, null,
        null, d));
  }

  private SecretVersion seal(String name, long version, Secret value, Instant now, String actor) {
    return new SecretVersion(name, version, VersionState.ACTIVE,
        cipher.seal(value.reveal().getBytes(StandardCharsets.UTF_8), associatedData(name, version)),
        fingerprinter.fingerprint(value), now, actor, null, null);
  }

  private void auditWritten(String name, long version, String fingerprint, String action, String actor, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("fingerprint", fingerprint);
    d.put("action", action);
    audit.write(AuditEvent.of(AuditType.BROKERED_SECRET_WRITTEN, AuditOutcome.SUCCESS, null, now, actor, null, null, d));
  }

  private static ConflictException casMismatch(String name, long expected, long current) {
    return new ConflictException("check-and-set failed: secret '" + name + "' is at version " + current
        + ", not " + expected + "; read its metadata and retry with cas=" + current);
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
