package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes on one real PostgreSQL: configuration written through one is served by the
 * other, their audit events form one chain, and when the audit log cannot be written no token
 * leaves (fail closed).
 */
class PostgresNodesTest {
  static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  static final String AUD = "https://orders.acme.test";

  @TempDir static Path dir;

  static String database;
  static TestOidcIssuer gh;
  static ServerFixture nodeA;
  static ServerFixture nodeB;

  @BeforeAll
  static void start() throws SQLException {
    database = TestPostgres.createDatabase("warden_srv_");
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("db.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
    flags.put("db.user", "postgres");
    flags.put("reload.interval", "200ms");
    flags.put("audit.timeout", "2s");
    nodeA = ServerFixture.start(dir, flags);
    nodeB = ServerFixture.start(dir, flags); // same data dir: the nodes share the master key file
  }

  @AfterAll
  static void stop() throws SQLException {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (gh != null) {
      gh.close();
    }
    if (database != null) {
      try (Connection c = DriverManager.getConnection(ADMIN_URL, "postgres", null);
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  static Map<String, String> grant(String repo) {
    return Map.of(
        "grant_type",
        "client_credentials",
        "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion",
        gh.githubActionsToken(repo, "refs/heads/main"),
        "resource",
        AUD);
  }

  /**
   * Registers, through node A, a workload {@code acme/<repo>} allowed to reach the orders resource.
   */
  static void register(String repo) {
    nodeA.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: orders}
        spec: {audience: %s}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/%s, selectors: ["github:repository=acme/%s"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: %s}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/%s]}, resources: [orders]}
        """
            .formatted(gh.issuer(), AUD, repo, repo, repo, repo));
  }

  @Test
  void configurationAppliedOnOneNodeIsServedByTheOtherAndTheAuditChainStaysOneLine()
      throws Exception {
    assertThat(nodeB.adminToken)
        .as("the bootstrap token is created once per installation")
        .isNull();
    register("orders");
    ServerFixture.Response onB = null;
    for (int i = 0; i < 50; i++) {
      onB = nodeB.token(grant("acme/orders"));
      if (onB.status() == 200) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(onB.status()).as(onB.json().toString()).isEqualTo(200);

    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      ServerFixture node = t % 2 == 0 ? nodeA : nodeB;
      threads[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 10; i++) {
                      assertThat(node.token(grant("acme/orders")).status()).isEqualTo(200);
                    }
                  });
    }
    for (Thread t : threads) {
      t.join();
    }
    JsonNode chain =
        nodeA.admin("GET", "/v1/audit/chain?from=1&limit=5000", null).json().path("events");
    assertThat(chain.size()).isGreaterThan(40);
    String prev = "00".repeat(32);
    long seq = 1;
    for (JsonNode e : chain) {
      assertThat(e.path("seq").asLong()).isEqualTo(seq++);
      assertThat(e.path("prevHash").asText()).isEqualTo(prev);
      prev = e.path("hash").asText();
    }
    assertThat(HexFormat.of().parseHex(prev)).hasSize(32);
  }

  @Test
  void whenTheAuditLogCannotBeWrittenNoTokenIsIssued() throws Exception {
    register("billing");
    assertThat(nodeA.token(grant("acme/billing")).status()).isEqualTo(200);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", null);
        Statement s = c.createStatement()) {
      long leasesBefore = count(s, "leases");
      s.execute("ALTER TABLE audit_events RENAME TO audit_events_offline");
      try {
        ServerFixture.Response r = nodeA.token(grant("acme/billing"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(r.json().has("access_token")).isFalse();
      } finally {
        s.execute("ALTER TABLE audit_events_offline RENAME TO audit_events");
      }
      assertThat(count(s, "leases")).as("no lease without its audit event").isEqualTo(leasesBefore);
    }
    assertThat(nodeA.token(grant("acme/billing")).status()).isEqualTo(200);
  }

  @Test
  void whenTheAuditTableIsLockedGrantsFailClosedReadyzSaysStalledAndBothRecoverOnceItIsReleased()
      throws Exception {
    register("ledger");
    assertThat(nodeA.token(grant("acme/ledger")).status()).isEqualTo(200);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", null);
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      // a slow audit store: appends wait for this lock (reads do not), as behind a long-running
      // transaction
      s.execute("LOCK TABLE audit_events IN EXCLUSIVE MODE");
      try {
        long t0 = System.nanoTime();
        ServerFixture.Response r = nodeA.token(grant("acme/ledger"));
        assertThat(r.status()).as("%s", r.json()).isEqualTo(503);
        assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat((System.nanoTime() - t0) / 1_000_000)
            .as("answered once audit.timeout passed")
            .isBetween(1_900L, 5_000L);
        ServerFixture.Response ready = nodeA.get("/readyz");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().path("database").asText()).isEqualTo("up");
        assertThat(ready.json().path("audit").asText()).isEqualTo("stalled");
        assertThat(ready.json().path("auditError").asText())
            .contains("slow", "locked", "audit.timeout");
      } finally {
        c.rollback();
      }
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (nodeA.get("/readyz").status() != 200) {
      assertThat(System.nanoTime())
          .as("ready again: %s", nodeA.get("/readyz").json())
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(nodeA.token(grant("acme/ledger")).status()).isEqualTo(200);
  }

  @Test
  void postureOnOneNodeFollowsImportsConfigurationAndIssuanceMadeThroughTheOther() {
    register("reports");
    assertThat(onB("GET", "/v1/posture").status()).isEqualTo(200); // B's index exists now
    String fp = "ab".repeat(32);
    ServerFixture.Response imported =
        nodeA.admin(
            "POST",
            "/v1/inventory:import",
            """
        {"format": "csv", "source": "csv:nodes", "content":
         "name,kind,owner,environment,fingerprint\\nREPORTS_KEY,api-key,ops@acme.test,prod,%s\\nREPORTS_KEY_DEV,api-key,ops@acme.test,dev,%s\\n"}
        """
                .formatted(fp, fp));
    assertThat(imported.status()).as("%s", imported.json()).isEqualTo(200);

    JsonNode onB = onB("GET", "/v1/posture?rule=NHI9").json().path("findings");
    assertThat(onB.findValuesAsText("subject")).contains("REPORTS_KEY", "REPORTS_KEY_DEV");
    JsonNode unknown =
        onB("GET", "/v1/posture?rule=ownership.unknown-owner").json().path("findings");
    assertThat(unknown.findValuesAsText("subject")).contains("REPORTS_KEY");

    // ops@ becomes the owner of a workload on A: on B the owner is no longer unknown
    nodeA.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/reports, selectors: ["github:repository=acme/reports"], owner: ops@acme.test}
        """);
    unknown = onB("GET", "/v1/posture?rule=ownership.unknown-owner").json().path("findings");
    assertThat(unknown.findValuesAsText("subject"))
        .doesNotContain("REPORTS_KEY", "REPORTS_KEY_DEV");

    ServerFixture.Response issued = nodeA.token(grant("acme/reports"));
    assertThat(issued.status()).as("%s", issued.json()).isEqualTo(200);
    JsonNode items =
        onB("GET", "/v1/inventory?owner=ops@acme.test&kind=issued-credential").json().path("items");
    assertThat(items.findValuesAsText("id"))
        .containsExactly("credential:spiffe://acme.test/reports|orders");
    assertThat(onB("GET", "/v1/posture").json().path("findings"))
        .isEqualTo(onB("GET", "/v1/posture?recompute=true").json().path("findings"));
  }

  @Test
  void aCatchUpThatFailsHalfWayIsRepairedByAFullReadOnceTheDatabaseIsBack() throws Exception {
    assertThat(onB("GET", "/v1/posture").status()).isEqualTo(200);
    ServerFixture.Response imported =
        nodeA.admin(
            "POST",
            "/v1/inventory:import",
            "{\"format\": \"csv\", \"source\": \"csv:outage\", \"content\": \"name,kind\\nOUTAGE_KEY,api-key\\n\"}");
    assertThat(imported.status()).as("%s", imported.json()).isEqualTo(200);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE inventory_items RENAME TO inventory_items_offline");
      try {
        // B sees the import event but cannot read the rows it wrote: it answers 503, not a stale
        // list
        assertThat(onB("GET", "/v1/posture?rule=ownership.no-owner").status()).isEqualTo(503);
      } finally {
        s.execute("ALTER TABLE inventory_items_offline RENAME TO inventory_items");
      }
    }
    JsonNode noOwner = onB("GET", "/v1/posture?rule=ownership.no-owner").json().path("findings");
    assertThat(noOwner.findValuesAsText("subject")).contains("OUTAGE_KEY");
    assertThat(onB("GET", "/v1/posture").json().path("findings"))
        .isEqualTo(onB("GET", "/v1/posture?recompute=true").json().path("findings"));
  }

  /** Node B has no bootstrap token of its own (one per installation): it is asked with A's. */
  static ServerFixture.Response onB(String method, String path) {
    return nodeB.admin(method, path, null, nodeA.adminToken);
  }

  private static long count(Statement s, String table) throws SQLException {
    try (var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
