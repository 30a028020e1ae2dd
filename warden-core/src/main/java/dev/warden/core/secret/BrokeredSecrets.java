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
 */
public final class BrokeredSecrets {
  /** Who completes pending rotations in the audit log. */
  static final String RECOVERY_ACTOR = "warden:rotation-recovery";

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
  private final java.util.concurrent.atomic.AtomicInteger stuckRotations =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * The unwrapped data key of each secret's current version, kept after its first read: unwrapping
   * and parsing a Tink keyset cost more than the rest of opening. Every read still reads the
   * current version from the store (so a new, deleted or destroyed version counts at once, on every
   * node) and decrypts its ciphertext; a key is used only for the very wrapped key it came from,
   * and dropped when its version is no longer readable.
   */
  private final Map<String, EnvelopeCipher.DataKey> keys =
      new java.util.concurrent.ConcurrentHashMap<>();

  public BrokeredSecrets(
      BrokeredSecretStore store,
      EnvelopeCipher cipher,
      Fingerprinter fingerprinter,
      AuditWriter audit,
      Clock clock,
      List<RotationConnector> connectors) {
    this.store = store;
    this.cipher = cipher;
    this.fingerprinter = fingerprinter;
    this.audit = audit;
    this.clock = clock;
    connectors.forEach(c -> this.connectors.put(c.name(), c));
  }

  /**
   * The associated data of a version: binds its ciphertext to the secret's name and the version.
   */
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
      connector(settings.rotation()).check(settings.rotation());
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
    auditWritten(name, version, v.fingerprint(), "written", actor, now);
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
      connector(settings.rotation()).check(settings.rotation());
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
    BrokeredSecretStore.Current c =
        store
            .current(name)
            .orElseThrow(
                () ->
                    new dev.warden.core.error.DeniedException(
                        Reason.SECRET_UNAVAILABLE,
                        "no brokered secret named '"
                            + name
                            + "' is stored; an admin must write it first"));
    SecretVersion v = c.version();
    if (v == null || v.state() != VersionState.ACTIVE) {
      keys.remove(name);
      throw new dev.warden.core.error.DeniedException(
          Reason.SECRET_UNAVAILABLE,
          "the current version ("
              + c.metadata().currentVersion()
              + ") of brokered secret '"
              + name
              + "' is "
              + (v == null ? "gone" : v.state().wire())
              + "; an admin must undelete it or write a new version");
    }
    String ad = associatedData(name, v.version());
    EnvelopeCipher.Envelope e = v.envelope();
    EnvelopeCipher.DataKey key = keys.get(name);
    if (key == null || !key.opens(e, ad)) {
      key = cipher.unwrap(e, ad);
      keys.put(name, key);
    }
    byte[] plain = key.open(e);
    return new Opened(
        name, v.version(), Secret.of(new String(plain, StandardCharsets.UTF_8)), v.fingerprint());
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

  /** Removes the secret and every version of it. @throws NotFoundException */
  public void delete(String name, String actor) {
    keys.remove(name);
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
   * How long a node's claim on a pending rotation lasts: a claim older than this belongs to a node
   * that stopped, and another may complete the rotation. It is also the least time between two
   * scheduled retries of a rotation whose target refused.
   */
  public static final Duration PENDING_CLAIM = Duration.ofMinutes(2);

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
    RotationConnector connector = connector(spec);
    Secret next;
    try {
      next = connector.generate(spec);
    } catch (ValidationException e) {
      auditRotationFailed(name, spec, null, null, null, e, actor, now);
      throw e;
    }
    long version = m.currentVersion() + 1;
    SecretVersion v = seal(name, version, next, VersionState.PENDING, now, actor);
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

  /** What one {@link #recoverPending} did. */
  public record Recovery(int completed, int failed) {}

  /**
   * Completes every pending rotation no live attempt holds: sets its value at the target again and
   * makes it current. One whose target refuses stays pending (audited, counted in {@link
   * #stuckRotations()}); it is retried at most every {@link #PENDING_CLAIM}, or at once by {@link
   * #rotate}, until it succeeds or an admin discards it ({@link #discardPending}). Runs at server
   * start and from {@link #checkRotations}.
   */
  public Recovery recoverPending() {
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
          p.claimedAt() != null && !p.claimedAt().isBefore(now.minus(PENDING_CLAIM));
      boolean failedRecently =
          p.failedAt() != null && !p.failedAt().isBefore(now.minus(PENDING_CLAIM));
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
    return new Recovery(completed, failed);
  }

  /**
   * Secrets whose pending rotation failed at least once and is not complete, as of the last {@link
   * #recoverPending}: each needs the target fixed or an admin's {@link #discardPending}.
   */
  public int stuckRotations() {
    return stuckRotations.get();
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
    if (!store.claimPending(name, version, now.minus(PENDING_CLAIM), now)) {
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
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_VERSION_CHANGED,
            AuditOutcome.SUCCESS,
            null,
            now,
            actor,
            null,
            null,
            d));
  }

  /**
   * Completes the pending rotation of {@code m}: claims it, sets its value at the target again and
   * promotes it. Never drops it: an earlier attempt may have set it at the target already.
   */
  private Written complete(SecretMetadata m, String actor) {
    String name = m.name();
    PendingRotation p = m.pending();
    Instant at = clock.instant();
    if (!store.claimPending(name, p.version(), at.minus(PENDING_CLAIM), at)) {
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
      connector(spec).apply(spec, open(v));
    } catch (RuntimeException e) {
      store.releasePending(name, p.version(), at, message(e), clock.instant());
      auditRotationFailed(name, spec, p.version(), v.fingerprint(), "kept", e, actor, at);
      throw keptPending(name, p.version(), e);
    }
    return promote(name, v, actor, true);
  }

  /** Step 3: the target holds {@code v}; make it current. */
  private Written promote(String name, SecretVersion v, String actor, boolean recovered) {
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
        return new Written(name, v.version(), v.fingerprint());
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
    keys.remove(name);
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(v.version()));
    d.put("fingerprint", v.fingerprint());
    d.put("action", "rotated");
    if (recovered) {
      d.put("recovered", "true");
    }
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_WRITTEN,
            AuditOutcome.SUCCESS,
            null,
            now,
            actor,
            null,
            null,
            d));
    return new Written(name, v.version(), v.fingerprint());
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
            + (p.claimedAt() == null ? "a moment" : p.claimedAt().plus(PENDING_CLAIM).toString())
            + ", or read its metadata");
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > 900 ? m.substring(0, 900) : m;
  }

  /** What one {@link #checkRotations} did. */
  public record RotationCheck(int rotated, int reminded, int failed, int recovered) {}

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
    Recovery recovery = recoverPending();
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
    return new RotationCheck(rotated, reminded, failed, recovery.completed());
  }

  /** Connectors by name, for listing. */
  public java.util.Set<String> connectors() {
    return java.util.Set.copyOf(connectors.keySet());
  }

  private RotationConnector connector(RotationSpec spec) {
    RotationConnector c = connectors.get(spec.connector());
    if (c == null) {
      throw new ValidationException(
          "rotation.connector",
          "'"
              + spec.connector()
              + "' is not a rotation connector;"
              + " one of "
              + new java.util.TreeSet<>(connectors.keySet()));
    }
    return c;
  }

  private void change(
      String name, long version, VersionState from, VersionState to, String action, String actor) {
    metadata(name);
    keys.remove(name);
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
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_VERSION_CHANGED,
            AuditOutcome.SUCCESS,
            null,
            now,
            actor,
            null,
            null,
            d));
  }

  private SecretVersion seal(String name, long version, Secret value, Instant now, String actor) {
    return seal(name, version, value, VersionState.ACTIVE, now, actor);
  }

  private SecretVersion seal(
      String name, long version, Secret value, VersionState state, Instant now, String actor) {
    return new SecretVersion(
        name,
        version,
        state,
        cipher.seal(value.reveal().getBytes(StandardCharsets.UTF_8), associatedData(name, version)),
        fingerprinter.fingerprint(value),
        now,
        actor,
        null,
        null);
  }

  private void auditWritten(
      String name, long version, String fingerprint, String action, String actor, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("version", Long.toString(version));
    d.put("fingerprint", fingerprint);
    d.put("action", action);
    audit.write(
        AuditEvent.of(
            AuditType.BROKERED_SECRET_WRITTEN,
            AuditOutcome.SUCCESS,
            null,
            now,
            actor,
            null,
            null,
            d));
  }

  /** The value of a stored version, for setting a pending one at its target again. */
  private Secret open(SecretVersion v) {
    String ad = associatedData(v.name(), v.version());
    byte[] plain = cipher.unwrap(v.envelope(), ad).open(v.envelope());
    return Secret.of(new String(plain, StandardCharsets.UTF_8));
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
