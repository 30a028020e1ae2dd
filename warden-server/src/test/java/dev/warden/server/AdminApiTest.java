package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTP: never open, scoped, idempotent, versioned, audited. */
class AdminApiTest {
  @TempDir static Path dir;

  static ServerFixture warden;

  static final String POLICY =
      """
      {"documents": [
        {"kind": "Resource", "metadata": {"name": "db"}, "spec": {"audience": "postgres://db.acme.test:5432/app", "kind": "postgres", "sensitivity": "critical"}},
        {"kind": "Workload", "spec": {"spiffeId": "spiffe://acme.test/app", "selectors": ["k8s:ns=app"], "owner": "team-app@acme.test"}},
        {"kind": "AccessPolicy", "metadata": {"name": "app-db"}, "spec": {"workloads": {"selectors": ["k8s:ns=app"]}, "resources": ["db"], "maxTtl": "%s"}}
      ]}""";

  @BeforeAll
  static void start() {
    warden = ServerFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    warden.close();
  }

  @Test
  void firstStartPrintsABootstrapTokenWithAdminScope() {
    assertThat(warden.adminToken).startsWith("wdn_");
    JsonNode who = warden.admin("GET", "/v1/whoami", null).json();
    assertThat(who.path("scopes").toString()).contains("admin");
  }

  @Test
  void adminApiWithoutTokenIsRefusedWith401() {
    ServerFixture.Response r = warden.admin("GET", "/v1/policies", null, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("www-authenticate")).startsWith("Bearer");
    assertThat(warden.admin("GET", "/v1/policies", null, "wdn_0000_bogus").status()).isEqualTo(401);
  }

  @Test
  void applyIsIdempotentAndVersionsEveryChange() {
    JsonNode first = warden.admin("POST", "/v1/apply", POLICY.formatted("5m")).json();
    JsonNode again = warden.admin("POST", "/v1/apply", POLICY.formatted("5m")).json();
    assertThat(again.path("changes").findValuesAsText("action")).containsOnly("unchanged");

    JsonNode dry = warden.admin("POST", "/v1/apply?dryRun=true", POLICY.formatted("10m")).json();
    JsonNode dryPolicy = dry.path("changes").get(2);
    assertThat(dryPolicy.path("action").asText()).isEqualTo("updated");
    assertThat(dryPolicy.path("diff").toString()).contains("maxTtl: \\\"5m\\\" -> \\\"10m\\\"");
    assertThat(
            warden
                .admin("GET", "/v1/policies/app-db", null)
                .json()
                .path("spec")
                .path("maxTtl")
                .asText())
        .isEqualTo("5m");

    warden.admin("POST", "/v1/apply", POLICY.formatted("10m"));
    JsonNode history =
        warden.admin("GET", "/v1/policies/app-db?history=true", null).json().path("history");
    assertThat(history.size()).isGreaterThanOrEqualTo(2);
    assertThat(first.path("changes").size()).isEqualTo(3);
    JsonNode update =
        warden
            .admin("GET", "/v1/audit?type=config.updated&limit=1", null)
            .json()
            .path("events")
            .get(0);
    assertThat(update.path("details").path("name").asText()).isEqualTo("app-db");
    assertThat(update.path("details").path("kind").asText()).isEqualTo("AccessPolicy");
    assertThat(update.path("details").path("specSha256").asText()).matches("[0-9a-f]{64}");
    assertThat(update.path("actor").asText()).startsWith("admin:");
  }

  @Test
  void invalidCelIsRefusedAtApplyWithTheFieldNamed() {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "AccessPolicy", "metadata": {"name": "bad"}, "spec": {
          "workloads": {"selectors": ["k8s:ns=x"]}, "resources": ["db"], "condition": "request.time >"}}]}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).contains("condition");
  }

  @Test
  void unknownFieldInADocumentIsRefusedRatherThanIgnored() {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "Workload", "spec": {"spiffeId": "spiffe://acme.test/x", "selectors": ["a:b=c"],
          "owner": "o", "ownr": "typo"}}]}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText()).contains("ownr");
  }

  @Test
  void workloadWithoutOwnerIsRefused() {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "Workload", "spec": {"spiffeId": "spiffe://acme.test/x", "selectors": ["a:b=c"]}}]}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText()).contains("owner");
  }

  @Test
  void explainNamesTheDecidingPolicy() {
    warden.admin("POST", "/v1/apply", POLICY.formatted("5m"));
    JsonNode x =
        warden
            .admin(
                "POST",
                "/v1/decisions:explain",
                "{\"workload\": \"spiffe://acme.test/app\", \"resource\": \"db\"}")
            .json();
    assertThat(x.path("decision").path("allowed").asBoolean()).isTrue();
    assertThat(x.path("decision").path("policy").asText()).isEqualTo("app-db");
  }

  @Test
  void explainAssumesWhatARealRequestWouldCarryAndNamesEachAssumption() {
    warden.admin("POST", "/v1/apply", POLICY.formatted("5m"));
    JsonNode x =
        warden
            .admin(
                "POST",
                "/v1/decisions:explain",
                "{\"workload\": \"spiffe://acme.test/app\", \"resource\": \"db\", \"scope\": \"read\"}")
            .json();
    JsonNode request = x.path("request");
    assertThat(request.path("sourceAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(request.path("assumed").has("sourceAddress")).isTrue();
    assertThat(request.path("assumed").has("time")).isTrue();
    assertThat(request.path("assumed").has("claims")).isTrue();
    assertThat(request.path("assumed").has("scopes")).isFalse();
    assertThat(request.path("scopes").get(0).asText()).isEqualTo("read");
    assertThat(x.path("decision").path("reason").asText())
        .isEqualTo("invalid_scope"); // as the token endpoint says
  }

  @Test
  void scopedTokenCannotWritePoliciesAndRevokedTokenStopsWorking() {
    JsonNode created =
        warden
            .admin(
                "POST", "/v1/admin-tokens", "{\"name\": \"auditor\", \"scopes\": [\"audit:read\"]}")
            .json();
    String token = created.path("token").asText();
    assertThat(warden.admin("GET", "/v1/audit?limit=1", null, token).status()).isEqualTo(200);
    ServerFixture.Response denied =
        warden.admin("POST", "/v1/apply", POLICY.formatted("5m"), token);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.json().path("message").asText()).contains("policy:write");
    JsonNode list = warden.admin("GET", "/v1/admin-tokens", null).json();
    assertThat(list.toString()).doesNotContain(token.substring(token.indexOf('_', 4) + 1));
    assertThat(
            warden
                .admin("DELETE", "/v1/admin-tokens/" + created.path("id").asText(), null)
                .status())
        .isEqualTo(200);
    assertThat(warden.admin("GET", "/v1/audit?limit=1", null, token).status()).isEqualTo(401);
  }

  @Test
  void immediateKeyRotationPublishesTheNewKeyAndKeepsTheOldOne() {
    JsonNode before = warden.get("/oauth2/jwks").json().path("keys");
    JsonNode rotated = warden.admin("POST", "/v1/keys:rotate?immediate=true", "{}").json();
    JsonNode after = warden.get("/oauth2/jwks").json().path("keys");
    assertThat(after.findValuesAsText("kid"))
        .contains(rotated.path("kid").asText())
        .containsAll(before.findValuesAsText("kid"));
    JsonNode keys = warden.admin("GET", "/v1/keys", null).json().path("keys");
    assertThat(keys.findValuesAsText("state")).contains("active", "retired");
  }
}
