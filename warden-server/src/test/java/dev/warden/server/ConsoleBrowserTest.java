package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.TestOidcIssuer;
import dev.warden.testkit.TestOidcProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run)
 * driven by playwright-core from npm, against a real server with a workload that holds a live
 * credential. It signs in, walks every page (no console errors, a strict CSP on each), runs the
 * policy simulator, revokes a lease and sees it gone, and checks that a page without a session goes
 * to sign-in and that a POST without the CSRF token is refused; searches workloads, tests a
 * platform token in Settings, rotates the signing keys there, simulates with a pasted token, opens
 * an address with an unencoded SPIFFE ID (the page retries it encoded), and signs in again through
 * the test identity provider (single sign-on lands on the page asked for). With
 * WARDEN_UPDATE_DOCS=1 it also writes each page's screenshot to docs/console/.
 */
class ConsoleBrowserTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String ORDERS = "https://orders.acme.test";
  static final String API = "spiffe://acme.test/gh/api";
  static final NodeProject E2E = new NodeProject("console-e2e", "playwright-core");

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer gh;
  static TestOidcProvider idp;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            "warden-console",
            "console-s3cret",
            "http://127.0.0.1:" + port + "/console/oidc/callback");
    idp.signIn(new TestOidcProvider.User("alice", "alice@acme.test", List.of("warden-admins")));
    warden =
        ServerFixture.start(
            dir,
            Map.of(
                "server.port",
                Integer.toString(port),
                "console.oidc.issuer",
                idp.issuer(),
                "console.oidc.clientId",
                "warden-console",
                "console.oidc.clientSecret",
                "console-s3cret",
                "console.oidc.scopeMap",
                "warden-admins=admin"));
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: orders-api}
        spec: {audience: %s, sensitivity: high}
        ---
        kind: Resource
        metadata: {name: reports-api}
        spec: {audience: https://reports.acme.test}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/api"], owner: alice, team: payments, environment: prod}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/batch, selectors: ["github:repository=acme/batch"], owner: bob, team: payments}
        ---
        kind: AccessPolicy
        metadata: {name: api-orders}
        spec: {workloads: {spiffeIds: [%s]}, resources: [orders-api], maxTtl: 10m}
        ---
        kind: AccessPolicy
        metadata: {name: payments-reports}
        spec: {workloads: {selectors: ["github:repository=acme/batch"]}, resources: [reports-api],
               condition: "request.time.getHours() < 6"}
        """
            .formatted(gh.issuer(), ORDERS, API, API));
    for (int i = 0; i < 3; i++) {
      ServerFixture.Response r =
          warden.token(
              Map.of(
                  "grant_type",
                  "client_credentials",
                  "client_assertion_type",
                  JWT_BEARER,
                  "client_assertion",
                  gh.githubActionsToken("acme/api", "refs/heads/main"),
                  "resource",
                  ORDERS));
      assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    }
    // a denial, so the audit log and the overview show both outcomes
    assertThat(
            warden
                .token(
                    Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_assertion_type",
                        JWT_BEARER,
                        "client_assertion",
                        gh.githubActionsToken("acme/batch", "refs/heads/main"),
                        "resource",
                        ORDERS))
                .status())
        .isEqualTo(400);
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (gh != null) {
      gh.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  @Test
  void anAdminSignsInWalksEveryPageSimulatesAndRevokesALeaseInChromium() throws Exception {
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium is needed: apt-get install -y chromium")
        .exists();
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "BASE",
                warden.base,
                "TOKEN",
                warden.adminToken,
                "WORKLOAD",
                API,
                "RESOURCE",
                "orders-api",
                "PLATFORM_TOKEN",
                gh.githubActionsToken("acme/api", "refs/heads/main")));
    if ("1".equals(System.getenv("WARDEN_UPDATE_DOCS"))) {
      Path shots = Path.of("../docs/console").toAbsolutePath().normalize();
      Files.createDirectories(shots);
      env.put("SHOTS", shots.toString());
    }
    List<JsonNode> out = E2E.run("walk.mjs", env);

    assertThat(NodeProject.step(out, "redirected").path("url").asText())
        .contains("/console/login?next=");
    assertThat(NodeProject.step(out, "signedIn").path("url").asText())
        .endsWith("/console/workloads");
    assertThat(
            out.stream()
                .filter(l -> l.path("step").asText().equals("page"))
                .map(l -> l.path("name").asText()))
        .containsExactly(
            "overview",
            "workloads",
            "workload",
            "policies",
            "credentials",
            "audit",
            "inventory",
            "posture",
            "kpi",
            "settings");
    assertThat(NodeProject.step(out, "simulated").path("decision").asText()).isEqualTo("allow");
    JsonNode revoked = NodeProject.step(out, "revoked");
    assertThat(revoked.path("flash").asText()).contains("revoked");
    assertThat(revoked.path("stillListedAsLive").asBoolean()).isFalse();
    String lease = revoked.path("lease").asText();
    JsonNode live =
        warden
            .admin(
                "GET",
                "/v1/leases?workload="
                    + java.net.URLEncoder.encode(API, java.nio.charset.StandardCharsets.UTF_8),
                null)
            .json();
    assertThat(live.path("items").findValuesAsText("id")).doesNotContain(lease).hasSize(2);
    assertThat(NodeProject.step(out, "searched").path("rows").toString())
        .contains("spiffe://acme.test/gh/batch")
        .doesNotContain(API);
    assertThat(NodeProject.step(out, "tokenTested").path("result").asText())
        .contains("Verified by github")
        .contains(API);
    assertThat(NodeProject.step(out, "tokenTested").path("tokenShown").asBoolean()).isFalse();
    JsonNode rotated = NodeProject.step(out, "keysRotated");
    assertThat(rotated.path("flash").asText())
        .contains("New access-token key")
        .contains("prepared");
    assertThat(rotated.path("keysAfter").asInt()).isEqualTo(rotated.path("keysBefore").asInt() + 1);
    assertThat(NodeProject.step(out, "simulatedToken").path("decision").asText())
        .isEqualTo("allow");
    assertThat(NodeProject.step(out, "simulatedToken").path("workload").asText()).isEqualTo(API);
    assertThat(NodeProject.step(out, "reencoded").path("url").asText())
        .endsWith(
            "/console/workload?id="
                + java.net.URLEncoder.encode(API, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(NodeProject.step(out, "reencoded").path("title").asText()).contains(API);
    assertThat(NodeProject.step(out, "sso").path("url").asText()).endsWith("/console/audit");
    assertThat(NodeProject.step(out, "sso").path("who").asText())
        .isEqualTo("alice@acme.test (single sign-on)");
    assertThat(NodeProject.step(out, "csrf").path("status").asInt()).isEqualTo(403);
    assertThat(NodeProject.step(out, "consoleErrors").path("errors")).isEmpty();
  }
}
