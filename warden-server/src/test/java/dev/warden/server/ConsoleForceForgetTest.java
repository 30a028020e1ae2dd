package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.PgTarget;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Force-forget of an irrevocable database user from the console, against a real PostgreSQL: the
 * admin role loses CREATEROLE after issuing, so dropping the revoked user keeps failing and the
 * lease becomes irrevocable (after one attempt here); then the console's credentials page offers
 * Force-forget, which needs policy:write, the CSRF token and a reason, and is audited with the
 * admin's identity and reason.
 */
class ConsoleForceForgetTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer gh;
  static PgTarget pg;
  static String stuck;

  @BeforeAll
  static void start() throws Exception {
    pg = PgTarget.create();
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden =
        ServerFixture.start(
            dir, Map.of("databases.irrevocableAfter", "1", "databases.reapInterval", "1h"));
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
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/app, selectors: ["github:repository=acme/app"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: app-db}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/app]}, resources: [ledger-db],
               credentialKind: database_user, maxTtl: 10m}
        """
                .formatted(gh.issuer())
            + "---\n"
            + pg.resourceYaml("ledger-db", "ledger-admin", 3));
    ServerFixture.Response c =
        warden.send(
            "/v1/credentials",
            "client_assertion_type="
                + enc(JWT_BEARER)
                + "&client_assertion="
                + enc(gh.githubActionsToken("acme/app", "refs/heads/main"))
                + "&resource=ledger-db",
            null);
    assertThat(c.status()).as("%s", c.json()).isEqualTo(200);
    stuck = c.json().path("username").asText();
    // from now on the admin may not drop roles: every removal fails
    pg.sql("ALTER ROLE " + pg.admin + " NOCREATEROLE");
    assertThat(warden.admin("POST", "/v1/leases/" + stuck + ":revoke", null).status())
        .isEqualTo(200);
    for (int i = 0; i < 50 && !state(stuck).equals("irrevocable"); i++) {
      warden.admin("POST", "/v1/database-leases:reap", "{}");
      Thread.sleep(100);
    }
    assertThat(state(stuck)).isEqualTo("irrevocable");
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
      pg.sql("ALTER ROLE " + pg.admin + " CREATEROLE");
      pg.close();
    }
  }

  static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  static String state(String id) {
    for (JsonNode l :
        warden.admin("GET", "/v1/database-leases?limit=1000", null).json().path("items")) {
      if (l.path("id").asText().equals(id)) {
        return l.path("state").asText();
      }
    }
    return "absent";
  }

  static ConsoleBrowser signedIn(String token) {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    assertThat(b.signIn(token).statusCode()).isEqualTo(303);
    return b;
  }

  @Test
  void anIrrevocableUserIsForceForgottenOnlyWithPolicyWriteCsrfAndAReasonAndAuditedWithTheAdmin() {
    ConsoleBrowser viewer =
        signedIn(
            warden
                .admin("POST", "/v1/admin-tokens", "{\"name\": \"viewer\", \"scopes\": \"read\"}")
                .json()
                .path("token")
                .asText());
    String listed = viewer.get("/console/credentials?state=irrevocable").body();
    assertThat(listed).contains(stuck).doesNotContain("/console/credentials/forget");
    assertThat(
            viewer
                .post(
                    "/console/credentials/forget",
                    Map.of("id", stuck, "reason", "x", "_csrf", viewer.csrf()))
                .statusCode())
        .isEqualTo(403);

    ConsoleBrowser admin = signedIn(warden.adminToken);
    assertThat(admin.get("/console/credentials?state=irrevocable").body())
        .contains("/console/credentials/forget")
        .contains("Force-forget");
    assertThat(
            admin
                .post(
                    "/console/credentials/forget", Map.of("id", stuck, "reason", "dropped by hand"))
                .statusCode())
        .as("no CSRF token")
        .isEqualTo(403);
    HttpResponse<String> noReason =
        admin.post(
            "/console/credentials/forget",
            Map.of("id", stuck, "reason", "  ", "_csrf", admin.csrf()));
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("reason").contains("is required");
    assertThat(state(stuck)).as("refusals change nothing").isEqualTo("irrevocable");

    HttpResponse<String> ok =
        admin.post(
            "/console/credentials/forget",
            Map.of(
                "id",
                stuck,
                "reason",
                "role dropped by hand by the DBA, ticket OPS-42",
                "_csrf",
                admin.csrf(),
                "back",
                "/console/credentials?state=irrevocable"));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("location"))
        .hasValue("/console/credentials?state=irrevocable");
    assertThat(state(stuck)).isEqualTo("revoked");
    assertThat(admin.get("/console/credentials?state=irrevocable").body())
        .contains("forgotten")
        .doesNotContain("data-lease=\"" + stuck + "\"");
    JsonNode e =
        warden
            .admin("GET", "/v1/audit?type=credential.forgotten&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(e.path("actor").asText()).isEqualTo("admin:" + warden.adminToken.split("_")[1]);
    assertThat(e.path("details").path("leaseId").asText()).isEqualTo(stuck);
    assertThat(e.path("details").path("reason").asText())
        .isEqualTo("role dropped by hand by the DBA, ticket OPS-42");

    ServerFixture.Response again =
        warden.admin("POST", "/v1/database-leases/" + stuck + ":forget", "{\"reason\": \"again\"}");
    assertThat(again.status()).as("only an irrevocable lease can be forgotten").isEqualTo(409);
    assertThat(
            warden
                .admin("POST", "/v1/database-leases/nobody:forget", "{\"reason\": \"x\"}")
                .status())
        .isEqualTo(404);
    assertThat(warden.admin("POST", "/v1/database-leases/" + stuck + ":forget", "{}").status())
        .isEqualTo(400);
  }
}
