package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.PgTarget;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dry runs of retire, owner departure and lease revocation over real HTTP, with real tokens and
 * real PostgreSQL users: each names exactly the workloads that obtained credentials, changes
 * nothing (store, database users and audit log compared before and after), and the real operation
 * then does what the dry run predicted.
 */
class RevocationImpactTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String ORDERS = "https://orders.acme.test";
  static final String REPORTS = "https://reports.acme.test";

  /** The audit types the operations write: a dry run must write none of them. */
  static final List<String> ACTION_TYPES =
      List.of(
          "workload.retired",
          "owner.departed",
          "lease.revoked",
          "config.deleted",
          "config.updated");

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
        spec: {audience: %s}
        ---
        kind: Resource
        metadata: {name: reports-api}
        spec: {audience: %s}
        """
                .formatted(gh.issuer(), ORDERS, REPORTS)
            + "---\n"
            + pg.resourceYaml("ledger-db", "ledger-admin", 5));
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

  static String id(String name) {
    return "spiffe://acme.test/gh/" + name;
  }

  static void workload(String name, String owner) {
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/%s"], owner: %s}
        """
            .formatted(id(name), name, owner));
  }

  static void policy(String name, String workload, String resource, String extra) {
    warden.apply(
        """
        kind: AccessPolicy
        metadata: {name: %s}
        spec: {workloads: {spiffeIds: [%s]}, resources: [%s]%s}
        """
            .formatted(name, id(workload), resource, extra));
  }

  static ServerFixture.Response token(String name, String audience) {
    return warden.token(
        Map.of(
            "grant_type",
            "client_credentials",
            "client_assertion_type",
            JWT_BEARER,
            "client_assertion",
            gh.githubActionsToken("acme/" + name, "refs/heads/main"),
            "resource",
            audience));
  }

  static void obtain(String name, String audience) {
    ServerFixture.Response r = token(name, audience);
    assertThat(r.status()).as("token for %s: %s", name, r.json()).isEqualTo(200);
  }

  static String databaseUser(String name) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_assertion_type", JWT_BEARER);
    form.put("client_assertion", gh.githubActionsToken("acme/" + name, "refs/heads/main"));
    form.put("resource", "ledger-db");
    StringJoiner j = new StringJoiner("&");
    form.forEach((k, v) -> j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    ServerFixture.Response r = warden.send("/v1/credentials", j.toString(), null);
    assertThat(r.status()).as("database user for %s: %s", name, r.json()).isEqualTo(200);
    return r.json().path("username").asText();
  }

  static List<String> liveLeases(String name) {
    JsonNode r =
        warden
            .admin(
                "GET",
                "/v1/leases?workload=" + URLEncoder.encode(id(name), StandardCharsets.UTF_8),
                null)
            .json();
    List<String> out = new ArrayList<>();
    r.path("items").forEach(l -> out.add(l.path("id").asText()));
    return out;
  }

  /**
   * Everything a dry run could change: configuration, leases, database users, the operations' audit
   * events.
   */
  static String state(String... workloads) {
    StringBuilder sb = new StringBuilder();
    sb.append(warden.admin("GET", "/v1/workloads", null).json()).append('\n');
    sb.append(warden.admin("GET", "/v1/policies", null).json()).append('\n');
    for (String w : workloads) {
      sb.append(liveLeases(w)).append('\n');
      // only this test's users: the reaper drops those other tests revoked whenever it runs
      String prefix = "w_gh_" + w.replace('-', '_') + "_";
      sb.append(pg.tagged().stream().filter(u -> u.startsWith(prefix)).toList()).append('\n');
    }
    for (String t : ACTION_TYPES) {
      sb.append(t)
          .append(' ')
          .append(
              warden
                  .admin("GET", "/v1/audit?limit=5&type=" + t, null)
                  .json()
                  .findValuesAsText("id"))
          .append('\n');
    }
    return sb.toString();
  }

  static JsonNode ok(ServerFixture.Response r) {
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    return r.json();
  }

  /** consumer rows as "workload resource access count kinds". */
  static List<String> consumers(JsonNode report, String field, String... workloads) {
    List<String> out = new ArrayList<>();
    List<String> only = java.util.Arrays.stream(workloads).map(RevocationImpactTest::id).toList();
    for (JsonNode c : report.path(field)) {
      if (!only.contains(c.path("workload").asText())) {
        continue;
      }
      List<String> kinds = new ArrayList<>();
      c.path("credentialKinds").forEach(k -> kinds.add(k.asText()));
      out.add(
          c.path("workload").asText().replace("spiffe://acme.test/gh/", "")
              + " "
              + c.path("resource").asText()
              + " "
              + c.path("access").asText()
              + " "
              + c.path("count").asLong()
              + " "
              + kinds);
    }
    return out;
  }

  static JsonNode row(JsonNode report, String workload, String resource) {
    for (JsonNode c : report.path("consumers")) {
      if (c.path("workload").asText().equals(id(workload))
          && c.path("resource").asText().equals(resource)) {
        return c;
      }
    }
    throw new AssertionError("no consumer " + workload + " -> " + resource + " in " + report);
  }

  static List<String> texts(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }

  @Test
  void retireDryRunNamesItsConsumersChangesNothingAndTheRetireDoesWhatItPredicted() {
    workload("batch", "ops@acme.test");
    workload("web", "ops@acme.test");
    policy("batch-orders", "batch", "orders-api", "");
    policy("batch-ledger", "batch", "ledger-db", ", credentialKind: database_user, maxTtl: 10m");
    policy("web-orders", "web", "orders-api", "");
    obtain("batch", ORDERS);
    obtain("batch", ORDERS);
    String user = databaseUser("batch");
    obtain("web", ORDERS);
    List<String> live = liveLeases("batch");
    assertThat(live).hasSize(3).contains(user);
    String before = state("batch", "web");

    JsonNode dry =
        ok(
            warden.admin(
                "POST",
                "/v1/workloads:retire",
                "{\"workload\": \"" + id("batch") + "\", \"dryRun\": true}"));

    assertThat(state("batch", "web")).as("a dry run changes nothing").isEqualTo(before);
    assertThat(dry.path("dryRun").asBoolean()).isTrue();
    assertThat(dry.path("window").asText()).isEqualTo("30d");
    assertThat(texts(dry.path("revokedLeases"))).containsExactlyInAnyOrderElementsOf(live);
    assertThat(dry.path("leasesByKind").path("access_token").asInt()).isEqualTo(2);
    assertThat(dry.path("leasesByKind").path("database_user").asInt()).isEqualTo(1);
    JsonNode dbLease = null;
    for (JsonNode l : dry.path("leases")) {
      if (l.path("id").asText().equals(user)) {
        dbLease = l;
      }
    }
    assertThat(dbLease).isNotNull();
    assertThat(dbLease.path("kind").asText()).isEqualTo("database_user");
    assertThat(dbLease.path("target").asText()).endsWith("/" + pg.database);
    assertThat(texts(dry.path("disabledPolicies")))
        .containsExactlyInAnyOrder("batch-orders", "batch-ledger");
    assertThat(dry.path("workloadChanges").get(0).path("stateAfter").asText()).isEqualTo("retired");
    // batch's own uses, and web, which also uses orders-api and keeps it through its own policy
    assertThat(consumers(dry, "consumers", "batch", "web"))
        .containsExactly(
            "batch ledger-db loses 1 [database_user]",
            "batch orders-api loses 2 [access_token]",
            "web orders-api keeps 1 [access_token]");
    assertThat(consumers(dry, "loseAccess", "batch", "web"))
        .containsExactly(
            "batch ledger-db loses 1 [database_user]", "batch orders-api loses 2 [access_token]");
    assertThat(dry.path("loseAccess").get(0).path("reason").asText())
        .startsWith("workload_retired");
    assertThat(row(dry, "web", "orders-api").path("policy").asText()).isEqualTo("web-orders");

    JsonNode done =
        ok(warden.admin("POST", "/v1/workloads:retire", "{\"workload\": \"" + id("batch") + "\"}"));

    assertThat(texts(done.path("revokedLeases")))
        .containsExactlyInAnyOrderElementsOf(texts(dry.path("revokedLeases")));
    assertThat(texts(done.path("disabledPolicies")))
        .containsExactlyInAnyOrderElementsOf(texts(dry.path("disabledPolicies")));
    assertThat(texts(done.path("keptPolicies"))).isEqualTo(texts(dry.path("keptPolicies")));
    assertThat(token("batch", ORDERS).status())
        .as("batch lost access, as predicted")
        .isEqualTo(400);
    assertThat(token("web", ORDERS).status()).as("web kept access, as predicted").isEqualTo(200);
  }

  @Test
  void departDryRunWithSuspendNamesEveryHeldWorkloadsUsesAndWhatTheyLose() {
    workload("ledger-sync", "leaver@acme.test");
    workload("nightly", "leaver@acme.test");
    policy("sync-orders", "ledger-sync", "orders-api", "");
    policy("nightly-reports", "nightly", "reports-api", "");
    obtain("ledger-sync", ORDERS);
    obtain("nightly", REPORTS);
    obtain("nightly", REPORTS);
    String before = state("ledger-sync", "nightly");

    JsonNode dry =
        ok(
            warden.admin(
                "POST",
                "/v1/owners:depart",
                "{\"owner\": \"leaver@acme.test\", \"suspend\": true, \"dryRun\": true, \"window\": \"7d\"}"));

    assertThat(state("ledger-sync", "nightly")).as("a dry run changes nothing").isEqualTo(before);
    assertThat(dry.path("applied").asBoolean()).isFalse();
    assertThat(dry.path("window").asText()).isEqualTo("7d");
    assertThat(texts(dry.path("workloads")))
        .containsExactlyInAnyOrder(id("ledger-sync"), id("nightly"));
    assertThat(dry.path("workloadChanges").findValuesAsText("stateAfter"))
        .containsOnly("suspended")
        .hasSize(2);
    assertThat(dry.path("leasesByKind").path("access_token").asInt()).isEqualTo(3);
    assertThat(consumers(dry, "loseAccess", "ledger-sync", "nightly"))
        .containsExactly(
            "ledger-sync orders-api loses 1 [access_token]",
            "nightly reports-api loses 2 [access_token]");
    assertThat(dry.path("loseAccess").get(0).path("reason").asText())
        .startsWith("workload_suspended");

    List<String> live = new ArrayList<>(liveLeases("ledger-sync"));
    live.addAll(liveLeases("nightly"));
    JsonNode done =
        ok(
            warden.admin(
                "POST",
                "/v1/owners:depart",
                "{\"owner\": \"leaver@acme.test\", \"suspend\": true}"));
    assertThat(texts(done.path("revokedLeases")))
        .containsExactlyInAnyOrderElementsOf(texts(dry.path("revokedLeases")))
        .containsExactlyInAnyOrderElementsOf(live);
    assertThat(token("nightly", REPORTS).status()).isEqualTo(400);
  }

  @Test
  void departDryRunWithReassignJudgesConditionsOnTheNewOwnerWithThePolicyEngine() {
    workload("payroll", "alice@acme.test");
    policy(
        "payroll-reports",
        "payroll",
        "reports-api",
        ", condition: 'workload.owner == \"alice@acme.test\"'");
    policy("payroll-orders", "payroll", "orders-api", "");
    obtain("payroll", REPORTS);
    obtain("payroll", ORDERS);
    String before = state("payroll");

    JsonNode dry =
        ok(
            warden.admin(
                "POST",
                "/v1/owners:depart",
                "{\"owner\": \"alice@acme.test\", \"reassignTo\": \"bob@acme.test\", \"dryRun\": true}"));

    assertThat(state("payroll")).isEqualTo(before);
    assertThat(dry.path("revokedLeases")).isEmpty();
    assertThat(dry.path("workloadChanges").get(0).path("ownerAfter").asText())
        .isEqualTo("bob@acme.test");
    assertThat(consumers(dry, "consumers", "payroll"))
        .containsExactly(
            "payroll orders-api keeps 1 [access_token]",
            "payroll reports-api loses 1 [access_token]");
    assertThat(dry.path("loseAccess").get(0).path("reason").asText()).startsWith("condition_false");

    ok(
        warden.admin(
            "POST",
            "/v1/owners:depart",
            "{\"owner\": \"alice@acme.test\", \"reassignTo\": \"bob@acme.test\"}"));
    assertThat(token("payroll", REPORTS).status()).as("lost, as predicted").isEqualTo(400);
    assertThat(token("payroll", ORDERS).status()).as("kept, as predicted").isEqualTo(200);
  }

  @Test
  void revokeDryRunOfADatabaseUserShowsItsHolderTargetAndUseAndChangesNothing() throws Exception {
    workload("etl", "ops@acme.test");
    policy("etl-ledger", "etl", "ledger-db", ", credentialKind: database_user, maxTtl: 10m");
    String first = databaseUser("etl");
    databaseUser("etl");
    String before = state("etl");

    JsonNode dry =
        ok(warden.admin("POST", "/v1/leases/" + first + ":revoke", "{\"dryRun\": true}"));

    assertThat(state("etl")).isEqualTo(before);
    assertThat(pg.tagged()).contains(first);
    assertThat(dry.path("operation").asText()).isEqualTo("revoke");
    assertThat(dry.path("revoked").asBoolean()).isFalse();
    assertThat(texts(dry.path("revokedLeases"))).containsExactly(first);
    assertThat(dry.path("leases").get(0).path("workload").asText()).isEqualTo(id("etl"));
    assertThat(dry.path("leases").get(0).path("state").asText()).isEqualTo("active");
    assertThat(dry.path("leases").get(0).path("target").asText()).endsWith("/" + pg.database);
    // the holder used ledger-db twice and can obtain a new user: the policy stays
    assertThat(consumers(dry, "consumers", "etl"))
        .containsExactly("etl ledger-db keeps 2 [database_user]");
    assertThat(dry.path("consumers").get(0).path("policy").asText()).isEqualTo("etl-ledger");
    assertThat(dry.path("loseAccess")).isEmpty();

    JsonNode done = ok(warden.admin("POST", "/v1/leases/" + first + ":revoke", null));
    assertThat(done.path("revoked").asBoolean()).isTrue();
    assertThat(liveLeases("etl")).doesNotContain(first).hasSize(1);
  }

  @Test
  void aDryRunNeedsOnlyTheReadScopeAndRefusesABadWindow() {
    workload("reader-check", "ops@acme.test");
    ServerFixture.Response t =
        warden.admin("POST", "/v1/admin-tokens", "{\"name\": \"viewer\", \"scopes\": [\"read\"]}");
    assertThat(t.status()).as("%s", t.json()).isEqualTo(201);
    String readOnly = t.json().path("token").asText();
    String body = "{\"workload\": \"" + id("reader-check") + "\"";

    assertThat(
            warden
                .admin("POST", "/v1/workloads:retire", body + ", \"dryRun\": true}", readOnly)
                .status())
        .isEqualTo(200);
    assertThat(warden.admin("POST", "/v1/workloads:retire", body + "}", readOnly).status())
        .isEqualTo(403);
    ServerFixture.Response bad =
        warden.admin(
            "POST", "/v1/workloads:retire", body + ", \"dryRun\": true, \"window\": \"400d\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().toString()).contains("window");
    assertThat(
            warden.admin("POST", "/v1/leases/no-such-lease:revoke", "{\"dryRun\": true}").status())
        .isEqualTo(404);
  }
}
