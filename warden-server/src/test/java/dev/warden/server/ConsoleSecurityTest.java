package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.TestOidcIssuer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's own security over real HTTP: sign-in and its cookie, sessions, CSRF and origin
 * checks on every POST, the same scopes as the API, strict security headers on every page, and no
 * credential ever rendered.
 */
class ConsoleSecurityTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String ORDERS = "https://orders.acme.test";
  static final String API = "spiffe://acme.test/gh/api";
  static final List<String> PAGES =
      List.of(
          "/console/",
          "/console/workloads",
          "/console/workload?id=" + enc(API),
          "/console/credentials",
          "/console/audit",
          "/console/policies",
          "/console/policy?name=api-orders",
          "/console/simulate",
          "/console/inventory",
          "/console/inventory?tab=posture",
          "/console/inventory?tab=maturity",
          "/console/inventory?tab=kpi",
          "/console/inventory?tab=recert",
          "/console/inventory?tab=leaks",
          "/console/settings",
          "/console/workloads?q=acme",
          "/console/workload/retire?id=" + enc(API));

  @TempDir static Path dir;

  static String enc(String v) {
    return java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
  }

  static ServerFixture warden;
  static TestOidcIssuer gh;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
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
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/api"], owner: alice}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/batch, selectors: ["github:repository=acme/Batch-Jobs"], owner: bob,
               team: payments}
        ---
        kind: AccessPolicy
        metadata: {name: api-orders}
        spec: {workloads: {spiffeIds: [%s]}, resources: [orders-api]}
        """
            .formatted(gh.issuer(), ORDERS, API, API));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (gh != null) {
      gh.close();
    }
  }

  static String accessToken() {
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
    return r.json().path("access_token").asText();
  }

  static String adminToken(String name, String scopes) {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/admin-tokens",
            "{\"name\": \"" + name + "\", \"scopes\": \"" + scopes + "\"}");
    assertThat(r.status()).as("%s", r.json()).isEqualTo(201);
    return r.json().path("token").asText();
  }

  static ConsoleBrowser signedIn(String token) {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    assertThat(b.signIn(token).statusCode()).isEqualTo(303);
    return b;
  }

  @Test
  void pageWithoutSessionRedirectsToSignInAndBack() {
    HttpResponse<String> r =
        new ConsoleBrowser(warden.base).get("/console/credentials?state=active");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location"))
        .hasValue("/console/login?next=%2Fconsole%2Fcredentials%3Fstate%3Dactive");
  }

  @Test
  void signInSetsAnHttpOnlySameSiteStrictSessionCookieThatIsNotTheToken() {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> r = b.signIn(warden.adminToken);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location")).hasValue("/console/");
    String session =
        ConsoleBrowser.setCookies(r).stream()
            .filter(c -> c.startsWith("warden-session="))
            .findFirst()
            .orElseThrow();
    assertThat(session)
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/")
        .doesNotContain("Secure")
        .doesNotContain(warden.adminToken.substring(4));
    assertThat(b.cookies.get("warden-session")).hasSize(43);
    assertThat(b.get("/console/").statusCode()).isEqualTo(200);
    JsonNode audit =
        warden
            .admin("GET", "/v1/audit?type=console.signed_in&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(audit.path("outcome").asText()).isEqualTo("success");
    assertThat(audit.path("actor").asText()).startsWith("admin:");
  }

  @Test
  void wrongTokenIsRefusedAndTheRefusalAudited() {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> r = b.signIn("wdn_0000000000000000_notatoken");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(b.cookies).doesNotContainKey("warden-session");
    JsonNode audit =
        warden
            .admin("GET", "/v1/audit?type=console.signed_in&outcome=failure&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(audit.path("reason").asText()).isEqualTo("admin_token_invalid");
  }

  @Test
  void signInWithoutTheFormsNonceIsRefused() {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> r = b.post("/console/login", Map.of("token", warden.adminToken));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.cookies).doesNotContainKey("warden-session");
  }

  @Test
  void postWithoutCsrfTokenOrFromAnotherOriginIsRefusedAndChangesNothing() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    accessToken();
    String lease =
        warden
            .admin("GET", "/v1/leases?workload=" + enc(API), null)
            .json()
            .path("items")
            .path(0)
            .path("id")
            .asText();
    assertThat(b.post("/console/credentials/revoke", Map.of("id", lease)).statusCode())
        .isEqualTo(403);
    assertThat(
            b.post("/console/credentials/revoke", Map.of("id", lease, "_csrf", "x".repeat(43)))
                .statusCode())
        .isEqualTo(403);
    String csrf = b.csrf();
    assertThat(
            b.post(
                    "/console/credentials/revoke",
                    Map.of("id", lease, "_csrf", csrf),
                    Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"))
                .statusCode())
        .isEqualTo(403);
    assertThat(leaseIds()).contains(lease);

    HttpResponse<String> ok =
        b.post("/console/credentials/revoke", Map.of("id", lease, "_csrf", csrf));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(leaseIds()).doesNotContain(lease);
    JsonNode revoked =
        warden
            .admin("GET", "/v1/audit?type=lease.revoked&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(revoked.path("details").path("leaseId").asText()).isEqualTo(lease);
    assertThat(revoked.path("actor").asText()).startsWith("admin:");
  }

  static List<String> leaseIds() {
    return warden
        .admin("GET", "/v1/leases?workload=" + enc(API), null)
        .json()
        .path("items")
        .findValuesAsText("id");
  }

  @Test
  void everyPageServesAStrictContentSecurityPolicyAndRefusesFraming() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    for (String page : PAGES) {
      HttpResponse<String> r = b.get(page);
      assertThat(r.statusCode()).as(page + ": " + r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-security-policy").orElse(""))
          .as(page)
          .contains("script-src 'self'")
          .contains("style-src 'self'")
          .contains("object-src 'none'")
          .contains("frame-ancestors 'none'")
          .contains("base-uri 'none'")
          .contains("form-action 'self'")
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(r.headers().firstValue("x-frame-options")).as(page).hasValue("DENY");
      assertThat(r.headers().firstValue("cache-control")).as(page).hasValue("no-store");
      assertThat(r.body())
          .as(page + " has no inline script or style")
          .doesNotContain("<script>")
          .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
          .doesNotContain("style=\"")
          .doesNotContain("<style");
    }
  }

  @Test
  void aReadOnlyTokenSeesPagesButCannotActAndCannotReadTheAuditLog() {
    ConsoleBrowser b = signedIn(adminToken("viewer", "read"));
    assertThat(b.get("/console/credentials").statusCode()).isEqualTo(200);
    assertThat(b.get("/console/audit").statusCode()).isEqualTo(403);
    accessToken();
    String lease = leaseIds().get(0);
    HttpResponse<String> r =
        b.post("/console/credentials/revoke", Map.of("id", lease, "_csrf", b.csrf()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("policy:write");
    assertThat(leaseIds()).contains(lease);
  }

  @Test
  void revokingTheAdminTokenEndsItsSessionAtOnce() {
    String token = adminToken("short-lived", "admin");
    ConsoleBrowser b = signedIn(token);
    assertThat(b.get("/console/").statusCode()).isEqualTo(200);
    String id = token.split("_")[1];
    assertThat(warden.admin("DELETE", "/v1/admin-tokens/" + id, null).status()).isEqualTo(200);
    assertThat(b.get("/console/").statusCode()).isEqualTo(303);
  }

  @Test
  void signOutEndsTheSession() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    String session = b.cookies.get("warden-session");
    assertThat(b.post("/console/logout", Map.of("_csrf", b.csrf())).statusCode()).isEqualTo(303);
    b.cookies.put("warden-session", session);
    assertThat(b.get("/console/").statusCode()).as("the old cookie is dead").isEqualTo(303);
  }

  @Test
  void noPageRendersACredentialOrTheAdminToken() {
    String issued = accessToken();
    ConsoleBrowser b = signedIn(warden.adminToken);
    for (String page : PAGES) {
      String body = b.get(page).body();
      assertThat(body)
          .as(page)
          .doesNotContain(issued)
          .doesNotContain(warden.adminToken)
          .doesNotContain(issued.substring(issued.lastIndexOf('.') + 1));
    }
    String event = b.get("/console/audit?type=token.issued").body();
    assertThat(event).contains("token.issued");
  }

  @Test
  void assetsAreServedWithLongCacheAndAnOldHashIsNotFound() {
    String page = signedIn(warden.adminToken).get("/console/").body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("/console/assets/[0-9a-f]+/htmx.min.js").matcher(page);
    assertThat(m.find()).isTrue();
    HttpResponse<String> js = new ConsoleBrowser(warden.base).get(m.group());
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("cache-control"))
        .hasValue("public, max-age=31536000, immutable");
    assertThat(js.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
    assertThat(
            new ConsoleBrowser(warden.base)
                .get("/console/assets/000000000000/htmx.min.js")
                .statusCode())
        .isEqualTo(303);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "https://evil.example/",
        "//evil.example/console/",
        "/console//evil.example",
        "/console/\\evil",
        "/consolex",
        "/console/login"
      })
  void afterSignInTheRedirectNeverLeavesTheConsole(String next) {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    String form = b.get("/console/login").body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("name=\"_login\" value=\"([A-Za-z0-9_-]+)\"").matcher(form);
    assertThat(m.find()).isTrue();
    HttpResponse<String> r =
        b.post(
            "/console/login",
            Map.of("_login", m.group(1), "token", warden.adminToken, "next", next));
    assertThat(r.headers().firstValue("location")).hasValue("/console/");
  }

  @Test
  void afterSignInTheRedirectReturnsToTheConsolePageAskedFor() {
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    String form = b.get("/console/login?next=%2Fconsole%2Faudit%3Fx%3D1").body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("name=\"_login\" value=\"([A-Za-z0-9_-]+)\"").matcher(form);
    assertThat(m.find()).isTrue();
    assertThat(form).contains("value=\"/console/audit?x=1\"");
    HttpResponse<String> r =
        b.post(
            "/console/login",
            Map.of("_login", m.group(1), "token", warden.adminToken, "next", "/console/audit?x=1"));
    assertThat(r.headers().firstValue("location")).hasValue("/console/audit?x=1");
  }

  @Test
  void testingATokenShowsWhatTheProviderChecksTheSelectorsAndTheWorkloadButNeverTheToken() {
    ConsoleBrowser b = signedIn(adminToken("reader", "read"));
    String token = gh.githubActionsToken("acme/api", "refs/heads/main");
    HttpResponse<String> r =
        b.post(
            "/console/settings/test-token",
            Map.of("provider", "github", "token", token, "_csrf", b.csrf()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("Verified by <strong>github</strong>")
        .contains("github:repository=acme/api")
        .contains("trust:provider=github")
        .contains(API)
        .contains("aud contains one of https://warden.acme.test")
        .contains("alg is one of RS256")
        .contains("these claims are present: repository, ref")
        .doesNotContain(token)
        .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    assertThat(r.headers().firstValue("content-security-policy").orElse(""))
        .contains("script-src 'self'");
    HttpResponse<String> fragment =
        b.post(
            "/console/settings/test-token",
            Map.of("provider", "github", "token", token, "_csrf", b.csrf()),
            Map.of("Origin", warden.base, "Sec-Fetch-Site", "same-origin", "HX-Request", "true"));
    assertThat(fragment.body()).contains("id=\"token-result\"").doesNotContain("<html");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "audience,wrong_audience",
    "expired,token_expired",
    "issuer,unknown_issuer",
    "garbage,malformed_token",
    "unsigned,alg_not_allowed",
    "repo,unknown_workload"
  })
  void testingABadTokenShowsTheExactRefusal(String what, String reason) {
    java.time.Instant now = java.time.Instant.now();
    String token =
        switch (what) {
          case "audience" ->
              gh.githubActions("acme/api", "refs/heads/main")
                  .audience("https://elsewhere.test")
                  .mint();
          case "expired" ->
              gh.githubActions("acme/api", "refs/heads/main")
                  .issuedAt(now.minusSeconds(7200))
                  .notBefore(now.minusSeconds(7200))
                  .expiresAt(now.minusSeconds(3600))
                  .mint();
          case "issuer" ->
              gh.githubActions("acme/api", "refs/heads/main")
                  .issuer("https://unknown.acme.test")
                  .mint();
          case "unsigned" -> gh.githubActions("acme/api", "refs/heads/main").unsigned().mint();
          case "repo" -> gh.githubActionsToken("acme/nobody", "refs/heads/main");
          default -> "not-a-jwt";
        };
    ConsoleBrowser b = signedIn(warden.adminToken);
    HttpResponse<String> r =
        b.post(
            "/console/settings/test-token",
            Map.of("provider", "github", "token", token, "_csrf", b.csrf()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("<code class=\"refusal\">" + reason + "</code>")
        .doesNotContain(token);
  }

  @Test
  void testingATokenIsAPostWithTheCsrfToken() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    assertThat(b.get("/console/settings/test-token").statusCode()).isEqualTo(405);
    assertThat(
            b.post("/console/settings/test-token", Map.of("provider", "github", "token", "x"))
                .statusCode())
        .isEqualTo(403);
    assertThat(
            b.post("/console/settings/test-token", Map.of("provider", "github", "_csrf", b.csrf()))
                .statusCode())
        .as("the token is required")
        .isEqualTo(400);
  }

  @Test
  void theSimulatorTakesAPastedPlatformTokenDecidesForItsWorkloadAndIssuesAndRecordsNothing() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    String csrf = b.csrf();
    String token = gh.githubActionsToken("acme/api", "refs/heads/main");
    long head =
        warden
            .admin("GET", "/v1/audit?limit=1", null)
            .json()
            .path("events")
            .path(0)
            .path("seq")
            .asLong();
    List<String> leases = leaseIds();

    HttpResponse<String> r =
        b.post(
            "/console/simulate", Map.of("token", token, "resource", "orders-api", "_csrf", csrf));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("id=\"decision\">allow<")
        .contains("Verified by <strong>github</strong>")
        .contains("id=\"attested-workload\">" + API + "<")
        .doesNotContain(token);
    assertThat(
            warden
                .admin("GET", "/v1/audit?limit=1", null)
                .json()
                .path("events")
                .path(0)
                .path("seq")
                .asLong())
        .as("nothing audited, nothing issued")
        .isEqualTo(head);
    assertThat(leaseIds()).isEqualTo(leases);

    HttpResponse<String> unknown =
        b.post(
            "/console/simulate",
            Map.of(
                "token",
                gh.githubActionsToken("acme/nobody", "refs/heads/main"),
                "resource",
                "orders-api",
                "_csrf",
                csrf));
    assertThat(unknown.body())
        .contains("id=\"decision\">deny<")
        .contains("<code>unknown_workload</code>");
    HttpResponse<String> expired =
        b.post(
            "/console/simulate",
            Map.of(
                "token",
                gh.githubActions("acme/api", "refs/heads/main")
                    .expiresAt(java.time.Instant.now().minusSeconds(3600))
                    .mint(),
                "resource",
                "orders-api",
                "_csrf",
                csrf));
    assertThat(expired.body())
        .contains("id=\"decision\">deny<")
        .contains("<code>token_expired</code>");
    assertThat(
            b.post(
                    "/console/simulate",
                    Map.of(
                        "token", token, "workload", API, "resource", "orders-api", "_csrf", csrf))
                .statusCode())
        .as("a workload or a token, not both")
        .isEqualTo(400);
    assertThat(
            b.post("/console/simulate", Map.of("resource", "orders-api", "_csrf", csrf))
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void workloadsAreFoundByAnySubstringOfSpiffeIdOwnerTeamOrSelectorInAnyCase() {
    ConsoleBrowser b = signedIn(adminToken("searcher", "read"));
    assertThat(b.get("/console/workloads?q=BATCH-jobs").body())
        .as("selector")
        .contains("spiffe://acme.test/gh/batch")
        .doesNotContain(">" + API + "<");
    assertThat(b.get("/console/workloads?q=alice").body())
        .as("owner")
        .contains(">" + API + "<")
        .doesNotContain("spiffe://acme.test/gh/batch");
    assertThat(b.get("/console/workloads?q=PAYMENTS").body())
        .as("team")
        .contains("spiffe://acme.test/gh/batch");
    assertThat(b.get("/console/workloads?q=gh%2F").body())
        .as("SPIFFE ID")
        .contains(">" + API + "<")
        .contains("spiffe://acme.test/gh/batch");
    assertThat(b.get("/console/workloads?q=nothing-like-this").body())
        .contains("No workloads match.");
    HttpResponse<String> exact = b.get("/console/workloads?q=" + enc(API));
    assertThat(exact.statusCode()).isEqualTo(303);
    assertThat(exact.headers().firstValue("location")).hasValue("/console/workload?id=" + enc(API));
    assertThat(b.get("/console/workloads?q=" + "x".repeat(201)).statusCode()).isEqualTo(400);
  }

  @Test
  void anUnencodedSpiffeIdInAnAddressGetsAPageThatExplainsAndRetriesEncodedNotAnEmpty400() {
    ConsoleBrowser b = signedIn(warden.adminToken);
    HttpResponse<String> r = b.get("/console/workload?id=" + API);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("That address needs encoding")
        .contains("/console/workload")
        .contains("id=\"reencode\"")
        .contains("/console/workloads");
    assertThat(r.headers().firstValue("content-security-policy").orElse(""))
        .contains("script-src 'self'");
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(b.get("/console/workload?id=" + enc(API)).statusCode())
        .as("encoded, it opens")
        .isEqualTo(200);
  }

  @Test
  void retiringShowsThePlanFirstAndNeedsPolicyWrite() {
    ConsoleBrowser reader = signedIn(adminToken("plan-reader", "read"));
    assertThat(reader.get("/console/workload/retire?id=" + enc(API)).statusCode()).isEqualTo(403);
    ConsoleBrowser b = signedIn(warden.adminToken);
    assertThat(b.get("/console/workload?id=" + enc(API)).body())
        .contains("/console/workload/retire?id=" + enc(API));
    HttpResponse<String> plan = b.get("/console/workload/retire?id=" + enc(API));
    assertThat(plan.statusCode()).isEqualTo(200);
    assertThat(plan.body())
        .contains("deletes the policies that name only it")
        .contains("action=\"/console/workload/retire\"");
    // the preview (from the posture index's workloads) and the API's dry run (from the store) agree
    JsonNode dry =
        warden
            .admin(
                "POST", "/v1/workloads:retire", "{\"workload\": \"" + API + "\", \"dryRun\": true}")
            .json();
    for (JsonNode p : dry.path("disabledPolicies")) {
      assertThat(plan.body()).contains(p.asText());
    }
    assertThat(dry.path("disabledPolicies").toString()).contains("api-orders");
  }

  @Test
  void rotatingSigningKeysIsAPostWithTheCsrfTokenNeedsKeysManageAndIsAuditedWithTheAdmin() {
    List<String> before = accessTokenKids();
    ConsoleBrowser writer = signedIn(adminToken("key-reader", "read policy:write"));
    assertThat(writer.get("/console/settings").body()).doesNotContain("id=\"rotate-keys\"");
    HttpResponse<String> noScope =
        writer.post(
            "/console/settings/keys/rotate",
            Map.of("purpose", "access-token", "_csrf", writer.csrf()));
    assertThat(noScope.statusCode()).isEqualTo(403);
    assertThat(noScope.body()).contains("keys:manage");

    String token = adminToken("key-manager", "read keys:manage");
    String actor = "admin:" + token.split("_")[1];
    ConsoleBrowser b = signedIn(token);
    assertThat(b.get("/console/settings").body()).contains("id=\"rotate-keys\"");
    assertThat(
            b.post("/console/settings/keys/rotate", Map.of("purpose", "access-token")).statusCode())
        .as("no CSRF token")
        .isEqualTo(403);
    assertThat(
            b.post(
                    "/console/settings/keys/rotate",
                    Map.of("purpose", "access-token", "_csrf", "x".repeat(43)))
                .statusCode())
        .as("a wrong CSRF token")
        .isEqualTo(403);
    assertThat(b.get("/console/settings/keys/rotate").statusCode()).isEqualTo(405);
    assertThat(
            b.post(
                    "/console/settings/keys/rotate",
                    Map.of("purpose", "no-such-purpose", "_csrf", b.csrf()))
                .statusCode())
        .isEqualTo(400);
    assertThat(accessTokenKids()).as("nothing rotated").isEqualTo(before);

    HttpResponse<String> ok =
        b.post(
            "/console/settings/keys/rotate", Map.of("purpose", "access-token", "_csrf", b.csrf()));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("location")).hasValue("/console/settings#keys");
    List<String> after = accessTokenKids();
    assertThat(after).containsAll(before).hasSize(before.size() + 1);
    String prepared = after.stream().filter(k -> !before.contains(k)).findFirst().orElseThrow();
    JsonNode event = lastEvent("key.prepared");
    assertThat(event.path("actor").asText()).isEqualTo(actor);
    assertThat(event.path("details").path("kid").asText()).isEqualTo(prepared);
    assertThat(event.path("details").path("purpose").asText()).isEqualTo("access-token");
    assertThat(b.get("/console/settings").body())
        .contains("New access-token key " + prepared + " is prepared");

    // at once (a suspected compromise): a new key signs now and the active one is retired
    HttpResponse<String> now =
        b.post(
            "/console/settings/keys/rotate",
            Map.of("purpose", "access-token", "immediate", "true", "_csrf", b.csrf()));
    assertThat(now.statusCode()).isEqualTo(303);
    JsonNode activated = lastEvent("key.activated");
    assertThat(activated.path("actor").asText()).isEqualTo(actor);
    assertThat(activated.path("details").path("immediate").asText()).isEqualTo("true");
    assertThat(lastEvent("key.retired").path("actor").asText()).isEqualTo(actor);
    JsonNode keys = warden.admin("GET", "/v1/keys", null).json().path("keys");
    for (JsonNode k : keys) {
      if (k.path("kid").asText().equals(activated.path("details").path("kid").asText())) {
        assertThat(k.path("state").asText()).isEqualTo("active");
      }
    }
  }

  static List<String> accessTokenKids() {
    List<String> kids = new java.util.ArrayList<>();
    for (JsonNode k : warden.admin("GET", "/v1/keys", null).json().path("keys")) {
      if (k.path("purpose").asText().equals("access-token")) {
        kids.add(k.path("kid").asText());
      }
    }
    return kids;
  }

  static JsonNode lastEvent(String type) {
    return warden
        .admin("GET", "/v1/audit?type=" + type + "&limit=1", null)
        .json()
        .path("events")
        .path(0);
  }
}
