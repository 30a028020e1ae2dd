package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.PgTarget;
import dev.warden.server.database.TcpProxy;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic PostgreSQL users at {@code POST /v1/credentials}, against a real PostgreSQL: a workload
 * attested by its platform token gets a user that did not exist before, can use it at once, and the
 * password appears nowhere but in the answer.
 */
class DatabaseCredentialsTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @TempDir static Path dir;

  static ServerFixture warden;
  static PgTarget pg;
  static TestOidcIssuer gh;

  @BeforeAll
  static void start() {
    pg = PgTarget.create();
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/target-secrets/ledger-admin",
                    "{\"value\": \"initial-admin-password\"}")
                .status())
        .isEqualTo(200);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: orders-api}
        spec: {audience: https://orders.acme.test}
        """
                .formatted(gh.issuer())
            + "---\n"
            + pg.resourceYaml("ledger-db", "ledger-admin", 3));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (gh != null) {
      gh.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /**
   * A workload acme/{repo} allowed a database user on {@code resource}, and a token on orders-api.
   */
  static void register(String repo, String resource) {
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/%s, selectors: ["github:repository=acme/%s"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: %s-db}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/%s]}, resources: [%s], credentialKind: database_user,
               maxTtl: 10m}
        ---
        kind: AccessPolicy
        metadata: {name: %s-api}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/%s]}, resources: [orders-api]}
        """
            .formatted(repo, repo, repo, repo, resource, repo, repo));
  }

  static ServerFixture.Response credential(String repo, String resource) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_assertion_type", JWT_BEARER);
    form.put("client_assertion", gh.githubActionsToken("acme/" + repo, "refs/heads/main"));
    form.put("resource", resource);
    StringJoiner j = new StringJoiner("&");
    form.forEach((k, v) -> j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return warden.send("/v1/credentials", j.toString(), null);
  }

  /** The live leases of workload acme/{repo}, as JSON text. */
  static String leases(String repo) {
    ServerFixture.Response r =
        warden.admin(
            "GET",
            "/v1/leases?workload="
                + URLEncoder.encode("spiffe://acme.test/gh/" + repo, StandardCharsets.UTF_8),
            null);
    assertThat(r.status()).isEqualTo(200);
    return r.json().toString();
  }

  static ServerFixture.Response token(String repo) {
    return warden.token(
        Map.of(
            "grant_type",
            "client_credentials",
            "client_assertion_type",
            JWT_BEARER,
            "client_assertion",
            gh.githubActionsToken("acme/" + repo, "refs/heads/main"),
            "resource",
            "https://orders.acme.test"));
  }

  @Test
  void issuedUserDidNotExistBeforeAndWorksAtOnce() throws Exception {
    register("ledger-app", "ledger-db");
    int before = pg.tagged().size();

    ServerFixture.Response r = credential("ledger-app", "ledger-db");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
    JsonNode c = r.json();
    String user = c.path("username").asText();
    String password = c.path("password").asText();
    assertThat(user).startsWith("w_gh_ledger_app_").matches("[a-z0-9_]{1,63}");
    assertThat(c.path("lease_id").asText()).isEqualTo(user);
    assertThat(password).hasSize(32).matches("[A-Za-z0-9]+");
    assertThat(c.path("credential_type").asText()).isEqualTo("database_user");
    assertThat(c.path("jdbc_url").asText()).isEqualTo(pg.url());
    assertThat(c.path("expires_in").asLong()).isEqualTo(600);
    Instant expires = Instant.parse(c.path("expires_at").asText());
    assertThat(pg.tagged()).hasSize(before + 1).contains(user);

    try (Connection db = pg.connectAs(user, password);
        Statement s = db.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT current_user, amount FROM ledger WHERE id = 1")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(user);
        assertThat(rs.getInt(2)).isEqualTo(100);
      }
      assertThat(s.executeUpdate("INSERT INTO ledger VALUES (" + (1000 + before) + ", 5)"))
          .isEqualTo(1);
    }
    try (Connection su = pg.connectAs("postgres", "");
        Statement s = su.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolvaliduntil, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = '"
                    + user
                    + "'")) {
      rs.next();
      assertThat(rs.getTimestamp(1).toInstant()).isEqualTo(expires.plusSeconds(60));
      assertThat(rs.getBoolean(2)).isFalse();
      assertThat(rs.getBoolean(3)).isFalse();
    }
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.issued");
    assertThat(event.path("details").path("credentialKind").asText()).isEqualTo("database_user");
    assertThat(event.path("details").path("username").asText()).isEqualTo(user);
    String audit = warden.admin("GET", "/v1/audit?limit=200", null).json().toString();
    assertThat(audit).doesNotContain(password);
    assertThat(leases("ledger-app")).contains(user).doesNotContain(password);
  }

  @Test
  void psqlConnectsWithTheIssuedUser() throws Exception {
    java.util.Optional<Path> psql =
        java.util.stream.Stream.of("/usr/bin/psql", "/usr/local/bin/psql")
            .map(Path::of)
            .filter(java.nio.file.Files::isExecutable)
            .findFirst();
    org.junit.jupiter.api.Assumptions.assumeTrue(psql.isPresent(), "psql is not installed");
    register("psql-app", "ledger-db");
    JsonNode c = credential("psql-app", "ledger-db").json();

    ProcessBuilder pb =
        new ProcessBuilder(
                psql.get().toString(),
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                c.path("username").asText(),
                "-d",
                pg.database,
                "-tAc",
                "SELECT current_user || ':' || count(*) FROM ledger")
            .redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", c.path("password").asText());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).startsWith(c.path("username").asText() + ":");
  }

  @Test
  void eachEndpointHandsOutOnlyItsKind() {
    register("kinds-app", "ledger-db");

    ServerFixture.Response atTokenEndpoint =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                JWT_BEARER,
                "client_assertion",
                gh.githubActionsToken("acme/kinds-app", "refs/heads/main"),
                "resource",
                "ledger-db"));
    assertThat(atTokenEndpoint.status()).isEqualTo(400);
    assertThat(atTokenEndpoint.json().path("error").asText()).isEqualTo("access_denied");
    assertThat(warden.lastAuditEvent().path("reason").asText())
        .isEqualTo("credential_kind_unsupported");
    assertThat(warden.lastAuditEvent().path("details").path("message").asText())
        .contains("POST /v1/credentials");

    ServerFixture.Response tokenAtCredentials = credential("kinds-app", "orders-api");
    assertThat(tokenAtCredentials.status()).isEqualTo(400);
    assertThat(warden.lastAuditEvent().path("details").path("message").asText())
        .contains("/oauth2/token");
    assertThat(token("kinds-app").status()).isEqualTo(200);
  }

  @Test
  void quotaRefusesTheNextUserClearlyAndAudited() {
    register("looping-app", "ledger-db");
    for (int i = 0; i < 3; i++) {
      assertThat(credential("looping-app", "ledger-db").status()).isEqualTo(200);
    }
    int tagged = pg.tagged().size();

    ServerFixture.Response r = credential("looping-app", "ledger-db");

    assertThat(r.status()).isEqualTo(429);
    assertThat(r.json().path("error").asText()).isEqualTo("quota_exceeded");
    assertThat(r.json().path("error_description").asText())
        .contains("already holds 3 live credentials")
        .contains("maxLeasesPerWorkload");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("quota_exceeded");
    assertThat(pg.tagged()).hasSize(tagged);
    assertThat(token("looping-app").status()).as("other grants are unaffected").isEqualTo(200);
  }

  @Test
  void aRoleNameWithQuotesAndSemicolonsIsQuotedNotExecuted() throws Exception {
    String evil = "evil\"; DROP TABLE ledger; --" + pg.suffix;
    String quoted =
        org.postgresql.core.Utils.escapeIdentifier(new StringBuilder(), evil).toString();
    pg.sql("CREATE ROLE " + quoted + " NOLOGIN");
    pg.ownRole(evil);
    warden.apply(pg.resourceYaml("evil-db", "ledger-admin", 3, evil));
    register("evil-app", "evil-db");

    ServerFixture.Response r = credential("evil-app", "evil-db");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    String user = r.json().path("username").asText();
    try (Connection su = pg.connectAs("postgres", "");
        Statement s = su.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the table is still there").isPositive();
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT pg_has_role('"
                  + user
                  + "', (SELECT oid FROM pg_roles WHERE rolname = "
                  + org.postgresql.core.Utils.escapeLiteral(new StringBuilder("'"), evil, true)
                  + "'), 'MEMBER')")) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("the user is a member of exactly that role").isTrue();
      }
    }
  }

  @Test
  void targetDownAnswersTemporarilyUnavailableAuditedWithNothingLeftAndOtherGrantsUnaffected() {
    try (TcpProxy proxy = new TcpProxy(5432)) {
      warden.apply(
          pg.resourceYaml("down-db", "ledger-admin", 3)
              .replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port()));
      register("down-app", "down-db");
      register("other-app", "ledger-db");
      proxy.down();
      int tagged = pg.tagged().size();

      ServerFixture.Response r = credential("down-app", "down-db");

      assertThat(r.status()).as(r.json().toString()).isEqualTo(503);
      assertThat(r.headers().get("retry-after")).isEqualTo("1");
      assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
      JsonNode event = warden.lastAuditEvent();
      assertThat(event.path("type").asText()).isEqualTo("credential.failed");
      assertThat(event.path("outcome").asText()).isEqualTo("failure");
      assertThat(event.path("reason").asText()).isEqualTo("target_unavailable");
      assertThat(event.path("details").path("message").asText()).contains("cannot connect");
      String leaseId = event.path("details").path("leaseId").asText();
      assertThat(leaseId).isNotEmpty();
      assertThat(leases("down-app")).as("nothing live was left behind").doesNotContain(leaseId);
      assertThat(pg.tagged()).hasSize(tagged);
      assertThat(token("down-app").status())
          .as("grants to other targets are unaffected")
          .isEqualTo(200);
      assertThat(credential("other-app", "ledger-db").status()).isEqualTo(200);

      proxy.up();
      assertThat(credential("down-app", "down-db").status())
          .as("back once the database is")
          .isEqualTo(200);
    }
  }

  /** Waits (the reaper runs every 2 s) until the role is gone from the database. */
  static void awaitDropped(String user) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (pg.roleExists(user)) {
      assertThat(System.nanoTime()).as("%s dropped within 20 s", user).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void revokeThroughTheApiDropsTheUserAndEndsItsLiveSession() throws Exception {
    register("revoked-app", "ledger-db");
    JsonNode c = credential("revoked-app", "ledger-db").json();
    String user = c.path("username").asText();
    try (Connection session = pg.connectAs(user, c.path("password").asText());
        Statement s = session.createStatement()) {
      s.execute("SELECT 1 FROM ledger");

      ServerFixture.Response r = warden.admin("POST", "/v1/leases/" + user + ":revoke", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().path("revoked").asBoolean()).isTrue();
      awaitDropped(user);

      assertThatSessionEnded(s);
    }
    assertThat(pg.sessionsOf(user)).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> pg.connectAs(user, c.path("password").asText()).close())
        .isInstanceOf(java.sql.SQLException.class);
    JsonNode revoked = warden.admin("GET", "/v1/database-leases?state=revoked", null).json();
    assertThat(revoked.path("items").toString()).contains(user);
    assertThat(
            warden
                .admin("GET", "/v1/audit?type=credential.removed&limit=50", null)
                .json()
                .toString())
        .contains(user);
    assertThat(warden.get("/metrics").json().asText())
        .contains("warden_database_leases{state=\"irrevocable\"}")
        .contains("warden_database_removals_total{outcome=\"removed\"}");
  }

  @Test
  void aLeakReportOfThePasswordRevokesAndDropsTheUser() throws Exception {
    register("leaky-app", "ledger-db");
    JsonNode c = credential("leaky-app", "ledger-db").json();
    String key = warden.admin("GET", "/v1/scan/fingerprint-key", null).json().path("key").asText();
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(
            java.util.Base64.getUrlDecoder().decode(key), "HmacSHA256"));
    String fp =
        java.util.HexFormat.of()
            .formatHex(mac.doFinal(c.path("password").asText().getBytes(StandardCharsets.UTF_8)));

    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/leaks",
            "{\"source\": \"ci\", \"findings\": [{\"fingerprint\": \""
                + fp
                + "\", \"ruleId\": \"postgres-url\", \"path\": \"app.env\"}]}");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("matched").path(0).path("leaseId").asText())
        .isEqualTo(c.path("username").asText());
    awaitDropped(c.path("username").asText());
  }

  @Test
  void retiringTheWorkloadDropsItsUsers() throws Exception {
    register("retired-app", "ledger-db");
    String a = credential("retired-app", "ledger-db").json().path("username").asText();
    String b = credential("retired-app", "ledger-db").json().path("username").asText();

    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/workloads:retire",
            "{\"workload\": \"spiffe://acme.test/gh/retired-app\"}");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("revokedLeases").toString()).contains(a).contains(b);
    awaitDropped(a);
    awaitDropped(b);
  }

  static void assertThatSessionEnded(Statement s) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute("SELECT 1"))
        .as("the live session was ended")
        .isInstanceOf(java.sql.SQLException.class);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      textBlock =
          """
      no resource              | ASSERTION                                                       | 400 | invalid_request
      no evidence              | resource=ledger-db                                              | 400 | invalid_request
      wrong assertion type     | client_assertion_type=x&client_assertion=a.b.c&resource=ledger-db | 400 | invalid_request
      empty assertion          | client_assertion_type=JWT&client_assertion=&resource=ledger-db    | 400 | invalid_request
      not a JWT                | client_assertion_type=JWT&client_assertion=not.a.jwt&resource=ledger-db | 400 | invalid_client
      scope sent               | ASSERTION&resource=ledger-db&scope=read                         | 400 | invalid_request
      other grant type         | ASSERTION&resource=ledger-db&grant_type=password                | 400 | unsupported_grant_type
      repeated resource        | ASSERTION&resource=ledger-db&resource=orders-api                | 400 | invalid_request
      unknown resource         | ASSERTION&resource=nope                                         | 400 | invalid_target
      bad percent-encoding     | ASSERTION&resource=%zz                                          | 400 | invalid_request
      client_id of another     | ASSERTION&resource=ledger-db&client_id=spiffe://acme.test/other | 400 | invalid_client
      """)
  void badCredentialRequestsAreRefusedAuditedAndIssueNothing(
      String what, String form, int status, String error) {
    register("strict-app", "ledger-db");
    String assertion =
        "client_assertion_type="
            + URLEncoder.encode(JWT_BEARER, StandardCharsets.UTF_8)
            + "&client_assertion="
            + gh.githubActionsToken("acme/strict-app", "refs/heads/main");
    int tagged = pg.tagged().size();

    ServerFixture.Response r =
        warden.send(
            "/v1/credentials",
            form.replace("ASSERTION", assertion)
                .replace("JWT", URLEncoder.encode(JWT_BEARER, StandardCharsets.UTF_8)),
            null);

    assertThat(r.status()).as(what + ": " + r.json()).isEqualTo(status);
    assertThat(r.json().path("error").asText()).as(what).isEqualTo(error);
    assertThat(r.json().has("password")).isFalse();
    assertThat(warden.lastAuditEvent().path("type").asText()).isEqualTo("token.denied");
    assertThat(pg.tagged()).hasSize(tagged);
  }

  @Test
  void credentialsEndpointRefusesOtherMethodsMediaTypesAndHttpAuthentication() {
    ServerFixture.Response get = warden.get("/v1/credentials");
    assertThat(get.status()).isEqualTo(405);
    ServerFixture.Response json =
        warden.admin("POST", "/v1/credentials", "{\"resource\": \"ledger-db\"}", null);
    assertThat(json.status()).isEqualTo(400);
    ServerFixture.Response basic = warden.send("/v1/credentials", "resource=ledger-db", "x");
    assertThat(basic.status()).isEqualTo(401);
    assertThat(basic.json().path("error").asText()).isEqualTo("invalid_client");
  }

  @Test
  void databaseLeaseQueriesAreCheckedAndScoped() {
    assertThat(warden.admin("GET", "/v1/database-leases?state=bogus", null).status())
        .isEqualTo(400);
    assertThat(warden.admin("GET", "/v1/database-leases?limit=0", null).status()).isEqualTo(400);
    assertThat(warden.admin("GET", "/v1/database-leases?limit=abc", null).status()).isEqualTo(400);
    assertThat(warden.admin("GET", "/v1/database-leases?limit=5001", null).status()).isEqualTo(400);
    assertThat(warden.admin("POST", "/v1/database-leases", "{}").status()).isEqualTo(405);
    assertThat(warden.admin("GET", "/v1/database-leases:reap", null).status()).isEqualTo(405);
    assertThat(warden.admin("GET", "/v1/database-leases", null, null).status()).isEqualTo(401);
    assertThat(
            warden
                .admin("GET", "/v1/database-leases?state=active", null)
                .json()
                .path("items")
                .isArray())
        .isTrue();
  }
}
