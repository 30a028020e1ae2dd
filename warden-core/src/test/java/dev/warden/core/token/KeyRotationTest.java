package dev.warden.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rotation rhythm PREPARED → ACTIVE → RETIRED → DESTROYED, driven by a fake clock. */
class KeyRotationTest {
  /** A fake key store with the compare-and-set semantics of the real one. */
  static final class MemoryKeys implements SigningKeyStore {
    final Map<String, SigningKeyRecord> keys = new LinkedHashMap<>();
    long counter;

    @Override
    public synchronized List<SigningKeyRecord> list() {
      return new ArrayList<>(keys.values());
    }

    @Override
    public synchronized void insert(SigningKeyRecord key) {
      keys.put(key.kid(), key);
      counter++;
    }

    @Override
    public synchronized boolean update(SigningKeyRecord key, KeyState expectedState) {
      SigningKeyRecord cur = keys.get(key.kid());
      if (cur == null || cur.state() != expectedState || cur.purpose() != key.purpose()) {
        return false;
      }
      keys.put(key.kid(), key);
      counter++;
      return true;
    }

    @Override
    public synchronized long changeCounter() {
      return counter;
    }
  }

  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  final MemoryKeys store = new MemoryKeys();
  final MemoryAuditStore auditStore = new MemoryAuditStore();
  final AuditWriter audit = new AuditWriter(auditStore, 100, 5000);
  final SecretBox box = SecretBox.generate();
  final RotationPolicy policy =
      new RotationPolicy(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofHours(25));

  @AfterEach
  void close() {
    audit.close();
  }

  KeyState state(String kid) {
    return store.keys.get(kid).state();
  }

  @Test
  void scheduledRotationPublishesBeforeSigningAndKeepsTheOldKeyUntilItsTokensExpire() {
    KeyManager km =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    km.ensureActiveKey();
    String first = km.keyset().active().kid();

    clock.advance(Duration.ofDays(30).minusMinutes(10));
    km.tick();
    assertThat(store.keys).hasSize(2);
    String next =
        store.keys.keySet().stream().filter(k -> !k.equals(first)).findFirst().orElseThrow();
    assertThat(state(next)).isEqualTo(KeyState.PREPARED);
    assertThat(km.keyset().active().kid()).as("a prepared key does not sign").isEqualTo(first);
    assertThat(km.keyset().jwksJson()).as("but it is published").contains(next, first);

    clock.advance(Duration.ofMinutes(10));
    km.tick();
    assertThat(state(next)).isEqualTo(KeyState.ACTIVE);
    assertThat(state(first)).isEqualTo(KeyState.RETIRED);
    assertThat(km.keyset().active().kid()).isEqualTo(next);
    assertThat(km.keyset().jwksJson()).as("retired keys stay published").contains(first);

    clock.advance(Duration.ofHours(24));
    km.tick();
    assertThat(state(first)).isEqualTo(KeyState.RETIRED);
    clock.advance(Duration.ofHours(1));
    km.tick();
    assertThat(state(first)).isEqualTo(KeyState.DESTROYED);
    assertThat(store.keys.get(first).encryptedPrivateKey()).as("private key erased").isNull();
    assertThat(km.keyset().jwksJson()).doesNotContain(first);
    assertThat(auditStore.types())
        .containsSubsequence(
            "key.created", "key.prepared", "key.activated", "key.retired", "key.destroyed");
  }

  @Test
  void immediateRotationSignsAtOnceAndRetiresTheCompromisedKey() {
    KeyManager km =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.EdDSA, audit);
    km.ensureActiveKey();
    String old = km.keyset().active().kid();
    KeyManager.RotationResult r = km.rotate(true, "admin:test");
    assertThat(r.retiredKid()).isEqualTo(old);
    assertThat(km.keyset().active().kid()).isEqualTo(r.newKid()).isNotEqualTo(old);
    assertThat(state(old)).isEqualTo(KeyState.RETIRED);
  }

  @Test
  void twoNodesTickingAtOnceActivateThePreparedKeyOnce() {
    KeyManager a =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    KeyManager b =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    a.ensureActiveKey();
    b.ensureActiveKey();
    a.rotate(false, "admin:test");
    clock.advance(Duration.ofMinutes(11));
    a.tick();
    b.tick();
    assertThat(store.keys.values().stream().filter(k -> k.state() == KeyState.ACTIVE)).hasSize(1);
    assertThat(auditStore.types().stream().filter("key.activated"::equals)).hasSize(1);
    b.refreshIfChanged();
    assertThat(b.keyset().active().kid()).isEqualTo(a.keyset().active().kid());
  }

  @Test
  void accessTokenAndJwtSvidKeysAreSeparateAndRotateOnTheirOwn() {
    KeyManager access =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    KeyManager svid =
        new KeyManager(
            KeyPurpose.JWT_SVID, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    access.ensureActiveKey();
    svid.ensureActiveKey();
    String accessKid = access.keyset().active().kid();
    String svidKid = svid.keyset().active().kid();

    assertThat(svidKid).isNotEqualTo(accessKid);
    assertThat(access.keyset().jwksJson()).contains(accessKid).doesNotContain(svidKid);
    assertThat(svid.keyset().jwksJson()).contains(svidKid).doesNotContain(accessKid);
    assertThat(access.list()).extracting(SigningKeyRecord::kid).containsExactly(accessKid);

    KeyManager.RotationResult r = svid.rotate(true, "admin:test");
    access.refreshIfChanged();
    assertThat(access.keyset().active().kid())
        .as("rotating JWT-SVID keys leaves access-token keys alone")
        .isEqualTo(accessKid);
    assertThat(state(accessKid)).isEqualTo(KeyState.ACTIVE);
    assertThat(svid.keyset().active().kid()).isEqualTo(r.newKid());
    assertThat(state(svidKid)).isEqualTo(KeyState.RETIRED);
  }

  @Test
  void aKeyWhosePurposeWasChangedInTheStoreCannotSign() {
    KeyManager svid =
        new KeyManager(
            KeyPurpose.JWT_SVID, store, box, clock, policy, SigningAlgorithm.ES256, audit);
    svid.ensureActiveKey();
    SigningKeyRecord k = store.keys.values().iterator().next();
    // someone with write access to the table relabels the JWT-SVID key as an access-token key
    store.keys.put(
        k.kid(),
        new SigningKeyRecord(
            k.kid(),
            KeyPurpose.ACCESS_TOKEN,
            k.algorithm(),
            k.state(),
            k.publicJwk(),
            k.encryptedPrivateKey(),
            k.createdAt(),
            k.activatedAt(),
            null,
            null));
    store.counter++;
    KeyManager access =
        new KeyManager(
            KeyPurpose.ACCESS_TOKEN, store, box, clock, policy, SigningAlgorithm.ES256, audit);

    org.assertj.core.api.Assertions.assertThatThrownBy(access::keyset)
        .as("the private key is bound to its purpose by the AEAD associated data")
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void jwtSvidKeysMustBeEs256() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new KeyManager(
                    KeyPurpose.JWT_SVID, store, box, clock, policy, SigningAlgorithm.EdDSA, audit))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ES256");
  }
}
