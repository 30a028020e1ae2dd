package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.PgTarget;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Brokered static secrets over real HTTP: an admin writes a secret (the value never comes back), a
 * workload attested by its Kubernetes service-account token reads it at {@code /v1/credentials} as
 * its policy allows, everything else is refused and audited, and a PostgreSQL static account is
 * rotated at the real database.
 */
class BrokeredSecretsTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String VALUE = "sk_live_51HxAmpleVa1ue-that-must-never-leak";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer k8s;
  static PgTarget pg;

  @BeforeAll
  static void start() {
    pg = PgTarget.create();
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/target-secrets/orders-admin",
                    "{\"value\": \"initial-admin-password\"}")
                .status())
        .isEqualTo(200);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ns/payments/sa/billing, selectors: ["k8s:ns=payments", "k8s:sa=billing"],
               owner: pay@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ns/web/sa/frontend, selectors: ["k8s:ns=web", "k8s:sa=frontend"],
               owner: web@acme.test}
        """
                .formatted(k8s.issuer())
            + "---\n"
            + pg.resourceYaml("orders-db", "orders-admin", 3));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (k8s != null) {
      k8s.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** A secret resource and a policy letting billing read it; returns the resource's name. */
  static String secretResource(String secret) {
    JsonNode applied =
        warden.apply(
            """
        kind: Resource
        metadata: {name: %s-api}
        spec: {audience: https://%s.vendor.test, kind: secret, secret: {name: %s}}
        ---
        kind: AccessPolicy
        metadata: {name: billing-reads-%s}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ns/payments/sa/billing]}, resources: [%s-api],
               credentialKind: brokered_secret, maxTtl: 10m}
        """
                .formatted(secret, secret, secret, secret, secret));
    return applied.toString();
  }

  static ServerFixture.Response put(String name, String json) {
    return warden.admin("PUT", "/v1/secrets/" + name, json);
  }

  static ServerFixture.Response read(String sa, String ns, String resource) {
    String form =
        "client_assertion_type="
            + URLEncoder.encode(JWT_BEARER, StandardCharsets.UTF_8)
            + "&client_assertion="
            + k8s.kubernetesToken(ns, sa, sa + "-0")
            + "&resource="
            + URLEncoder.encode(resource, StandardCharsets.UTF_8);
    return warden.send("/v1/credentials", form, null);
  }

  static ServerFixture.Response billingReads(String secret) {
    return read("billing", "payments", "https://" + secret + ".vendor.test");
  }

  static String audit() {
    return warden.admin("GET", "/v1/audit?limit=500", null).json().toString();
  }

  @Test
  void adminWritesAndAnAllowedWorkloadReadsTheValueOnceAudited() {
    secretResource("stripe");
    ServerFixture.Response w =
        put(
            "stripe",
            "{\"value\": \""
                + VALUE
                + "\", \"cas\": 0, \"owner\": \"pay@acme.test\","
                + " \"description\": \"Stripe live key\", \"rotationInterval\": \"90d\"}");
    assertThat(w.status()).as(w.json().toString()).isEqualTo(200);
    assertThat(w.json().path("version").asLong()).isEqualTo(1);
    assertThat(w.json().toString()).doesNotContain(VALUE);

    ServerFixture.Response r = billingReads("stripe");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
    JsonNode c = r.json();
    assertThat(c.path("credential_type").asText()).isEqualTo("brokered_secret");
    assertThat(c.path("value").asText()).isEqualTo(VALUE);
    assertThat(c.path("version").asLong()).isEqualTo(1);
    assertThat(c.path("secret").asText()).isEqualTo("stripe");
    assertThat(c.path("lease_id").asText()).startsWith("bs_");
    assertThat(c.path("expires_in").asLong()).isEqualTo(600);
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.issued");
    assertThat(event.path("id").asText()).isEqualTo(c.path("lease_id").asText());
    assertThat(event.path("workload").asText())
        .isEqualTo("spiffe://acme.test/ns/payments/sa/billing");
    assertThat(event.path("details").path("credentialKind").asText()).isEqualTo("brokered_secret");
    assertThat(event.path("details").path("secret").asText()).isEqualTo("stripe");
    assertThat(event.path("details").path("version").asText()).isEqualTo("1");
    // the value appears nowhere but in the workload's answer
    assertThat(audit()).doesNotContain(VALUE);
    assertThat(warden.admin("GET", "/v1/secrets", null).json().toString())
        .doesNotContain(VALUE)
        .contains("stripe");
    assertThat(
            warden
                .admin(
                    "GET",
                    "/v1/leases?workload="
                        + URLEncoder.encode(
                            "spiffe://acme.test/ns/payments/sa/billing", StandardCharsets.UTF_8),
                    null)
                .json()
                .toString())
        .contains(c.path("lease_id").asText())
        .doesNotContain(VALUE);
  }

  @Test
  void readsAreRecordedAsLastReadAndReadersWithinSeconds() throws Exception {
    secretResource("sendgrid");
    assertThat(put("sendgrid", "{\"value\": \"SG.xyz\", \"owner\": \"mail@acme.test\"}").status())
        .isEqualTo(200);
    assertThat(billingReads("sendgrid").status()).isEqualTo(200);

    JsonNode m = null;
    for (int i = 0; i < 50; i++) {
      m = warden.admin("GET", "/v1/secrets/sendgrid", null).json();
      if (m.has("lastReadAt")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(m.path("lastReadBy").asText())
        .isEqualTo("spiffe://acme.test/ns/payments/sa/billing");
    assertThat(m.path("readers").path(0).path("workload").asText())
        .isEqualTo("spiffe://acme.test/ns/payments/sa/billing");
    assertThat(m.path("versions").path(0).path("fingerprint").asText()).hasSize(64);
    assertThat(m.toString()).doesNotContain("SG.xyz");
  }

  @Test
  void aSecretReadByOneWorkloadIsInTheInventoryWithItsReaderAndAPostureFinding() throws Exception {
    secretResource("mailgun");
    assertThat(put("mailgun", "{\"value\": \"mg-key\", \"owner\": \"mail@acme.test\"}").status())
        .isEqualTo(200);
    assertThat(billingReads("mailgun").status()).isEqualTo(200);

    JsonNode item = null;
    for (int i = 0; i < 50 && item == null; i++) {
      for (JsonNode x :
          warden
              .admin("GET", "/v1/inventory?kind=brokered-secret&recompute=true&limit=1000", null)
              .json()
              .path("items")) {
        if (x.path("name").asText().equals("mailgun") && x.toString().contains("sa/billing")) {
          item = x;
        }
      }
      if (item == null) {
        Thread.sleep(100);
      }
    }
    assertThat(item).as("the secret's inventory item, with its reader").isNotNull();
    assertThat(item.path("owner").asText()).isEqualTo("mail@acme.test");
    assertThat(item.toString()).contains("mailgun-api").doesNotContain("mg-key");
    String findings =
        warden
            .admin(
                "GET",
                "/v1/posture?rule=secret.brokered-single-reader&recompute=true&limit=500",
                null)
            .json()
            .toString();
    assertThat(findings)
        .contains("brokered-secret:mailgun")
        .contains("read only by workload spiffe://acme.test/ns/payments/sa/billing");
  }

  @Test
  void aWorkloadThePolicyDoesNotAllowIsDeniedAndAudited() {
    secretResource("twilio");
    assertThat(
            put("twilio", "{\"value\": \"tw-secret-value\", \"owner\": \"sms@acme.test\"}")
                .status())
        .isEqualTo(200);

    ServerFixture.Response r = read("frontend", "web", "https://twilio.vendor.test");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("access_denied");
    assertThat(r.json().toString()).doesNotContain("tw-secret-value");
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.denied");
    assertThat(event.path("reason").asText()).isEqualTo("no_matching_policy");
    assertThat(event.path("workload").asText()).isEqualTo("spiffe://acme.test/ns/web/sa/frontend");
    assertThat(event.path("resource").asText()).isEqualTo("twilio-api");
  }

  @Test
  void aWriteWithAStaleCasIsRefusedWith409AndChangesNothing() {
    assertThat(
            put("cas-demo", "{\"value\": \"v1\", \"cas\": 0, \"owner\": \"o@acme.test\"}").status())
        .isEqualTo(200);
    assertThat(put("cas-demo", "{\"value\": \"v2\", \"cas\": 1}").status()).isEqualTo(200);

    ServerFixture.Response stale = put("cas-demo", "{\"value\": \"v3\", \"cas\": 1}");
    ServerFixture.Response exists = put("cas-demo", "{\"value\": \"v3\", \"cas\": 0}");

    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().path("error").asText()).isEqualTo("conflict");
    assertThat(stale.json().path("message").asText())
        .contains("version 2, not 1")
        .contains("cas=2")
        .doesNotContain("v3");
    assertThat(exists.status()).isEqualTo(409);
    assertThat(exists.json().path("message").asText()).contains("exists already").contains("cas=2");
    assertThat(
            warden
                .admin("GET", "/v1/secrets/cas-demo", null)
                .json()
                .path("currentVersion")
                .asLong())
        .isEqualTo(2);
    assertThat(
            put("never-written", "{\"value\": \"x\", \"cas\": 3, \"owner\": \"o@acme.test\"}")
                .status())
        .isEqualTo(404);
  }

  @Test
  void softDeleteStopsReadsUndeleteRestoresThemAndDestroyIsForGood() {
    secretResource("datadog");
    assertThat(put("datadog", "{\"value\": \"dd-1\", \"owner\": \"obs@acme.test\"}").status())
        .isEqualTo(200);
    assertThat(billingReads("datadog").json().path("value").asText()).isEqualTo("dd-1");

    assertThat(warden.admin("POST", "/v1/secrets/datadog/versions/1:delete", null).status())
        .isEqualTo(200);
    ServerFixture.Response deleted = billingReads("datadog");
    assertThat(deleted.status()).isEqualTo(400);
    assertThat(deleted.json().path("error").asText()).isEqualTo("invalid_target");
    assertThat(deleted.json().path("error_description").asText()).contains("deleted");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("secret_unavailable");

    assertThat(warden.admin("POST", "/v1/secrets/datadog/versions/1:undelete", null).status())
        .isEqualTo(200);
    assertThat(billingReads("datadog").json().path("value").asText()).isEqualTo("dd-1");

    assertThat(warden.admin("POST", "/v1/secrets/datadog/versions/1:destroy", null).status())
        .isEqualTo(200);
    assertThat(billingReads("datadog").json().path("error_description").asText())
        .contains("destroyed");
    assertThat(warden.admin("POST", "/v1/secrets/datadog/versions/1:undelete", null).status())
        .isEqualTo(409);
    JsonNode v = warden.admin("GET", "/v1/secrets/datadog", null).json().path("versions").path(0);
    assertThat(v.path("state").asText()).isEqualTo("destroyed");
    assertThat(v.path("destroyedAt").asText()).isNotEmpty();

    assertThat(put("datadog", "{\"value\": \"dd-2\", \"cas\": 1}").status()).isEqualTo(200);
    assertThat(billingReads("datadog").json().path("value").asText()).isEqualTo("dd-2");
    assertThat(warden.admin("DELETE", "/v1/secrets/datadog", null).status()).isEqualTo(200);
    assertThat(warden.admin("GET", "/v1/secrets/datadog", null).status()).isEqualTo(404);
    assertThat(billingReads("datadog").json().path("error_description").asText())
        .contains("no brokered secret");
  }

  @Test
  void onlyTheNewestMaxVersionsAreKept() {
    assertThat(
            put(
                    "short-history",
                    "{\"value\": \"a1\", \"owner\": \"o@acme.test\", \"maxVersions\": 2}")
                .status())
        .isEqualTo(200);
    for (int i = 2; i <= 4; i++) {
      assertThat(put("short-history", "{\"value\": \"a" + i + "\"}").status()).isEqualTo(200);
    }
    JsonNode versions =
        warden.admin("GET", "/v1/secrets/short-history", null).json().path("versions");
    assertThat(versions).hasSize(2);
    assertThat(versions.path(0).path("version").asLong()).isEqualTo(4);
    assertThat(versions.path(1).path("version").asLong()).isEqualTo(3);
  }

  @Test
  void aSecretResourceMayBeAppliedBeforeItsSecretWithAWarning() {
    JsonNode applied =
        warden.apply(
            """
        kind: Resource
        metadata: {name: later-api}
        spec: {audience: https://later.vendor.test, kind: secret, secret: {name: written-later}}
        """);
    assertThat(applied.toString())
        .contains("no brokered secret named 'written-later' is stored yet");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "value in the document   | {kind: secret, secret: {name: s, value: x}}    | spec.secret.value",
        "secret without its kind | {kind: http, secret: {name: s}}                | spec.secret",
        "secret kind, no secret  | {kind: secret}                                 | spec.secret",
        "secret as text          | {kind: secret, secret: s}                      | spec.secret",
        "bad secret name         | {kind: secret, secret: {name: 'Bad Name'}}     | spec.secret.name",
        "unknown field           | {kind: secret, secret: {name: s, field: x}}    | spec.secret.field",
      })
  void badSecretResourcesAreRefused(String what, String spec, String field) {
    String body =
        "{\"documents\": [{\"kind\": \"Resource\", \"metadata\": {\"name\": \"bad\"}, \"spec\": "
            + yamlToJson("{audience: https://bad.vendor.test, " + spec.substring(1))
            + "}]}";
    ServerFixture.Response r = warden.admin("POST", "/v1/apply", body);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).isEqualTo("documents[0]." + field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no body fields         | {}                                                      | value",
        "value not a string     | {\"value\": 5, \"owner\": \"o@a\"}                    | value",
        "empty value            | {\"value\": \"\", \"owner\": \"o@a\"}                 | value",
        "NUL in value           | {\"value\": \"a\\u0000b\", \"owner\": \"o@a\"}        | value",
        "no owner               | {\"value\": \"x\"}                                    | owner",
        "negative cas           | {\"value\": \"x\", \"owner\": \"o@a\", \"cas\": -1}   | cas",
        "cas as text            | {\"value\": \"x\", \"owner\": \"o@a\", \"cas\": \"1\"} | cas",
        "unknown field          | {\"value\": \"x\", \"owner\": \"o@a\", \"ttl\": 1}     | ttl",
        "maxVersions zero       | {\"value\": \"x\", \"owner\": \"o@a\", \"maxVersions\": 0}     | maxVersions",
        "maxVersions too many   | {\"value\": \"x\", \"owner\": \"o@a\", \"maxVersions\": 101}   | maxVersions",
        "interval too short     | {\"value\": \"x\", \"owner\": \"o@a\", \"rotationInterval\": \"5m\"} | rotationInterval",
        "interval not duration  | {\"value\": \"x\", \"owner\": \"o@a\", \"rotationInterval\": \"soon\"} | rotationInterval",
        "unknown connector      | {\"value\": \"x\", \"owner\": \"o@a\", \"rotation\": {\"connector\": \"ldap\", \"resource\": \"orders-db\", \"account\": \"a\"}} | rotation.connector",
        "connector, no resource | {\"value\": \"x\", \"owner\": \"o@a\", \"rotation\": {\"connector\": \"postgres\", \"resource\": \"nope\", \"account\": \"a\"}} | rotation.resource",
        "rotation unknown field | {\"value\": \"x\", \"owner\": \"o@a\", \"rotation\": {\"kind\": \"x\"}} | rotation.kind",
        "rotating the admin     | {\"value\": \"x\", \"owner\": \"o@a\", \"rotation\": {\"connector\": \"postgres\", \"resource\": \"orders-db\", \"account\": \"ADMIN\"}} | rotation.account",
      })
  void badWritesAreRefusedWithTheFieldAndStoreNothing(String what, String body, String field) {
    ServerFixture.Response r = put("refused", body.replace("ADMIN", pg.admin));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).isEqualTo(field);
    assertThat(r.json().toString()).doesNotContain("\"x\"");
    assertThat(warden.admin("GET", "/v1/secrets/refused", null).status()).isEqualTo(404);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "GET    | /v1/secrets/Bad%20Name                    | 400",
        "POST   | /v1/secrets/nope/versions/1:delete        | 404",
        "POST   | /v1/secrets/nope/versions/x:delete        | 400",
        "POST   | /v1/secrets/nope/versions/0:delete        | 400",
        "POST   | /v1/secrets/nope/versions/1:explode       | 404",
        "POST   | /v1/secrets/nope:rotate                   | 404",
        "POST   | /v1/secrets/nope/versions/2:discard       | 404",
        "DELETE | /v1/secrets/nope                          | 404",
        "POST   | /v1/secrets                               | 405",
        "PUT    | /v1/secrets/not-json                      | 400",
      })
  void badRoutesAndUnknownSecretsAnswerClearly(String method, String path, int status) {
    ServerFixture.Response r =
        method.equals("PUT")
            ? warden.admin(method, path, "{not json")
            : warden.admin(method, path, null);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(status);
  }

  @Test
  void withoutAnAdminTokenNothingIsAnswered() {
    assertThat(warden.admin("GET", "/v1/secrets", null, null).status()).isEqualTo(401);
    assertThat(
            warden
                .admin("PUT", "/v1/secrets/x", "{\"value\": \"v\", \"owner\": \"o@a\"}", null)
                .status())
        .isEqualTo(401);
  }

  @Test
  void rotatingAPostgresStaticAccountChangesItsPasswordAtTheDatabase() throws Exception {
    String account = "wt_legacy_" + pg.suffix;
    pg.ownRole(account);
    pg.sql(
        "CREATE ROLE " + account + " LOGIN PASSWORD 'legacy-initial-password'",
        // PostgreSQL 16 and later: a CREATEROLE admin alters only roles it holds with ADMIN OPTION
        "GRANT " + account + " TO " + pg.admin + " WITH ADMIN OPTION");
    secretResource("legacy-db");
    assertThat(
            put(
                    "legacy-db",
                    ("{\"value\": \"legacy-initial-password\", \"owner\": \"dba@acme.test\","
                            + " \"rotation\": {\"connector\": \"postgres\", \"resource\": \"orders-db\", \"account\": \"%s\"}}")
                        .formatted(account))
                .status())
        .isEqualTo(200);
    assertThat(scramMatches(account, "legacy-initial-password")).isTrue();

    ServerFixture.Response rotated = warden.admin("POST", "/v1/secrets/legacy-db:rotate", null);

    assertThat(rotated.status()).as(rotated.json().toString()).isEqualTo(200);
    assertThat(rotated.json().path("version").asLong()).isEqualTo(2);
    String next = billingReads("legacy-db").json().path("value").asText();
    assertThat(next).hasSize(32).isNotEqualTo("legacy-initial-password");
    // the server trusts 127.0.0.1, so a login proves nothing here: check what PostgreSQL would
    // check, the stored SCRAM verifier, against the old and the new password
    assertThat(scramMatches(account, "legacy-initial-password")).isFalse();
    assertThat(scramMatches(account, next)).isTrue();
    assertThat(audit())
        .contains("brokered_secret.written")
        .contains("\"action\":\"rotated\"")
        .doesNotContain(next);
  }

  @Test
  void rotatingASecretWithoutAConnectorSaysHowItsOwnerRotatesIt() {
    assertThat(put("manual", "{\"value\": \"m1\", \"owner\": \"o@acme.test\"}").status())
        .isEqualTo(200);
    ServerFixture.Response r = warden.admin("POST", "/v1/secrets/manual:rotate", null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText())
        .contains("no rotation connector")
        .contains("--cas 1");
  }

  @Test
  void rotationAgainstAnAccountThatDoesNotExistFailsAndKeepsTheValue() {
    assertThat(
            put(
                    "ghost",
                    ("{\"value\": \"g1\", \"owner\": \"o@acme.test\", \"rotation\": {\"connector\":"
                            + " \"postgres\", \"resource\": \"orders-db\", \"account\": \"wt_ghost_%s\"}}")
                        .formatted(pg.suffix))
                .status())
        .isEqualTo(200);
    ServerFixture.Response r = warden.admin("POST", "/v1/secrets/ghost:rotate", null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).isEqualTo("rotation.account");
    assertThat(
            warden.admin("GET", "/v1/secrets/ghost", null).json().path("currentVersion").asLong())
        .isEqualTo(1);
    assertThat(warden.lastAuditEvent().path("type").asText())
        .isEqualTo("brokered_secret.rotation_failed");
  }

  /**
   * Regression: a refusal by the database answered 500 "internal error" (TargetException had no
   * mapping at the admin API), hiding what to fix. It answers 502 with the target's reason now, and
   * with two-step rotation a refusal the database answered (nothing changed) leaves no pending
   * value.
   */
  @Test
  void aRotationTheDatabaseRefusesAnswers502AndKeepsTheValueWithNothingPending() throws Exception {
    String account = "wt_super_" + pg.suffix;
    pg.ownRole(account);
    // a CREATEROLE admin may not alter a superuser: PostgreSQL answers 42501 and changes nothing
    pg.sql("CREATE ROLE " + account + " SUPERUSER LOGIN PASSWORD 'super-initial-password'");
    secretResource("refused-db");
    assertThat(
            put(
                    "refused-db",
                    ("{\"value\": \"super-initial-password\", \"owner\": \"dba@acme.test\","
                            + " \"rotation\": {\"connector\": \"postgres\", \"resource\": \"orders-db\", \"account\": \"%s\"}}")
                        .formatted(account))
                .status())
        .isEqualTo(200);

    ServerFixture.Response r = warden.admin("POST", "/v1/secrets/refused-db:rotate", null);

    assertThat(r.status()).as(r.json().toString()).isEqualTo(502);
    assertThat(r.json().path("error").asText()).isEqualTo("target_unavailable");
    assertThat(r.json().path("message").asText())
        .contains("permission denied")
        .doesNotContain("pending version");
    JsonNode m = warden.admin("GET", "/v1/secrets/refused-db", null).json();
    assertThat(m.has("pendingRotation")).isFalse();
    assertThat(m.path("currentVersion").asLong()).isEqualTo(1);
    assertThat(m.path("versions")).hasSize(1);
    assertThat(scramMatches(account, "super-initial-password")).isTrue();
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("brokered_secret.rotation_failed");
    assertThat(event.path("details").path("pending").asText()).isEqualTo("dropped");
    assertThat(billingReads("refused-db").json().path("value").asText())
        .isEqualTo("super-initial-password");
    ServerFixture.Response discard =
        warden.admin("POST", "/v1/secrets/refused-db/versions/2:discard", null);
    assertThat(discard.status()).isEqualTo(409);
    assertThat(discard.json().path("message").asText()).contains("no rotation is pending");
  }

  static boolean scramMatches(String role, String password) {
    return PgTarget.scramMatches(role, password);
  }

  private static String yamlToJson(String yaml) {
    try {
      return ServerFixture.JSON.writeValueAsString(ServerFixture.YAML.readTree(yaml));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
