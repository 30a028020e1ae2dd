package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.MariaDbTarget;
import dev.warden.server.database.PgTarget;
import dev.warden.server.database.RedisTarget;
import dev.warden.server.database.TargetDb;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB and Redis users over real HTTP, used with the engines' own clients (MariaDB Connector/J,
 * Jedis); a workload renewing and revoking its own leases at {@code
 * /v1/credentials/leases/<id>:renew|:revoke}; and a database resource whose admin password is wrong
 * refused at apply, with nothing stored.
 */
class TargetEnginesOverHttpTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @TempDir static Path dir;

  static ServerFixture warden;
  static MariaDbTarget maria;
  static RedisTarget cache;
  static PgTarget pg;
  static TestOidcIssuer gh;

  @BeforeAll
  static void start() {
    maria = MariaDbTarget.create();
    cache = RedisTarget.create();
    pg = PgTarget.create();
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir, Map.of("databases.reapInterval", "200ms"));
    for (String s : new String[] {"maria-admin", "redis-admin", "pg-admin"}) {
      assertThat(
              warden
                  .admin(
                      "PUT",
                      "/v1/target-secrets/" + s,
                      "{\"value\": \"" + TargetDb.INITIAL_ADMIN_PASSWORD + "\"}")
                  .status())
          .isEqualTo(200);
    }
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: shop-db}
        spec:
          audience: mariadb://shop
          kind: mariadb
          database: {url: "%s", adminUser: %s, adminPasswordSecret: maria-admin, roles: [%s],
                     usernameTemplate: "%s{workload}_{random}"}
        ---
        kind: Resource
        metadata: {name: cache}
        spec:
          audience: redis://cache
          kind: redis
          database: {url: "redis://127.0.0.1:6379", adminUser: %s, adminPasswordSecret: redis-admin,
                     acl: ["~%s*", "+get", "+set", "+ping"], usernameTemplate: "%s{workload}_{random}"}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/shop, selectors: ["github:repository=acme/shop"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/other, selectors: ["github:repository=acme/other"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: shop-data}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/shop, spiffe://acme.test/gh/other]},
               resources: [shop-db, cache, ledger-db], credentialKind: database_user, maxTtl: 5m}
        """
                .formatted(
                    gh.issuer(),
                    maria.url(),
                    maria.admin,
                    maria.app,
                    maria.prefix,
                    cache.admin,
                    cache.keys,
                    cache.prefix)
            + "---\n"
            + pg.resourceYaml("ledger-db", "pg-admin", 5));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (gh != null) {
      gh.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {maria, cache, pg}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  static String form(String repo, Map<String, String> extra) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_assertion_type", JWT_BEARER);
    form.put("client_assertion", gh.githubActionsToken("acme/" + repo, "refs/heads/main"));
    form.putAll(extra);
    StringJoiner j = new StringJoiner("&");
    form.forEach((k, v) -> j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  static JsonNode credential(String repo, String resource) {
    ServerFixture.Response r =
        warden.send("/v1/credentials", form(repo, Map.of("resource", resource)), null);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json();
  }

  static ServerFixture.Response own(String repo, String leaseId, String action) {
    return warden.send(
        "/v1/credentials/leases/" + leaseId + ":" + action, form(repo, Map.of()), null);
  }

  static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void aMariadbUserWorksWithConnectorJAndTheWorkloadsOwnRevokeEndsItsSession() throws Exception {
    JsonNode c = credential("shop", "shop-db");
    String user = c.path("username").asText();
    assertThat(c.path("credential_type").asText()).isEqualTo("database_user");
    assertThat(c.path("engine").asText()).isEqualTo("mariadb");
    assertThat(c.path("port").asInt()).isEqualTo(3306);
    assertThat(user).startsWith(maria.prefix + "gh_shop_");

    try (TargetDb.Session s = maria.connectAs(user, c.path("password").asText())) {
      s.use();
      ServerFixture.Response r = own("shop", user, "revoke");
      assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
      assertThat(r.json().path("revoked").asBoolean()).isTrue();

      await(() -> !maria.userExists(user), "the reaper drops " + user);
      assertThatThrownBy(s::use).as("the live session was killed").isInstanceOf(Exception.class);
    }
    assertThat(own("shop", user, "revoke").status()).as("no longer live").isEqualTo(404);
  }

  @Test
  void aRedisUserWorksWithJedisAndOnlyWithinItsAcl() throws Exception {
    JsonNode c = credential("shop", "cache");
    assertThat(c.path("url").asText()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(c.path("engine").asText()).isEqualTo("redis");
    String user = c.path("username").asText();
    try (redis.clients.jedis.Jedis j =
        new redis.clients.jedis.Jedis(
            new redis.clients.jedis.HostAndPort("127.0.0.1", 6379),
            redis.clients.jedis.DefaultJedisClientConfig.builder()
                .user(user)
                .password(c.path("password").asText())
                .build())) {
      j.set(cache.keys + "orders", "7");
      assertThat(j.get(cache.keys + "orders")).isEqualTo("7");
      assertThatThrownBy(() -> j.set("not-" + cache.keys, "1"))
          .as("outside its key pattern")
          .hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> j.flushAll())
          .as("a command it was not given")
          .hasMessageContaining("NOPERM");
    }
  }

  @Test
  void aWorkloadRenewsItsOwnPostgresLeaseAndTheDatabaseExpiryMovesWithIt() throws Exception {
    JsonNode c = credential("shop", "ledger-db");
    String user = c.path("username").asText();
    Instant first = Instant.parse(c.path("expires_at").asText());
    Thread.sleep(1100);

    ServerFixture.Response r = own("shop", user, "renew");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("renewed").asBoolean()).isTrue();
    Instant renewed = Instant.parse(r.json().path("expires_at").asText());
    assertThat(renewed).isAfter(first);
    try (Connection su =
            java.sql.DriverManager.getConnection(PgTarget.SERVER + "postgres", "postgres", "");
        Statement s = su.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT rolvaliduntil FROM pg_roles WHERE rolname = '" + user + "'")) {
      rs.next();
      assertThat(rs.getTimestamp(1).toInstant()).isEqualTo(renewed.plus(Duration.ofMinutes(1)));
    }
  }

  @Test
  void aWorkloadCannotRenewOrRevokeAnotherWorkloadsLeaseNorLearnThatItExists() {
    JsonNode c = credential("shop", "cache");
    String lease = c.path("lease_id").asText();

    ServerFixture.Response renew = own("other", lease, "renew");
    ServerFixture.Response revoke = own("other", lease, "revoke");
    ServerFixture.Response unknown = own("other", "w_no_such_lease", "revoke");

    assertThat(renew.status()).isEqualTo(404);
    assertThat(revoke.status()).isEqualTo(404);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(revoke.json().path("error_description").asText().replace(lease, "X"))
        .isEqualTo(
            unknown.json().path("error_description").asText().replace("w_no_such_lease", "X"));
    assertThat(cache.userExists(c.path("username").asText())).isTrue();
  }

  @Test
  void aMariadbResourceWithAWrongAdminPasswordIsRefusedAtApplyAndNothingIsStored() {
    warden.admin("PUT", "/v1/target-secrets/wrong-admin", "{\"value\": \"not-the-password\"}");
    String yaml =
        """
        kind: Resource
        metadata: {name: wrong-db}
        spec:
          audience: mariadb://wrong
          kind: mariadb
          database: {url: "%s", adminUser: %s, adminPasswordSecret: wrong-admin}
        """
            .formatted(maria.url(), maria.admin);
    assertThatThrownBy(() -> warden.apply(yaml))
        .hasMessageContaining("cannot manage users on")
        .hasMessageContaining("login was refused")
        .hasMessageNotContaining("not-the-password");
    assertThat(warden.admin("GET", "/v1/resources/wrong-db", null).status()).isEqualTo(404);
  }
}
