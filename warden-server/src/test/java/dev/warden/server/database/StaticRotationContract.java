package dev.warden.server.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.EnvelopeCipher;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.database.DatabaseTargets;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.TargetException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.core.secret.DatabaseRotation;
import dev.warden.core.secret.PendingRotation;
import dev.warden.core.secret.RotationSpec;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import dev.warden.server.database.TargetProviderContract.Crash;
import dev.warden.server.database.TargetProviderContract.Faults;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
import dev.warden.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two-step rotation of a static account's password against a real database (decision 117): the new
 * value is stored pending before the database sees it, so a crash or a failure at any step leaves
 * the account with a password Warden holds — after recovery, the one workloads read. The failure
 * modes are faults around the real engine and a store that dies on promotion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StaticRotationContract {
  static final String INITIAL = "initial-static-password-1";

  final MutableClock clock = MutableClock.startingAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final AtomicInteger names = new AtomicInteger();
  TargetDb db;
  JdbcStore store;
  AuditWriter audit;
  Faults faults;
  DatabaseTargets targets;
  Resource resource;
  EnvelopeCipher cipher;
  Fingerprinter fingerprinter;
  String account;
  String secret;

  abstract TargetDb openTarget();

  /** The real store, with a process that dies when it would make a pending version current. */
  static final class CrashOnPromote implements BrokeredSecretStore {
    final BrokeredSecretStore real;

    CrashOnPromote(BrokeredSecretStore real) {
      this.real = real;
    }

    @Override
    public boolean promotePending(String name, long version, Instant at, String by) {
      throw new Crash();
    }

    // everything else as the real store
    @Override
    public java.util.Optional<SecretMetadata> get(String name) {
      return real.get(name);
    }

    @Override
    public java.util.Optional<Current> current(String name) {
      return real.current(name);
    }

    @Override
    public List<SecretMetadata> list() {
      return real.list();
    }

    @Override
    public java.util.Optional<SecretVersion> version(String name, long version) {
      return real.version(name, version);
    }

    @Override
    public List<SecretVersion> versions(String name) {
      return real.versions(name);
    }

    @Override
    public void create(SecretMetadata metadata, SecretVersion first) {
      real.create(metadata, first);
    }

    @Override
    public void addVersion(
        String name, long expectedCurrent, SecretVersion v, Instant rotatedAt, String by) {
      real.addVersion(name, expectedCurrent, v, rotatedAt, by);
    }

    @Override
    public void addPending(String name, long expectedCurrent, SecretVersion v, Instant at) {
      real.addPending(name, expectedCurrent, v, at);
    }

    @Override
    public boolean claimPending(String name, long version, Instant staleBefore, Instant at) {
      return real.claimPending(name, version, staleBefore, at);
    }

    @Override
    public boolean releasePending(
        String name, long version, Instant claimedAt, String error, Instant at) {
      return real.releasePending(name, version, claimedAt, error, at);
    }

    @Override
    public boolean dropPending(String name, long version, Instant claimedAt) {
      return real.dropPending(name, version, claimedAt);
    }

    @Override
    public boolean updateSettings(String name, SecretSettings settings, Instant at, String by) {
      return real.updateSettings(name, settings, at, by);
    }

    @Override
    public boolean changeState(
        String name, long version, VersionState from, VersionState to, Instant at) {
      return real.changeState(name, version, from, to, at);
    }

    @Override
    public boolean delete(String name) {
      return real.delete(name);
    }

    @Override
    public void recordReads(List<Read> reads) {
      real.recordReads(reads);
    }

    @Override
    public List<Reader> readers(String name, Instant since) {
      return real.readers(name, since);
    }

    @Override
    public Map<String, List<Reader>> readers(Instant since) {
      return real.readers(since);
    }

    @Override
    public boolean markRotationNotice(String name, Instant previous, Instant at) {
      return real.markRotationNotice(name, previous, at);
    }
  }

  @BeforeAll
  void start() throws Exception {
    db = openTarget();
    Path dir = Files.createTempDirectory("warden-rotation");
    store = JdbcStore.open(StoreConfig.embedded(dir));
    audit = new AuditWriter(store.audit(), 10, 5_000);
    faults = new Faults(db.users());
    fingerprinter = new Fingerprinter(new byte[32]);
    cipher = new EnvelopeCipher(SecretBox.generate());
    DatabaseTarget t = db.target("admin-secret", 3);
    resource = new Resource("legacy-db", "db://legacy", db.kind(), null, null, t);
    targets =
        new DatabaseTargets(
            faults,
            store.targetSecrets(),
            () -> List.of(resource),
            SecretBox.generate(),
            fingerprinter,
            audit,
            clock);
    targets.set("admin-secret", Secret.of(TargetDb.INITIAL_ADMIN_PASSWORD), "test");
  }

  @AfterAll
  void stop() {
    if (audit != null) {
      audit.close();
    }
    if (store != null) {
      store.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** A fresh static account with {@link #INITIAL} and a brokered secret holding that password. */
  @BeforeEach
  void account() {
    int n = names.getAndIncrement();
    account = "legacy_app_" + n + "_" + Long.toHexString(System.nanoTime());
    secret = "legacy-" + n;
    db.createStaticAccount(account, INITIAL);
    node()
        .put(
            secret,
            Secret.of(INITIAL),
            0L,
            new SecretSettings(
                "dba@acme.test", null, null, 10, new RotationSpec(db.kind(), "legacy-db", account)),
            "admin:test");
  }

  @AfterEach
  void dropAccount() {
    faults.setPasswordFails = null;
    faults.crashAfterSetPassword = false;
    db.dropForeignUser(account);
  }

  /** A server node over the shared store: a new one after a "crash" is a restarted process. */
  BrokeredSecrets node() {
    return node(store.brokeredSecrets());
  }

  BrokeredSecrets node(BrokeredSecretStore s) {
    return new BrokeredSecrets(
        s,
        cipher,
        fingerprinter,
        audit,
        clock,
        DatabaseRotation.all(targets, () -> List.of(resource)));
  }

  /** What a workload reads now. */
  String readable() {
    return node().open(secret).value().reveal();
  }

  SecretMetadata metadata() {
    return store.brokeredSecrets().get(secret).orElseThrow();
  }

  Map<String, String> lastAudit(String type) {
    for (AuditRecord r :
        store.audit().query(new AuditQuery(null, null, null, null, null, null, null, 500))) {
      if (r.event().type().equals(type) && secret.equals(r.event().details().get("name"))) {
        return r.event().details();
      }
    }
    throw new AssertionError("no " + type + " event for " + secret);
  }

  @Test
  void aRotationLeavesTheAccountWithTheValueWorkloadsRead() {
    BrokeredSecrets.Written w = node().rotate(secret, "admin:test");

    assertThat(w.version()).isEqualTo(2);
    String next = readable();
    assertThat(next).isNotEqualTo(INITIAL).hasSize(32);
    assertThat(db.passwordMatches(account, next)).isTrue();
    assertThat(db.passwordMatches(account, INITIAL)).isFalse();
    assertThat(metadata().pending()).isNull();
    assertThat(lastAudit("brokered_secret.written"))
        .containsEntry("action", "rotated")
        .containsEntry("version", "2");
  }

  @Test
  void aCrashBetweenSettingAndPromotingIsRecoveredWithNothingLost() {
    BrokeredSecrets dying = node(new CrashOnPromote(store.brokeredSecrets()));
    assertThatThrownBy(() -> dying.rotate(secret, "warden:rotation-schedule"))
        .isInstanceOf(Crash.class);

    // the database holds a password no workload reads yet, but Warden stored it, sealed, as pending
    assertThat(db.passwordMatches(account, INITIAL)).isFalse();
    assertThat(readable()).isEqualTo(INITIAL);
    PendingRotation p = metadata().pending();
    assertThat(p.version()).isEqualTo(2);
    assertThat(p.claimedAt()).isEqualTo(clock.instant());

    BrokeredSecrets restarted = node();
    assertThat(restarted.recoverPending().completed())
        .as("the dead node's claim still holds")
        .isZero();
    clock.advance(BrokeredSecrets.PENDING_CLAIM.plusSeconds(1));
    int before = faults.passwordsSet.get();

    BrokeredSecrets.Recovery r = restarted.recoverPending();

    assertThat(r.completed()).isEqualTo(1);
    assertThat(faults.passwordsSet.get()).as("set once more, the same value").isEqualTo(before + 1);
    String current = readable();
    assertThat(current).isNotEqualTo(INITIAL);
    assertThat(db.passwordMatches(account, current)).isTrue();
    assertThat(metadata().currentVersion()).isEqualTo(2);
    assertThat(metadata().pending()).isNull();
    assertThat(lastAudit("brokered_secret.written"))
        .containsEntry("action", "rotated")
        .containsEntry("recovered", "true")
        .doesNotContainValue(current);
  }

  @Test
  void aCrashAfterTheDatabaseTookThePasswordIsRecoveredByTheNextRotate() {
    faults.crashAfterSetPassword = true;
    assertThatThrownBy(() -> node().rotate(secret, "admin:test")).isInstanceOf(Crash.class);
    faults.crashAfterSetPassword = false;
    assertThat(db.passwordMatches(account, INITIAL)).isFalse();

    assertThatThrownBy(() -> node().rotate(secret, "admin:test"))
        .as("the dead node's claim still holds")
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("under way");
    clock.advance(BrokeredSecrets.PENDING_CLAIM.plusSeconds(1));
    BrokeredSecrets.Written w = node().rotate(secret, "admin:test");

    assertThat(w.version()).isEqualTo(2);
    assertThat(db.passwordMatches(account, readable())).isTrue();
  }

  @Test
  void aTargetThatCertainlyChangedNothingDropsTheNewValue() {
    faults.setPasswordFails =
        new TargetException("simulated: refused before any change", false, null);

    assertThatThrownBy(() -> node().rotate(secret, "admin:test"))
        .isInstanceOf(TargetException.class)
        .hasMessageNotContaining("pending");

    assertThat(metadata().pending()).isNull();
    assertThat(store.brokeredSecrets().versions(secret)).hasSize(1);
    assertThat(db.passwordMatches(account, INITIAL)).isTrue();
    assertThat(readable()).isEqualTo(INITIAL);
    assertThat(lastAudit("brokered_secret.rotation_failed")).containsEntry("pending", "dropped");
    faults.setPasswordFails = null;
    assertThat(node().rotate(secret, "admin:test").version()).isEqualTo(2);
    assertThat(db.passwordMatches(account, readable())).isTrue();
  }

  @Test
  void aTargetThatMayHaveChangedKeepsTheValuePendingUntilItIsSet() {
    faults.setPasswordFails =
        new TargetException("simulated: connection lost after ALTER", true, null);

    assertThatThrownBy(() -> node().rotate(secret, "admin:test"))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("kept as pending version 2")
        .hasMessageContaining("discard-pending");

    PendingRotation p = metadata().pending();
    assertThat(p.attempts()).isEqualTo(1);
    assertThat(p.claimedAt()).isNull();
    assertThat(p.lastError()).contains("connection lost");
    assertThat(lastAudit("brokered_secret.rotation_failed")).containsEntry("pending", "kept");
    assertThat(readable()).isEqualTo(INITIAL);
    assertThatThrownBy(
            () -> node().put(secret, Secret.of("owner-value"), 1L, null, "dba@acme.test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("rotation pending")
        .hasMessageContaining("discard-pending " + secret + " --version 2");

    // still refused: stays pending, reported, retried no sooner than the claim time
    assertThat(node().recoverPending().completed()).isZero();
    clock.advance(BrokeredSecrets.PENDING_CLAIM.plusSeconds(1));
    BrokeredSecrets check = node();
    assertThat(check.checkRotations((e, x) -> {}).failed()).isEqualTo(1);
    assertThat(check.stuckRotations()).isEqualTo(1);
    assertThat(metadata().pending().attempts()).isEqualTo(2);

    faults.setPasswordFails = null;
    clock.advance(BrokeredSecrets.PENDING_CLAIM.plusSeconds(1));
    BrokeredSecrets.RotationCheck done = check.checkRotations((e, x) -> {});

    assertThat(done.recovered()).isEqualTo(1);
    assertThat(check.stuckRotations()).isZero();
    assertThat(metadata().currentVersion()).isEqualTo(2);
    assertThat(db.passwordMatches(account, readable())).isTrue();
    node().put(secret, Secret.of("owner-value-2"), 2L, null, "dba@acme.test");
  }

  @Test
  void anAdminDiscardsAPendingValueTheTargetRefusedAndTheOldOneStays() {
    faults.setPasswordFails = new TargetException("simulated: permission denied", true, null);
    assertThatThrownBy(() -> node().rotate(secret, "admin:test"))
        .isInstanceOf(TargetException.class);
    assertThatThrownBy(() -> node().discardPending(secret, 3, "admin:test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("pending version is 2");
    String fingerprint = store.brokeredSecrets().version(secret, 2).orElseThrow().fingerprint();

    node().discardPending(secret, 2, "admin:test");

    assertThat(metadata().pending()).isNull();
    assertThat(store.brokeredSecrets().version(secret, 2)).isEmpty();
    assertThat(lastAudit("brokered_secret.version_changed"))
        .containsEntry("action", "pending_discarded")
        .containsEntry("fingerprint", fingerprint);
    assertThat(db.passwordMatches(account, INITIAL)).isTrue();
    assertThat(readable()).isEqualTo(INITIAL);
    assertThatThrownBy(() -> node().discardPending(secret, 2, "admin:test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("no rotation is pending");
  }

  @Test
  void aPendingRotationBeingSetElsewhereCannotBeDiscarded() {
    BrokeredSecrets dying = node(new CrashOnPromote(store.brokeredSecrets()));
    assertThatThrownBy(() -> dying.rotate(secret, "admin:test")).isInstanceOf(Crash.class);

    assertThatThrownBy(() -> node().discardPending(secret, 2, "admin:test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("under way");
    assertThatThrownBy(() -> node().destroyVersion(secret, 2, "admin:test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("pending rotation");
    assertThatThrownBy(
            () ->
                node()
                    .update(
                        secret,
                        new SecretSettings("dba@acme.test", null, null, 10, null),
                        "admin:test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("before changing rotation");
    clock.advance(BrokeredSecrets.PENDING_CLAIM.plusSeconds(1));
    assertThat(node().recoverPending().completed()).isEqualTo(1);
    assertThat(db.passwordMatches(account, readable())).isTrue();
  }
}
