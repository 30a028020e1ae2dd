package dev.warden.core.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.UsernameTemplate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code spec.database} of a postgres resource: strict parsing, a round trip, and no password ever.
 */
class DatabaseResourceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode doc() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"kind": "Resource", "metadata": {"name": "ledger-db"}, "spec": {
          "audience": "postgres://db.example.com/ledger", "kind": "postgres",
          "database": {"url": "jdbc:postgresql://db.example.com:5432/ledger", "adminUser": "warden_admin",
            "adminPasswordSecret": "ledger-admin", "roles": ["ledger_rw"]}}}""");
  }

  private static ObjectNode database(ObjectNode doc) {
    return (ObjectNode) doc.get("spec").get("database");
  }

  @Test
  void parsesWithDefaultsAndRoundTrips() throws Exception {
    Resource r = (Resource) Documents.parse(doc());

    DatabaseTarget t = r.database();
    assertThat(t.url()).isEqualTo("jdbc:postgresql://db.example.com:5432/ledger");
    assertThat(t.database()).isEqualTo("ledger");
    assertThat(t.roles()).containsExactly("ledger_rw");
    assertThat(t.usernameTemplate()).isEqualTo(UsernameTemplate.DEFAULT);
    assertThat(t.maxTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(t.maxLeasesPerWorkload()).isEqualTo(10);
    assertThat(t.markerRole()).isEqualTo("warden_managed");
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);
  }

  private static ObjectNode engineDoc(String kind, String databaseJson) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"kind": "Resource", "metadata": {"name": "cache"}, "spec": {
          "audience": "db://cache", "kind": "%s", "database": %s}}"""
                .formatted(kind, databaseJson));
  }

  @Test
  void mariadbAndRedisTargetsParseTagByNameAndRoundTrip() throws Exception {
    Resource m =
        (Resource)
            Documents.parse(
                engineDoc(
                    "mariadb",
                    """
        {"url": "jdbc:mariadb://db.example.com/shop?sslMode=verify-full", "adminUser": "warden_admin",
         "adminPasswordSecret": "shop-admin", "roles": ["shop_rw"]}"""));
    Resource r =
        (Resource)
            Documents.parse(
                engineDoc(
                    "redis",
                    """
        {"url": "rediss://cache.example.com:6380/2", "adminUser": "warden", "adminPasswordSecret": "cache-admin",
         "acl": ["~app:*", "+@read", "%R~shared:*", "-flushall"]}"""));

    assertThat(m.database().engine()).isEqualTo(dev.warden.core.model.DatabaseEngine.MARIADB);
    assertThat(m.database().port()).isEqualTo(3306);
    assertThat(m.database().markerRole()).as("tagged by name, no marker role").isNull();
    assertThat(r.database().engine()).isEqualTo(dev.warden.core.model.DatabaseEngine.REDIS);
    assertThat(r.database().host()).isEqualTo("cache.example.com");
    assertThat(r.database().port()).isEqualTo(6380);
    assertThat(r.database().database()).isEqualTo("2");
    assertThat(Documents.parse(Documents.toDocument(m))).isEqualTo(m);
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);
    assertThat(
            Documents.parse(
                engineDoc(
                    "mysql",
                    """
        {"url": "jdbc:mysql://db/shop", "adminUser": "a", "adminPasswordSecret": "s"}""")))
        .isNotNull();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      redis   | {"url": "redis://:pw@cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"]}      | must not contain a user or password
      redis   | {"url": "redis://cache?password=x", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"]} | takes no parameters
      redis   | {"url": "redis://cache/x", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"]}         | must be a number
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s"}                            | spec.database.acl: is required
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["nopass"]}         | sets
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": [">hunter2"]}       | sets
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["#abc"]}           | sets
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["on"]}             | sets
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["reset"]}          | sets
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get +set"]}      | must not contain spaces
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["(+get ~x)"]}      | must not contain spaces
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["(+get)"]}         | selectors
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["get"]}            | is not a Redis ACL
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"], "roles": ["r"]} | Redis has no roles
      redis   | {"url": "redis://cache", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"], "markerRole": "m"} | applies to postgres only
      redis   | {"url": "jdbc:mariadb://db/x", "adminUser": "a", "adminPasswordSecret": "s"}                      | needs a redis:// URL
      mariadb | {"url": "jdbc:mariadb://db/shop", "adminUser": "a", "adminPasswordSecret": "s", "roles": ["a1", "a2"]} | one default role
      mariadb | {"url": "jdbc:mariadb://db/shop?sslmode=require", "adminUser": "a", "adminPasswordSecret": "s"}   | the only parameter allowed is sslMode
      mariadb | {"url": "jdbc:mariadb://db/shop", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"]}  | applies to redis only
      mariadb | {"url": "jdbc:mariadb://db/shop", "adminUser": "a", "adminPasswordSecret": "s", "usernameTemplate": "_{random}"} | at least 2 literal characters
      mariadb | {"url": "jdbc:mariadb://db/shop", "adminUser": "a", "adminPasswordSecret": "s", "usernameTemplate": "{workload}_{random}"} | must start with a letter
      postgres | {"url": "jdbc:postgresql://db/x", "adminUser": "a", "adminPasswordSecret": "s", "acl": ["+get"]}  | applies to redis only
      http    | {"url": "jdbc:mariadb://db/shop", "adminUser": "a", "adminPasswordSecret": "s"}                   | only allowed for a resource of kind postgres, mariadb
      """)
  void badEngineTargetIsRefusedSayingWhy(String kind, String database, String expected)
      throws Exception {
    assertThatThrownBy(() -> Documents.parse(engineDoc(kind, database)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(expected)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aPasswordInTheDocumentIsRefusedWithoutQuotingIt() throws Exception {
    ObjectNode d = doc();
    database(d).put("adminPassword", "hunter2-very-secret");

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.database.adminPassword")
        .hasMessageContaining("warden database password set")
        .hasMessageNotContaining("hunter2");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      url                | jdbc:postgresql://u:pw@db/ledger                 | must not contain a user or password
      url                | jdbc:postgresql://db/ledger?password=x           | the only parameter allowed is sslmode
      url                | jdbc:postgresql://db/ledger?sslmode=require&user=x | the only parameter allowed is sslmode
      url                | jdbc:postgresql://db/ledger?sslmode=bogus        | the only parameter allowed is sslmode
      url                | jdbc:mysql://db/ledger                           | needs a jdbc:postgresql:// URL
      url                | odbc:postgresql://db/ledger                      | must start with jdbc:postgresql://
      url                | jdbc:postgresql://db                             | must name a host and a database
      url                | jdbc:postgresql:///ledger                        | must name a host and a database
      url                | jdbc:postgresql://db:0/ledger                    | the port must be a number from 1 to 65535
      url                | jdbc:postgresql://db:99999/ledger                | the port must be a number from 1 to 65535
      url                | jdbc:postgresql://db:5432,db2:5432/ledger        | the port must be a number
      url                | jdbc:postgresql://db/led ger                     | the database name must be
      url                | jdbc:postgresql://db/ledger;x                    | the database name must be
      url                | jdbc:postgresql://[zz]/ledger                    | is not an IPv6 address
      url                | jdbc:postgresql://d_b/ledger                     | is not a host name
      adminUser          | ''                                               | is required
      adminUser          | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | at most 63 bytes
      adminPasswordSecret | Not_A_Name                                      | must use lower-case letters
      markerRole         | warden_admin                                     | must be a role of its own
      markerRole         | ledger_rw                                        | must be a role of its own
      usernameTemplate   | w_{workload}                                     | must contain {random} exactly once
      usernameTemplate   | w_{random}_{random}                              | must contain {random} exactly once
      usernameTemplate   | W_{random}                                       | use only a-z, 0-9 and '_'
      usernameTemplate   | w-{random}                                       | use only a-z, 0-9 and '_'
      usernameTemplate   | w;drop_{random}                                  | use only a-z, 0-9 and '_'
      usernameTemplate   | 1_{random}                                       | must start with a letter or '_'
      usernameTemplate   | {workload}_{workload}_{random}                   | at most once
      usernameTemplate   | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_{workload}_{random} | is too long
      maxTtl             | 25h                                              | must be between 1s and 24h
      maxTtl             | 0s                                               | must be between 1s and 24h
      maxTtl             | soon                                             | is not a duration
      """)
  void badFieldIsRefusedNamingIt(String field, String value, String expected) throws Exception {
    ObjectNode d = doc();
    database(d).put(field, value);

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.database." + field)
        .hasMessageContaining(expected);
  }

  @ParameterizedTest(name = "maxLeasesPerWorkload = {0}")
  @CsvSource({"0", "-1", "1001", "2.5", "'\"3\"'", "true"})
  void maxLeasesMustBeAWholeNumberInRange(String json) throws Exception {
    ObjectNode d = doc();
    database(d).set("maxLeasesPerWorkload", JSON.readTree(json));

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.database.maxLeasesPerWorkload");
  }

  @Test
  void rolesMayHoldQuotesAndSemicolonsButNotControlCharactersOrTwice() throws Exception {
    ObjectNode d = doc();
    database(d).set("roles", JSON.readTree("[\"evil\\\"; DROP ROLE postgres; --\"]"));
    assertThat(((Resource) Documents.parse(d)).database().roles())
        .containsExactly("evil\"; DROP ROLE postgres; --");

    database(d).set("roles", JSON.readTree("[\"a\\u0000b\"]"));
    assertThatThrownBy(() -> Documents.parse(d)).hasMessageContaining("control characters");
    database(d).set("roles", JSON.readTree("[\"a\", \"a\"]"));
    assertThatThrownBy(() -> Documents.parse(d)).hasMessageContaining("twice");
    database(d).set("roles", JSON.readTree("[\"warden_admin\"]"));
    assertThatThrownBy(() -> Documents.parse(d)).hasMessageContaining("admin user");
  }

  @Test
  void unknownFieldAndWrongShapesAreRefused() throws Exception {
    ObjectNode d = doc();
    database(d).put("sslPassword", "x");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.database.sslPassword")
        .hasMessageContaining("unknown field");
    ((ObjectNode) d.get("spec")).put("database", "jdbc:postgresql://db/ledger");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.database")
        .hasMessageContaining("object");
    ObjectNode http = doc();
    ((ObjectNode) http.get("spec")).put("kind", "http");
    assertThatThrownBy(() -> Documents.parse(http))
        .hasMessageContaining("only allowed for a resource of kind postgres");
  }

  @Test
  void usernamesAreTraceableBoundedAndMatchTheirPattern() {
    UsernameTemplate t = UsernameTemplate.DEFAULT;
    String name =
        t.expand(SpiffeId.parse("spiffe://example.org/ns/Pay.ments/sa/api-v2"), "abcdefghij23");
    assertThat(name).isEqualTo("w_ns_pay_ments_sa_api_v2_abcdefghij23");
    assertThat(t.pattern().matcher(name).matches()).isTrue();
    String deep =
        t.expand(
            SpiffeId.parse("spiffe://example.org/" + "segment/".repeat(30) + "leaf"),
            "abcdefghij23");
    assertThat(deep.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
    assertThat(deep).endsWith("_leaf_abcdefghij23").matches("[a-z0-9_]+");
    assertThat(t.pattern().matcher(deep).matches()).isTrue();
    assertThat(t.pattern().matcher("app_owner").matches()).isFalse();
    assertThat(t.pattern().matcher("w_x_ABCDEFGHIJ23").matches()).isFalse();
  }

  @Test
  void templateWithoutWorkloadStillFits() {
    UsernameTemplate t = new UsernameTemplate("ledger_app_{random}");
    assertThat(t.expand(SpiffeId.parse("spiffe://example.org/a"), "abcdefghij23"))
        .isEqualTo("ledger_app_abcdefghij23");
  }

  @Test
  void policyAcceptsTheDatabaseUserKind() throws Exception {
    JsonNode p =
        JSON.readTree(
            """
        {"kind": "AccessPolicy", "metadata": {"name": "p"}, "spec": {"workloads": {"spiffeIds": ["spiffe://e.org/a"]},
         "resources": ["ledger-db"], "credentialKind": "database_user", "maxTtl": "10m"}}""");
    assertThat(((dev.warden.core.model.AccessPolicy) Documents.parse(p)).credentialKind())
        .isEqualTo(dev.warden.core.model.CredentialKind.DATABASE_USER);
  }
}
