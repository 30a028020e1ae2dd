package dev.warden.server.database;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.warden.core.document.Documents;
import dev.warden.core.grant.Evidence;
import dev.warden.core.grant.GrantRequest;
import dev.warden.core.grant.GrantType;
import dev.warden.core.grant.Granted;
import dev.warden.core.grant.TokenService;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Resource;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.TrustProviders;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only PostgreSQL users have, against a real PostgreSQL: the marker role as the tag (a user
 * without it is never dropped, a marked role of another shape is kept), the SCRAM verifier as the
 * only form of the password the database sees, and admin password rotation. The lifecycle every
 * engine shares (revoke, expiry, crashes, irrevocable, orphans, target down, quota) is {@link
 * TargetProviderContract}, run here by {@link PostgresProviderTest}. After every test: no tagged
 * user without an active lease.
 */
class DatabaseLifecycleTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  static final MutableClock clock =
      MutableClock.startingAt(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  static PgTarget pg;
  static TestOidcIssuer k8s;
  static JdbcStore store;
  static AuditWriter audit;
  static DatabaseTargets targets;
  static TokenService tokens;
  static Resource resource;
  static final List<Workload> workloads = new ArrayList<>();
  static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    pg = PgTarget.create();
    k8s = TestOidcIssuer.builder().audience("warden").clock(clock).start();
    store = JdbcStore.open(StoreConfig.embedded(dir));
    audit = new AuditWriter(store.audit(), 10, 5_000);
    byte[] fpKey = new byte[32];
    new java.security.SecureRandom().nextBytes(fpKey);
    Fingerprinter fp = new Fingerprinter(fpKey);
    resource =
        new Resource(
            "ledger-db",
            "postgres://127.0.0.1/" + pg.database,
            "postgres",
            null,
            null,
            pg.target("ledger-admin", 3));
    targets =
        new DatabaseTargets(
            new PostgresUsers(Duration.ofSeconds(3), Duration.ofSeconds(20)),
            store.targetSecrets(),
            () -> List.of(resource),
            SecretBox.generate(),
            fp,
            audit,
            clock);
    targets.set("ledger-admin", Secret.of("initial-admin-password"), "test");
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
    for (int i = 0; i < 24; i++) {
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
                        + "\"apps-db\"},\"spec\":{\"workloads\":{\"selectors\":[\"k8s:sa=app\"]},\"resources\":[\"ledger-db\"],"
                        + "\"credentialKind\":\"database_user\",\"maxTtl\":\"10m\"}}"));
    PolicySnapshot snap = PolicySnapshot.build(workloads, List.of(resource), List.of(p), null);
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
  static void stop() {
    if (audit != null) {
      audit.close();
    }
    if (store != null) {
      store.close();
    }
    if (k8s != null) {
      k8s.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void noTaggedUserWithoutAnActiveLease() {
    for (String user : pg.tagged()) {
      TargetLease l =
          store
              .targetLeases()
              .get(user)
              .orElseThrow(() -> new AssertionError(user + " has no lease"));
      assertThat(l.state()).as("the lease of tagged user %s", user).isEqualTo(LeaseState.ACTIVE);
    }
  }

  static LeaseReaper reaper() {
    return reaper(LeaseReaper.Settings.DEFAULTS);
  }

  static LeaseReaper reaper(LeaseReaper.Settings s) {
    return new LeaseReaper(
        store.targetLeases(), store.leases(), targets, () -> List.of(resource), audit, clock, s);
  }

  /** A grant for a workload no other test uses. */
  static Granted grant() {
    return grant(names.getAndIncrement());
  }

  static Granted grant(int team) {
    return tokens.grant(
        new GrantRequest(
            GrantType.CLIENT_CREDENTIALS,
            new Evidence.PlatformToken(
                Secret.of(k8s.kubernetesToken("team" + team, "app", "app-0"))),
            "ledger-db",
            null,
            null,
            "10.0.0.7",
            CredentialKind.Endpoint.CREDENTIALS,
            CredentialKind.DATABASE_USER,
            null,
            GrantRequest.Hop.NONE,
            null));
  }

  static TargetLease lease(String id) {
    return store.targetLeases().get(id).orElseThrow();
  }

  static List<String> auditTypes(String leaseOrUser) {
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
  void orphanSweepDropsExactlyTheTaggedUsersNoLeaseAccountsFor() {
    Granted live = grant();
    String orphan = "w_ns_x_sa_y_abcdefghij23";
    String notOurName = "app_owner_" + pg.suffix;
    String untagged = "w_ns_x_sa_z_abcdefghij23";
    pg.sql(
        "CREATE ROLE " + orphan + " LOGIN",
        "GRANT " + pg.marker + " TO " + orphan,
        "CREATE ROLE " + notOurName + " LOGIN",
        "GRANT " + pg.marker + " TO " + notOurName,
        "CREATE ROLE " + untagged + " LOGIN");
    pg.ownRole(notOurName);
    pg.ownRole(untagged);
    pg.ownRole(orphan);
    try {
      LeaseReaper.Outcome o = reaper().sweep();

      assertThat(o.orphans()).isEqualTo(1);
      assertThat(pg.roleExists(orphan)).isFalse();
      assertThat(pg.roleExists(live.jti())).as("a user with a live lease is kept").isTrue();
      assertThat(pg.roleExists(notOurName))
          .as("tagged, but no name Warden could have given")
          .isTrue();
      assertThat(pg.roleExists(untagged)).as("never a user without the marker").isTrue();
      assertThat(auditTypes(orphan)).containsExactly("credential.removed");
    } finally {
      pg.sql("REVOKE " + pg.marker + " FROM " + notOurName);
    }
  }

  @Test
  void aUserWithoutTheMarkerIsNeverDroppedEvenWhenItsLeaseSaysSo() {
    Granted g = grant();
    pg.sql("REVOKE " + pg.marker + " FROM " + g.jti());
    store.leases().revoke(g.jti(), clock.instant(), "revoked by admin:test");

    assertThat(reaper().reap().failed()).isEqualTo(1);

    assertThat(pg.roleExists(g.jti())).isTrue();
    assertThat(lease(g.jti()).removalError()).contains("does not carry the marker role");
    pg.sql("DROP ROLE " + g.jti());
  }

  @Test
  void aUserThatCreatedObjectsIsDroppedWithThemReassignedToTheAdminWhoIsNotAMemberOfIssuedUsers()
      throws Exception {
    pg.sql("GRANT CREATE ON SCHEMA public TO " + pg.app);
    Granted g = grant();
    assertThat(isAdminMemberOf(g.jti()))
        .as("issuing does not make the admin a member of the user")
        .isFalse();
    try (Connection c = pg.connectAs(g.jti(), g.accessToken().reveal());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE made_by_" + g.jti() + " (x int)");
    }
    store.leases().revoke(g.jti(), clock.instant(), "revoked by admin:test");

    assertThat(reaper().reap().removed()).isEqualTo(1);

    assertThat(pg.roleExists(g.jti())).isFalse();
    try (Connection su = PgTarget.superuser(pg.database);
        Statement s = su.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_" + g.jti() + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(pg.admin);
    }
  }

  /** Four live users, of two workloads no other test uses. */
  static List<Granted> fourUsers() {
    int a = names.getAndIncrement();
    int b = names.getAndIncrement();
    return List.of(grant(a), grant(a), grant(b), grant(b));
  }

  @Test
  void oneBatchDropsTheMarkedUsersReassigningWhatOneOwnedAndLeavesTheUnmarkedOneToFailAlone()
      throws Exception {
    pg.sql("GRANT CREATE ON SCHEMA public TO " + pg.app);
    List<Granted> gs = fourUsers();
    String owner = gs.get(1).jti();
    String unmarked = gs.get(2).jti();
    try (Connection c = pg.connectAs(owner, gs.get(1).accessToken().reveal());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE made_by_" + owner + " (x int)");
    }
    pg.sql("REVOKE " + pg.marker + " FROM " + unmarked);
    gs.forEach(g -> store.leases().revoke(g.jti(), clock.instant(), "revoked by admin:test"));

    LeaseReaper.Outcome o =
        reaper().reap(); // four users of one target: one share, removed as a batch

    assertThat(o.removed()).isEqualTo(3);
    assertThat(o.failed()).isEqualTo(1);
    for (Granted g : gs) {
      assertThat(pg.roleExists(g.jti())).as(g.jti()).isEqualTo(g.jti().equals(unmarked));
    }
    assertThat(lease(unmarked).removalError()).contains("does not carry the marker role");
    try (Connection su = PgTarget.superuser(pg.database);
        Statement s = su.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_" + owner + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(pg.admin);
    }
    pg.sql("DROP ROLE " + unmarked);
  }

  @Test
  void aBatchWhoseDropFailsForOneUserIsRetriedOneByOneAndTheOthersAreDropped() throws Exception {
    List<Granted> gs = fourUsers();
    String stuck = gs.get(0).jti();
    // it owns a table in another database of the server: DROP ROLE fails there (2BP01), and with it
    // the batch
    try (Connection su = PgTarget.superuser("postgres");
        Statement s = su.createStatement()) {
      s.execute("CREATE TABLE elsewhere_" + stuck + " (x int)");
      s.execute("ALTER TABLE elsewhere_" + stuck + " OWNER TO " + stuck);
    }
    try {
      gs.forEach(g -> store.leases().revoke(g.jti(), clock.instant(), "revoked by admin:test"));

      LeaseReaper.Outcome o = reaper().reap();

      assertThat(o.removed()).isEqualTo(3);
      assertThat(o.failed()).isEqualTo(1);
      gs.stream()
          .skip(1)
          .forEach(
              g -> {
                assertThat(pg.roleExists(g.jti())).as(g.jti()).isFalse();
                assertThat(lease(g.jti()).state()).isEqualTo(LeaseState.REVOKED);
                assertThat(auditTypes(g.jti())).contains("credential.removed");
              });
      assertThat(pg.roleExists(stuck)).isTrue();
      assertThat(lease(stuck).state()).isEqualTo(LeaseState.REVOKING);
      assertThat(lease(stuck).removalError()).contains("another database");
    } finally {
      try (Connection su = PgTarget.superuser("postgres");
          Statement s = su.createStatement()) {
        s.execute("DROP TABLE IF EXISTS elsewhere_" + stuck);
      }
    }
    clock.advance(Duration.ofSeconds(5));
    assertThat(reaper().reap().removed()).isEqualTo(1);
    assertThat(pg.roleExists(stuck)).isFalse();
  }

  private static boolean isAdminMemberOf(String user) throws SQLException {
    try (Connection su = PgTarget.superuser("postgres");
        Statement s = su.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid ="
                    + " m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = '"
                    + user
                    + "' AND u.rolname = '"
                    + pg.admin
                    + "'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  @Test
  void theDatabaseStoresOnlyASaltedScramVerifierThatTheIssuedPasswordMatches() throws Exception {
    Granted g = grant();
    String stored;
    try (Connection su = PgTarget.superuser("postgres");
        Statement s = su.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + g.jti() + "'")) {
      rs.next();
      stored = rs.getString(1);
    }
    // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (RFC 5802, RFC 7677)
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("SCRAM-SHA-256\\$(\\d+):([^$]+)\\$([^:]+):(.+)")
            .matcher(stored);
    assertThat(m.matches()).as(stored).isTrue();
    assertThat(stored).doesNotContain(g.accessToken().reveal());
    assertThat(Integer.parseInt(m.group(1)))
        .as("iterations of a high-entropy issued password")
        .isEqualTo(PostgresUsers.ISSUED_ITERATIONS);
    byte[] salt = java.util.Base64.getDecoder().decode(m.group(2));
    javax.crypto.SecretKeyFactory f =
        javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    byte[] salted =
        f.generateSecret(
                new javax.crypto.spec.PBEKeySpec(
                    g.accessToken().reveal().toCharArray(),
                    salt,
                    Integer.parseInt(m.group(1)),
                    256))
            .getEncoded();
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(salted, "HmacSHA256"));
    byte[] clientKey =
        mac.doFinal("Client Key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    byte[] storedKey = java.security.MessageDigest.getInstance("SHA-256").digest(clientKey);
    assertThat(java.util.Base64.getEncoder().encodeToString(storedKey)).isEqualTo(m.group(3));
  }

  @Test
  void rotatingTheAdminPasswordChangesItOnTheDatabaseAndIssuingGoesOn() throws Exception {
    String before = adminVerifier();
    DatabaseTargets.SecretInfo r = targets.rotate("ledger-admin", "admin:test");

    assertThat(r.version()).isGreaterThan(1);
    assertThat(adminVerifier()).startsWith("SCRAM-SHA-256$").isNotEqualTo(before);
    assertThat(grant().jti()).isNotEmpty();
    assertThat(
            store
                .audit()
                .query(new AuditQuery(null, null, null, null, null, "target_secret.set", null, 5))
                .getFirst()
                .event()
                .details())
        .containsEntry("action", "rotated")
        .doesNotContainValue("initial-admin-password");
  }

  private static String adminVerifier() throws SQLException {
    try (Connection su = PgTarget.superuser("postgres");
        Statement s = su.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT rolpassword FROM pg_authid WHERE rolname = '" + pg.admin + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
