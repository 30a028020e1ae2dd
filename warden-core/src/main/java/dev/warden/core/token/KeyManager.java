package dev.warden.core.token;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Owns the signing keys of one {@link KeyPurpose}: creates the first, rotates on schedule or on
 * demand (PREPARED → ACTIVE → RETIRED → DESTROYED), and serves the current {@link SigningKeyset}.
 * Every state change is a compare-and-set in the store, so several nodes may run {@link #tick()} at
 * once and exactly one wins each transition; every change is audited. The store holds the keys of
 * every purpose; a manager sees, rotates and publishes only its own.
 */
public final class KeyManager {
  private static final System.Logger LOG = System.getLogger(KeyManager.class.getName());

  private record Snapshot(long counter, SigningKeyset keyset) {}

  private final KeyPurpose purpose;
  private final SigningKeyStore store;
  private final SecretBox box;
  private final Clock clock;
  private final RotationPolicy policy;
  private final SigningAlgorithm algorithm;
  private final AuditWriter audit;
  private final SecureRandom random = new SecureRandom();
  private final AtomicReference<Snapshot> current = new AtomicReference<>();

  /**
   * @throws IllegalArgumentException when {@code purpose} is JWT_SVID and {@code algorithm} is not
   *     ES256 (the JWT-SVID spec allows RS, ES and PS algorithms only), or when {@code purpose} is
   *     FEDERATION and {@code algorithm} is neither RS256 nor ES256 (what AWS, GCP and Entra
   *     accept), or when {@code purpose} is AUDIT_CHECKPOINT and {@code algorithm} is not ES256
   *     (what every JOSE library a SIEM or auditor may use verifies)
   */
  public KeyManager(
      KeyPurpose purpose,
      SigningKeyStore store,
      SecretBox box,
      Clock clock,
      RotationPolicy policy,
      SigningAlgorithm algorithm,
      AuditWriter audit) {
    if (purpose == KeyPurpose.JWT_SVID && algorithm != SigningAlgorithm.ES256) {
      throw new IllegalArgumentException("JWT-SVID keys must be ES256, not " + algorithm);
    }
    if (purpose == KeyPurpose.AUDIT_CHECKPOINT && algorithm != SigningAlgorithm.ES256) {
      throw new IllegalArgumentException("audit checkpoint keys must be ES256, not " + algorithm);
    }
    if (purpose == KeyPurpose.FEDERATION && algorithm == SigningAlgorithm.EdDSA) {
      throw new IllegalArgumentException(
          "federation keys must be RS256 or ES256, not " + algorithm);
    }
    this.purpose = purpose;
    this.store = store;
    this.box = box;
    this.clock = clock;
    this.policy = policy;
    this.algorithm = algorithm;
    this.audit = audit;
  }

  /** What this manager's keys sign. */
  public KeyPurpose purpose() {
    return purpose;
  }

  /** The current keys; reloads from the store when another node changed them. */
  public SigningKeyset keyset() {
    Snapshot s = current.get();
    if (s == null) {
      return reload().keyset();
    }
    return s.keyset();
  }

  /** Re-reads the keys if the store's change counter moved; call periodically. */
  public void refreshIfChanged() {
    Snapshot s = current.get();
    if (s == null || store.changeCounter() != s.counter()) {
      reload();
    }
  }

  private Snapshot reload() {
    long counter = store.changeCounter();
    Snapshot s = new Snapshot(counter, SigningKeyset.load(purpose, store.list(), box));
    current.set(s);
    return s;
  }

  /**
   * Makes sure a key signs; on first start this creates it (active at once: nothing to overlap
   * with).
   */
  public void ensureActiveKey() {
    // load once: decrypting the active key is the costly part, and start-up needs it only once
    if (!reload().keyset().hasActive()) {
      SigningKeyRecord k = newKey(KeyState.ACTIVE);
      store.insert(k);
      auditChange(
          AuditType.KEY_CREATED,
          k.kid(),
          "system",
          Map.of("state", "active", "algorithm", k.algorithm()));
      reload();
    }
  }

  /** The keys of this purpose in every state, oldest first. */
  private List<SigningKeyRecord> own() {
    List<SigningKeyRecord> out = new ArrayList<>();
    for (SigningKeyRecord k : store.list()) {
      if (k.purpose() == purpose) {
        out.add(k);
      }
    }
    return out;
  }

  /** What a rotation did. */
  public record RotationResult(String newKid, KeyState newState, @Nullable String retiredKid) {}

  /**
   * Starts a rotation. Normally the new key is PREPARED and {@link #tick()} activates it once it
   * has been published for {@code publishLead}; with {@code immediate} (a suspected compromise) it
   * signs at once and the old key is retired now.
   */
  public RotationResult rotate(boolean immediate, String actor) {
    List<SigningKeyRecord> keys = own();
    if (!immediate) {
      for (SigningKeyRecord k : keys) {
        if (k.state() == KeyState.PREPARED) {
          return new RotationResult(k.kid(), KeyState.PREPARED, null);
        }
      }
      SigningKeyRecord k = newKey(KeyState.PREPARED);
      store.insert(k);
      auditChange(
          AuditType.KEY_PREPARED,
          k.kid(),
          actor,
          Map.of(
              "algorithm",
              k.algorithm(),
              "activatesAfter",
              k.createdAt().plus(policy.publishLead()).toString()));
      reload();
      return new RotationResult(k.kid(), KeyState.PREPARED, null);
    }
    SigningKeyRecord k = newKey(KeyState.ACTIVE);
    store.insert(k);
    auditChange(
        AuditType.KEY_ACTIVATED,
        k.kid(),
        actor,
        Map.of("algorithm", k.algorithm(), "immediate", "true"));
    String retired = retireOthers(k.kid(), actor);
    reload();
    return new RotationResult(k.kid(), KeyState.ACTIVE, retired);
  }

  /** Applies whatever transitions are due. Safe to call on every node. */
  public void tick() {
    Instant now = clock.instant();
    List<SigningKeyRecord> keys = own();
    boolean changed = false;
    SigningKeyRecord active = null;
    SigningKeyRecord prepared = null;
    for (SigningKeyRecord k : keys) {
      if (k.state() == KeyState.ACTIVE
          && (active == null || later(k.activatedAt(), active.activatedAt()))) {
        active = k;
      } else if (k.state() == KeyState.PREPARED) {
        prepared = k;
      }
    }
    // 1. schedule: prepare the next key publishLead before the active one is due to rotate
    if (policy.rotateEvery() != null
        && prepared == null
        && active != null
        && active.activatedAt() != null
        && !now.isBefore(
            active.activatedAt().plus(policy.rotateEvery()).minus(policy.publishLead()))) {
      SigningKeyRecord k = newKey(KeyState.PREPARED);
      store.insert(k);
      auditChange(
          AuditType.KEY_PREPARED,
          k.kid(),
          "system",
          Map.of("algorithm", k.algorithm(), "scheduled", "true"));
      prepared = k;
      changed = true;
    }
    // 2. activate a prepared key once it has been published long enough
    if (prepared != null && !now.isBefore(prepared.createdAt().plus(policy.publishLead()))) {
      SigningKeyRecord act = prepared.activated(now);
      if (store.update(act, KeyState.PREPARED)) {
        auditChange(
            AuditType.KEY_ACTIVATED, act.kid(), "system", Map.of("algorithm", act.algorithm()));
        retireOthers(act.kid(), "system");
        changed = true;
      }
    }
    // 3. destroy retired keys whose tokens have all expired
    for (SigningKeyRecord k : own()) {
      if (k.state() == KeyState.RETIRED
          && k.destroyAfter() != null
          && !now.isBefore(k.destroyAfter())) {
        SigningKeyRecord d = k.destroyed();
        if (store.update(d, KeyState.RETIRED)) {
          auditChange(AuditType.KEY_DESTROYED, k.kid(), "system", Map.of());
          changed = true;
        }
      }
    }
    if (changed) {
      reload();
    } else {
      refreshIfChanged();
    }
  }

  private @Nullable String retireOthers(String keepKid, String actor) {
    Instant now = clock.instant();
    String retired = null;
    for (SigningKeyRecord k : own()) {
      if (k.state() == KeyState.ACTIVE && !k.kid().equals(keepKid)) {
        Instant destroyAfter = now.plus(policy.retainAfterRetire());
        SigningKeyRecord r = k.retired(now, destroyAfter);
        if (store.update(r, KeyState.ACTIVE)) {
          auditChange(
              AuditType.KEY_RETIRED,
              k.kid(),
              actor,
              Map.of("destroyAfter", destroyAfter.toString()));
          retired = k.kid();
        }
      }
    }
    return retired;
  }

  private SigningKeyRecord newKey(KeyState state) {
    KeyMaterial m = KeyMaterial.generate(algorithm, random);
    Instant now = clock.instant();
    byte[] enc = box.encrypt(m.toPkcs8(), purpose.associatedData(m.kid()));
    return new SigningKeyRecord(
        m.kid(),
        purpose,
        algorithm.name(),
        state,
        m.publicJwk(),
        enc,
        now,
        state == KeyState.ACTIVE ? now : null,
        null,
        null);
  }

  private static boolean later(@Nullable Instant a, @Nullable Instant b) {
    return a != null && (b == null || a.isAfter(b));
  }

  private void auditChange(AuditType type, String kid, String actor, Map<String, String> details) {
    java.util.HashMap<String, String> d = new java.util.HashMap<>(details);
    d.put("kid", kid);
    d.put("purpose", purpose.wire());
    audit.write(
        AuditEvent.of(type, AuditOutcome.SUCCESS, null, clock.instant(), actor, null, null, d));
    LOG.log(System.Logger.Level.INFO, type.wire() + " purpose=" + purpose.wire() + " kid=" + kid);
  }

  /** This purpose's keys in every state, for {@code warden keys list}. */
  public List<SigningKeyRecord> list() {
    return own();
  }
}
