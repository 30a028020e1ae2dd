package dev.warden.server.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.database.DatabaseTargets;
import dev.warden.core.database.DatabaseUserProvider;
import dev.warden.core.database.LeaseReaper;
import dev.warden.core.database.UserDatabase;
import dev.warden.core.document.Documents;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.grant.Evidence;
import dev.warden.core.grant.GrantRequest;
import dev.warden.core.grant.GrantType;
import dev.warden.core.grant.Granted;
import dev.warden.core.grant.TokenService;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.TrustProviders;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every dynamic-user engine meets, against the real database: an issued user connects
 * and does what its privileges allow; revocation and expiry drop it and end its live session, off
 * the request path; a crash before or after the user is created leaves nothing after the next
 * start's sweep; a removal that keeps failing becomes irrevocable, visible and audited, and heals;
 * the orphan sweep drops exactly the tagged users no lease accounts for; a target that is down
 * refuses its own grants as temporarily unavailable, orphans nothing, and leaves grants to other
 * targets alone; the quota holds. After every test: no tagged user without an active lease.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TargetProviderContract {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_LEASES = 3;

  final MutableClock clock = MutableClock.startingAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  TargetDb db;
  Path dir;
  TestOidcIssuer k8s;
  JdbcStore store;
  AuditWriter audit;
  Faults faults;
  DatabaseTargets targets;
  TokenService tokens;
  Resource resource;
  Resource downResource;
  final AtomicInteger names = new AtomicInteger();

  /** A fresh target of the engine under test. */
  abstract TargetDb openTarget();

  /** The process dies mid-grant: nothing after this runs, no catch, no cleanup. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash() {
      super("simulated crash", null, false, false);
    }
  }

  /** The engine's real implementation, with the failure modes a test switches on. */
  static final class Faults implements UserDatabase {
    final UserDatabase real;
    volatile boolean crashBeforeCreate;
    volatile boolean crashAfterCreate;
    volatile boolean removalFails;

    /** Users whose removal the database refuses: alone, and any batch that holds one. */
    final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger singles = new AtomicInteger();

    Faults(UserDatabase real) {
      this.real = real;
    }

    @Override
    public void verify(DatabaseTarget t, Secret admin) {
      real.verify(t, admin);
    }

    @Override
    public void createUser(
        DatabaseTarget t, Secret admin, String user, Secret password, Instant validUntil) {
      if (crashBeforeCreate) {
        throw new Crash();
      }
      real.createUser(t, admin, user, password, validUntil);
      if (crashAfterCreate) {
        throw new Crash();
      }
    }

    @Override
    public Removal removeUser(DatabaseTarget t, Secret admin, String user) {
      singles.incrementAndGet();
      if (removalFails || refused.contains(user)) {
        throw new TargetException("simulated: the database refuses the drop", true, null);
      }
      return real.removeUser(t, admin, user);
    }

    @Override
    public java.util.Map<String, Removal> removeUsers(
        DatabaseTarget t, Secret admin, List<String> users) {
      batches.incrementAndGet();
      if (removalFails || users.stream().anyMatch(refused::contains)) {
        throw new TargetException("simulated: the database refuses the batch", true, null);
      }
      return real.removeUsers(t, admin, users);
    }

    @Override
    public List<String> markedUsers(DatabaseTarget t, Secret admin) {
      return real.markedUsers(t, admin);
    }

    @Override
    public void changeAdminPassword(DatabaseTarget t, Secret current, Secret next) {
      real.changeAdminPassword(t, current, next);
    }

    /** When set, setting a password fails with it, without reaching the database. */
    volatile RuntimeException setPasswordFails;

    /** When set, the process dies right after the database took the password. */
    volatile boolean crashAfterSetPassword;

    final AtomicInteger passwordsSet = new AtomicInteger();

    @Override
    public void setPassword(DatabaseTarget t, Secret admin, String account, Secret password) {
      RuntimeException fail = setPasswordFails;
      if (fail != null) {
        throw fail;
      }
      real.setPassword(t, admin, account, password);
      passwordsSet.incrementAndGet();
      if (crashAfterSetPassword) {
        throw new Crash();
      }
    }
  }

  @BeforeAll
  void start() throws Exception {
    db = openTarget();
    dir = Files.createTempDirectory("warden-contract");
    k8s = TestOidcIssuer.builder().audience("warden").clock(clock).start();
    store = JdbcStore.open(StoreConfig.embedded(dir));
    audit = new AuditWriter(store.audit(), 10, 5_000);
    faults = new Faults(db.users());
    byte[] fpKey = new byte[32];
    new java.security.SecureRandom().nextBytes(fpKey);
    Fingerprinter fp = new Fingerprinter(fpKey);
    DatabaseTarget t = db.target("admin-secret", MAX_LEASES);
    resource = new Resource("ledger-db", "db://ledger", db.kind(), null, null, t);
    String down = t.url().replaceFirst("://[^/]+", "://127.0.0.1:1");
    downResource =
        new Resource(
            "down-db",
            "db://down",
            db.kind(),
            null,
            null,
            new DatabaseTarget(
                down,
                t.adminUser(),
                "admin-secret",
                t.roles(),
                t.usernameTemplate(),
                t.maxTtl(),
                MAX_LEASES,
                t.markerRole(),
                t.acl()));
    targets =
        new DatabaseTargets(
            faults,
            store.targetSecrets(),
            () -> List.of(resource),
            SecretBox.generate(),
            fp,
            audit,
            clock);
    targets.set("admin-secret", Secret.of(TargetDb.INITIAL_ADMIN_PASSWORD), "test");
    TrustProviders trust =
        TrustProviders.build(
            List.of(
                (TrustProviderSpec)
                    Documents.parse(
                        JSON.readTree(
                            "{\"kind\":\"TrustProvider\",\"metadata\":{\"name\":\"cluster\"},\"spec\":{\"type\":\"kubernetes\","
                                + "\"issuer\":\""
                                + k8s.issuer()
                                + "\",\"audiences\":[\"warden\"],\"algorithms\":[\"RS256\"],\"jwks\":"
                                + k8s.jwksJson()
                                + "}}"))),
            uri -> {
              throw new AssertionError("no fetch for an inline JWKS");
            },
            clock);
    List<Workload> workloads = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      workloads.add(
          (Workload)
              Documents.parse(
                  JSON.readTree(
                      "{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":"
                          + "\"spiffe://acme.test/ns/team"
                          + i
                          + "/sa/app\",\"selectors\":[\"k8s:ns=team"
                          + i
                          + "\",\"k8s:sa=app\"],"
                          + "\"owner\":\"o@acme.test\"}}")));
    }
    AccessPolicy p =
        (AccessPolicy)
            Documents.parse(
                JSON.readTree(
                    "{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":"
                        + "\"apps-db\"},\"spec\":{\"workloads\":{\"selectors\":[\"k8s:sa=app\"]},\"resources\":[\"ledger-db\","
                        + "\"down-db\"],\"credentialKind\":\"database_user\",\"maxTtl\":\"10m\"}}"));
    PolicySnapshot snap =
        PolicySnapshot.build(workloads, List.of(resource, downResource), List.of(p), null);
    tokens =
        new TokenService(
            () -> trust,
            List::of,
            () -> snap,
            List.of(new DatabaseUserProvider(targets)),
            audit,
            fp,
            clock,
            store.targetLeases());
  }

  @AfterAll
  void stop() {
    if (audit != null) {
      audit.close();
    }
    if (store != null) {
      store.close();
    }
    if (k8s != null) {
      k8s.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @AfterEach
  void noTaggedUserWithoutAnActiveLease() {
    faults.crashBeforeCreate = false;
    faults.crashAfterCreate = false;
    faults.removalFails = false;
    faults.refused.clear();
    for (String user : db.tagged()) {
      TargetLease l = store.targetLeases().get(user).orElse(null);
      if (l == null) {
        continue; // a foreign user a test made on purpose, dropped by that test
      }
      assertThat(l.state()).as("the lease of tagged user %s", user).isEqualTo(LeaseState.ACTIVE);
    }
  }

  LeaseReaper reaper() {
    return reaper(LeaseReaper.Settings.DEFAULTS);
  }

  LeaseReaper reaper(LeaseReaper.Settings s) {
    return new LeaseReaper(
        store.targetLeases(),
        store.leases(),
        targets,
        () -> List.of(resource, downResource),
        audit,
        clock,
        s);
  }

  Granted grant() {
    return grant(names.getAndIncrement(), "ledger-db");
  }

  Granted grant(int team, String resourceName) {
    return tokens.grant(
        new GrantRequest(
            GrantType.CLIENT_CREDENTIALS,
            new Evidence.PlatformToken(
                Secret.of(k8s.kubernetesToken("team" + team, "app", "app-0"))),
            resourceName,
            null,
            null,
            "10.0.0.7",
            CredentialKind.Endpoint.CREDENTIALS,
            CredentialKind.DATABASE_USER,
            null,
            GrantRequest.Hop.NONE,
            null));
  }

  TargetLease lease(String id) {
    return store.targetLeases().get(id).orElseThrow();
  }

  List<String> auditTypes(String leaseOrUser) {
    List<String> out = new ArrayList<>();
    for (AuditRecord r :
        store.audit().query(new AuditQuery(null, null, null, null, null, null, null, 500))) {
      if (r.event().details().containsValue(leaseOrUser)) {
        out.add(r.event().type());
      }
    }
    return out;
  }

  @Test
  void anIssuedUserConnectsAndRevocationDropsItAndEndsItsLiveSessionOffTheRequestPath()
      throws Exception {
    Granted g = grant();
    String user = g.jti();
    assertThat(db.tagged()).contains(user);
    try (TargetDb.Session session = db.connectAs(user, g.accessToken().reveal())) {
      session.use();
      assertThat(db.sessionsOf(user)).isEqualTo(1);

      assertThat(store.leases().revoke(user, clock.instant(), "revoked by admin:test")).isTrue();
      assertThat(db.userExists(user)).as("revoking only records it; the reaper removes").isTrue();
      assertThat(lease(user).state()).isEqualTo(LeaseState.REVOKING);

      LeaseReaper.Outcome o = reaper().reap();

      assertThat(o.removed()).isEqualTo(1);
      assertThat(db.userExists(user)).isFalse();
      assertThatThrownBy(session::use)
          .as("the live session was ended")
          .isInstanceOf(Exception.class);
    }
    assertThat(db.sessionsOf(user)).isZero();
    assertThatThrownBy(() -> db.connectAs(user, g.accessToken().reveal()).close())
        .as("a new login is refused")
        .isInstanceOf(Exception.class);
    assertThat(lease(user).state()).isEqualTo(LeaseState.REVOKED);
    assertThat(auditTypes(user)).contains("token.issued", "credential.removed");
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        db.checksPasswords(), "the test server trusts local logins");
    Granted g = grant();
    assertThatThrownBy(() -> db.connectAs(g.jti(), g.accessToken().reveal() + "x").close())
        .isInstanceOf(Exception.class);
  }

  @Test
  void oneRunDrainsABacklogLargerThanItsBatchRemovingSeveralUsersAtOnce() {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      users.add(grant(names.getAndIncrement(), "ledger-db").jti());
    }
    users.forEach(u -> store.leases().revoke(u, clock.instant(), "revoked by admin:test"));
    LeaseReaper r =
        reaper(
            new LeaseReaper.Settings(
                Duration.ofMinutes(2),
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                8,
                Duration.ofHours(1),
                2,
                3));

    assertThat(r.reap().removed()).isEqualTo(5);

    users.forEach(u -> assertThat(db.userExists(u)).as(u).isFalse());
    users.forEach(u -> assertThat(lease(u).state()).isEqualTo(LeaseState.REVOKED));
  }

  /** {@code n} live users, {@link #MAX_LEASES} per workload. */
  List<Granted> grants(int n) {
    List<Granted> out = new ArrayList<>();
    int team = names.getAndIncrement();
    for (int i = 0; i < n; i++) {
      if (i > 0 && i % MAX_LEASES == 0) {
        team = names.getAndIncrement();
      }
      out.add(grant(team, "ledger-db"));
    }
    return out;
  }

  @Test
  void fiftyRevokedUsersOfOneTargetAreRemovedByOneRunInBatchesEachAudited() throws Exception {
    List<Granted> gs = grants(50);
    List<String> users = gs.stream().map(Granted::jti).toList();
    users.forEach(u -> store.leases().revoke(u, clock.instant(), "revoked by admin:test"));
    int singles = faults.singles.get();
    int batches = faults.batches.get();
    try (TargetDb.Session session =
        db.connectAs(users.get(17), gs.get(17).accessToken().reveal())) {
      session.use();

      LeaseReaper.Outcome o = reaper().reap();

      assertThat(o.removed()).isEqualTo(50);
      assertThat(o.failed()).isZero();
      assertThatThrownBy(session::use).as("a live session was ended").isInstanceOf(Exception.class);
    }
    assertThat(faults.singles.get() - singles).as("no user removed alone").isZero();
    assertThat(faults.batches.get() - batches)
        .as("shares of the batch, parallelism at a time")
        .isEqualTo(LeaseReaper.Settings.DEFAULT_PARALLELISM);
    users.forEach(u -> assertThat(db.userExists(u)).as(u).isFalse());
    users.forEach(u -> assertThat(lease(u).state()).as(u).isEqualTo(LeaseState.REVOKED));
    List<AuditRecord> removed =
        store.audit().query(new AuditQuery(null, null, null, null, null, null, null, 1000)).stream()
            .filter(
                r ->
                    r.event().type().equals("credential.removed")
                        && users.contains(r.event().details().get("username")))
            .toList();
    assertThat(removed).hasSize(50);
    assertThat(removed)
        .allSatisfy(
            r ->
                assertThat(r.event().details())
                    .containsEntry("result", "dropped")
                    .containsEntry("revokeReason", "revoked by admin:test"));
  }

  @Test
  void aBatchHoldingAUserTheDatabaseRefusesIsRetriedOneByOneAndTheOthersAreRemoved() {
    List<String> users = grants(10).stream().map(Granted::jti).toList();
    String bad = users.get(4);
    faults.refused.add(bad);
    users.forEach(u -> store.leases().revoke(u, clock.instant(), "leaked"));
    LeaseReaper r =
        reaper(
            new LeaseReaper.Settings(
                Duration.ofMinutes(2),
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                8,
                Duration.ofHours(1),
                200,
                1)); // one share: the whole batch fails

    LeaseReaper.Outcome o = r.reap();

    assertThat(o.removed()).isEqualTo(9);
    assertThat(o.failed()).isEqualTo(1);
    users.stream()
        .filter(u -> !u.equals(bad))
        .forEach(
            u -> {
              assertThat(db.userExists(u)).as(u).isFalse();
              assertThat(lease(u).state()).isEqualTo(LeaseState.REVOKED);
            });
    assertThat(auditTypes(users.get(0))).contains("credential.removed");
    TargetLease failed = lease(bad);
    assertThat(failed.state()).isEqualTo(LeaseState.REVOKING);
    assertThat(failed.removalAttempts()).isEqualTo(1);
    assertThat(failed.removalError()).contains("refuses the drop");
    assertThat(failed.removalDue()).as("backed off").isEqualTo(clock.instant().plusSeconds(5));
    assertThat(db.userExists(bad)).isTrue();

    faults.refused.clear();
    clock.advance(Duration.ofSeconds(5));
    assertThat(r.reap().removed()).isEqualTo(1);
    assertThat(db.userExists(bad)).isFalse();
    assertThat(lease(bad).state()).isEqualTo(LeaseState.REVOKED);
  }

  @Test
  void removeUsersDropsTaggedUsersEndsTheirSessionsAndLeavesAnUntaggedAccountAlone()
      throws Exception {
    DatabaseTarget t = resource.database();
    Secret admin = Secret.of(TargetDb.INITIAL_ADMIN_PASSWORD);
    List<Granted> gs = grants(3);
    String account =
        "legacy_app_" + names.getAndIncrement() + "_" + Long.toHexString(System.nanoTime());
    String absent = t.usernameTemplate().prefix() + "ns_q_sa_z_abcdefghij45";
    db.createStaticAccount(account, "static-password-1");
    try (TargetDb.Session session =
        db.connectAs(gs.get(1).jti(), gs.get(1).accessToken().reveal())) {
      session.use();
      List<String> asked = new ArrayList<>(gs.stream().map(Granted::jti).toList());
      asked.add(account);
      asked.add(absent);

      java.util.Map<String, UserDatabase.Removal> r = db.users().removeUsers(t, admin, asked);

      assertThat(r)
          .containsEntry(gs.get(0).jti(), UserDatabase.Removal.DROPPED)
          .containsEntry(gs.get(1).jti(), UserDatabase.Removal.DROPPED)
          .containsEntry(gs.get(2).jti(), UserDatabase.Removal.DROPPED)
          .containsEntry(absent, UserDatabase.Removal.ABSENT)
          .doesNotContainKey(account);
      assertThatThrownBy(session::use)
          .as("the live session was ended")
          .isInstanceOf(Exception.class);
      gs.forEach(g -> assertThat(db.userExists(g.jti())).isFalse());
      assertThat(db.userExists(account)).as("not Warden's: untouched").isTrue();
      assertThatThrownBy(() -> db.users().removeUser(t, admin, account))
          .as("alone, it says why")
          .isInstanceOf(TargetException.class);
    } finally {
      db.dropForeignUser(account);
      gs.forEach(g -> store.leases().revoke(g.jti(), clock.instant(), "test over"));
      reaper().reap();
    }
  }

  @Test
  void anExpiredLeaseIsReapedAndItsUserDropped() {
    Granted g = grant();
    assertThat(reaper().reap().expired()).isZero();

    clock.advance(Duration.ofMinutes(10));
    LeaseReaper.Outcome o = reaper().reap();

    assertThat(o.expired()).isEqualTo(1);
    assertThat(db.userExists(g.jti())).isFalse();
    assertThat(lease(g.jti()).lease().revokeReason()).isEqualTo("expired");
  }

  @Test
  void aCrashAfterTheIntentRecordBeforeTheUserExistsLeavesNothingAfterTheNextStartsSweep() {
    faults.crashBeforeCreate = true;
    int team = names.getAndIncrement();
    assertThatThrownBy(() -> grant(team, "ledger-db")).isInstanceOf(Crash.class);
    faults.crashBeforeCreate = false;
    String user = store.targetLeases().list(LeaseState.ISSUING, 10).getFirst().id();
    assertThat(db.userExists(user)).isFalse();

    clock.advance(Duration.ofMinutes(3));
    reaper().sweep(); // the restarted node

    assertThat(lease(user).state()).isEqualTo(LeaseState.REVOKED);
    assertThat(store.targetLeases().list(LeaseState.ISSUING, 10)).isEmpty();
  }

  @Test
  void aCrashAfterTheUserExistsIsRepairedByTheNextStartsSweep() {
    faults.crashAfterCreate = true;
    int team = names.getAndIncrement();
    assertThatThrownBy(() -> grant(team, "ledger-db")).isInstanceOf(Crash.class);
    faults.crashAfterCreate = false;
    String user = store.targetLeases().list(LeaseState.ISSUING, 10).getFirst().id();
    assertThat(db.tagged()).as("created, tagged, but never handed out").contains(user);

    clock.advance(Duration.ofMinutes(3));
    reaper().sweep();

    assertThat(db.userExists(user)).isFalse();
    assertThat(lease(user).state()).isEqualTo(LeaseState.REVOKED);
    assertThat(auditTypes(user)).contains("credential.removed").doesNotContain("token.issued");
  }

  @Test
  void aRemovalThatKeepsFailingBecomesIrrevocableVisibleAndAuditedThenHeals() {
    LeaseReaper r =
        reaper(
            new LeaseReaper.Settings(
                Duration.ofMinutes(2),
                Duration.ofSeconds(1),
                Duration.ofMinutes(10),
                3,
                Duration.ofHours(1),
                100));
    Granted g = grant();
    faults.removalFails = true;
    store.leases().revoke(g.jti(), clock.instant(), "leaked");

    assertThat(r.reap().failed()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(r.reap().failed()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(r.reap().irrevocable()).isEqualTo(1);
    assertThat(lease(g.jti()).state()).isEqualTo(LeaseState.IRREVOCABLE);
    assertThat(r.counts().get(LeaseState.IRREVOCABLE)).isPositive();
    assertThat(auditTypes(g.jti())).contains("credential.irrevocable");
    assertThat(db.userExists(g.jti())).isTrue();

    faults.removalFails = false;
    clock.advance(Duration.ofHours(1));
    assertThat(r.reap().removed()).isPositive();
    assertThat(lease(g.jti()).state()).isEqualTo(LeaseState.REVOKED);
    assertThat(db.userExists(g.jti())).isFalse();
  }

  @Test
  void anIrrevocableCredentialIsForceForgottenOnlyWithAReasonAuditedWithTheAdminAndNeverRetried() {
    LeaseReaper r =
        reaper(
            new LeaseReaper.Settings(
                Duration.ofMinutes(2),
                Duration.ofSeconds(1),
                Duration.ofMinutes(10),
                1,
                Duration.ofHours(1),
                100));
    Granted live = grant();
    Granted g = grant();
    faults.removalFails = true;
    store.leases().revoke(g.jti(), clock.instant(), "leaked");
    assertThat(r.reap().irrevocable()).isEqualTo(1);

    assertThatThrownBy(() -> r.forget(g.jti(), "  \n ", "admin:a1"))
        .isInstanceOf(dev.warden.core.error.ValidationException.class)
        .hasMessageContaining("reason");
    assertThatThrownBy(() -> r.forget(g.jti(), "x".repeat(501), "admin:a1"))
        .isInstanceOf(dev.warden.core.error.ValidationException.class);
    assertThatThrownBy(() -> r.forget(live.jti(), "not stuck", "admin:a1"))
        .isInstanceOf(dev.warden.core.error.ConflictException.class)
        .hasMessageContaining("revoke it instead");
    assertThatThrownBy(() -> r.forget("no-such-lease", "why", "admin:a1"))
        .isInstanceOf(dev.warden.core.error.NotFoundException.class);
    assertThat(lease(g.jti()).state())
        .as("refusals change nothing")
        .isEqualTo(LeaseState.IRREVOCABLE);

    r.forget(g.jti(), "dropped by hand\u0007 by the DBA", "admin:a1");

    TargetLease t = lease(g.jti());
    assertThat(t.state()).isEqualTo(LeaseState.REVOKED);
    assertThat(t.removedAt()).isNull();
    assertThat(t.removalError()).isEqualTo("forgotten by admin:a1: dropped by hand  by the DBA");
    AuditRecord forgotten =
        store
            .audit()
            .query(new AuditQuery(null, null, null, null, null, "credential.forgotten", null, 10))
            .get(0);
    assertThat(forgotten.event().actor()).isEqualTo("admin:a1");
    assertThat(forgotten.event().details())
        .containsEntry("leaseId", g.jti())
        .containsEntry("reason", "dropped by hand  by the DBA")
        .containsKey("lastError");
    assertThatThrownBy(() -> r.forget(g.jti(), "again", "admin:a1"))
        .isInstanceOf(dev.warden.core.error.ConflictException.class);

    faults.removalFails = false;
    clock.advance(Duration.ofHours(2));
    r.reap();
    assertThat(db.userExists(g.jti()))
        .as("a forgotten credential is not retried by the reaper")
        .isTrue();
    assertThat(lease(g.jti()).state()).isEqualTo(LeaseState.REVOKED);
    r.sweep();
    assertThat(db.userExists(g.jti()))
        .as("but the orphan sweep drops it where it finds it")
        .isFalse();
  }

  @Test
  void theOrphanSweepDropsExactlyTheTaggedUsersNoLeaseAccountsFor() {
    Granted live = grant();
    String prefix = resource.database().usernameTemplate().prefix();
    String orphan = prefix + "ns_x_sa_y_abcdefghij23";
    String notOurShape = prefix + "owner";
    db.createForeignUser(orphan, true);
    db.createForeignUser(notOurShape, true);
    try {
      LeaseReaper.Outcome o = reaper().sweep();

      assertThat(o.orphans()).isEqualTo(1);
      assertThat(db.userExists(orphan)).isFalse();
      assertThat(db.userExists(live.jti())).as("a user with a live lease is kept").isTrue();
      assertThat(db.userExists(notOurShape))
          .as("tagged, but no name Warden could have given")
          .isTrue();
      assertThat(auditTypes(orphan)).containsExactly("credential.removed");
    } finally {
      db.dropForeignUser(notOurShape);
      db.dropForeignUser(orphan);
    }
  }

  @Test
  void aTargetThatIsDownRefusesItsGrantsAsUnavailableOrphansNothingAndLeavesOtherTargetsAlone() {
    int team = names.getAndIncrement();
    assertThatThrownBy(() -> grant(team, "down-db"))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TARGET_UNAVAILABLE));
    assertThat(store.targetLeases().list(LeaseState.ISSUING, 10))
        .as("the intent was given up")
        .isEmpty();

    Granted other = grant(team, "ledger-db");

    assertThat(db.userExists(other.jti())).isTrue();
    assertThat(
            store
                .audit()
                .query(new AuditQuery(null, null, null, null, null, null, null, 500))
                .stream()
                .filter(r -> "down-db".equals(r.event().resource()))
                .map(r -> r.event().reason()))
        .as("the refusal is audited")
        .contains("target_unavailable");
  }

  @Test
  void aWorkloadHoldsAtMostTheQuotaOfLiveUsers() {
    int team = names.getAndIncrement();
    for (int i = 0; i < MAX_LEASES; i++) {
      grant(team, "ledger-db");
    }
    assertThatThrownBy(() -> grant(team, "ledger-db"))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.QUOTA_EXCEEDED));
  }

  @Test
  void aStaticAccountsPasswordIsSetButNeverTheAdminsOrAnIssuedUsersOrAMissingAccounts()
      throws Exception {
    DatabaseTarget t = resource.database();
    Secret admin = Secret.of(TargetDb.INITIAL_ADMIN_PASSWORD);
    String account =
        "legacy_app_" + names.getAndIncrement() + "_" + Long.toHexString(System.nanoTime());
    db.createStaticAccount(account, "old-password-1");
    try {
      db.users().setPassword(t, admin, account, Secret.of("new-password-2"));

      if (db.checksPasswords()) {
        db.connectAs(account, "new-password-2").close();
        assertThatThrownBy(() -> db.connectAs(account, "old-password-1").close())
            .as("the old password is refused")
            .isInstanceOf(Exception.class);
      }
      Granted issued = grant();
      for (String refused :
          List.of(t.adminUser(), issued.jti(), "no_such_account_" + names.getAndIncrement())) {
        assertThatThrownBy(
                () -> db.users().setPassword(t, admin, refused, Secret.of("x-password-3")))
            .as(refused)
            .isInstanceOfSatisfying(
                dev.warden.core.error.ValidationException.class,
                e -> assertThat(e.field()).isEqualTo("rotation.account"));
      }
      if (db.checksPasswords()) {
        db.connectAs(issued.jti(), issued.accessToken().reveal()).close();
      }
    } finally {
      db.dropForeignUser(account);
    }
  }

  @Test
  void verifyingWithAWrongAdminPasswordFailsWithAClearError() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        db.checksPasswords(), "the test server trusts local logins");
    assertThatThrownBy(() -> db.users().verify(resource.database(), Secret.of("not-the-password")))
        .isInstanceOfSatisfying(
            dev.warden.core.error.ValidationException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("cannot manage users on")
                    .doesNotContain("not-the-password"));
    db.users().verify(resource.database(), Secret.of(TargetDb.INITIAL_ADMIN_PASSWORD));
  }
}
