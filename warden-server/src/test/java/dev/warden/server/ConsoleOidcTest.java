package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import dev.warden.testkit.TestOidcProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on of human admins to the console through an upstream OpenID Connect provider (the
 * testkit's {@link TestOidcProvider}, which checks PKCE S256, state, nonce, the redirect URI and
 * the client secret): the whole authorization code flow over real HTTP, the group claim mapped to
 * admin scopes, the session acting as the human in the audit log, and every way a sign-in is
 * refused.
 */
class ConsoleOidcTest {
  static final String CLIENT = "warden-console";
  static final String SECRET = "console-s3cret";
  static final Pattern META = Pattern.compile("url=([^\"]+)\"");

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcProvider idp;
  static final HttpClient IDP_BROWSER =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() throws IOException {
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            CLIENT, SECRET, "http://127.0.0.1:" + port + "/console/oidc/callback");
    Path secret = Files.writeString(dir.resolve("client-secret"), SECRET + "\n");
    warden =
        ServerFixture.start(
            dir.resolve("data"),
            Map.of(
                "server.port",
                Integer.toString(port),
                "console.oidc.issuer",
                idp.issuer(),
                "console.oidc.clientId",
                CLIENT,
                "console.oidc.clientSecretFile",
                secret.toString(),
                "console.oidc.scopeMap",
                "warden-admins=admin, warden-auditors=read audit:read"));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  /**
   * The browser's trip: start, the provider's redirect back (it signs the configured user in at
   * once), the callback.
   */
  static HttpResponse<String> signIn(ConsoleBrowser b, String next) {
    HttpResponse<String> start =
        b.get("/console/oidc/start?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
    assertThat(start.statusCode()).isEqualTo(303);
    String authorize = start.headers().firstValue("location").orElseThrow();
    assertThat(authorize)
        .startsWith(idp.issuer() + "/authorize?")
        .contains("code_challenge_method=S256")
        .contains("nonce=")
        .contains("state=")
        .contains("client_id=" + CLIENT);
    return b.get(callbackPath(authorize));
  }

  static String callbackPath(String authorize) {
    try {
      HttpResponse<String> r =
          IDP_BROWSER.send(
              HttpRequest.newBuilder(URI.create(authorize)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(302);
      String back = r.headers().firstValue("location").orElseThrow();
      return back.substring(back.indexOf("/console/"));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode lastSignIn() {
    return warden
        .admin("GET", "/v1/audit?type=console.signed_in&limit=1", null)
        .json()
        .path("events")
        .path(0);
  }

  @Test
  void theSignInPageOffersSingleSignOn() {
    String page =
        new ConsoleBrowser(warden.base).get("/console/login?next=%2Fconsole%2Faudit").body();
    assertThat(page)
        .contains("href=\"/console/oidc/start?next=%2Fconsole%2Faudit\"")
        .contains("Sign in with 127.0.0.1");
  }

  @Test
  void anAdminSignsInAtTheProviderActsAsThemselvesAndIsAuditedAsTheHuman() {
    idp.signIn(
        new TestOidcProvider.User("alice", "alice@acme.test", List.of("staff", "warden-admins")));
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> back = signIn(b, "/console/credentials?state=active");

    assertThat(back.statusCode()).isEqualTo(200);
    Matcher m = META.matcher(back.body());
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("/console/credentials?state=active");
    String session =
        ConsoleBrowser.setCookies(back).stream()
            .filter(c -> c.startsWith("warden-session="))
            .findFirst()
            .orElseThrow();
    assertThat(session).contains("HttpOnly").contains("SameSite=Strict");
    HttpResponse<String> page = b.get("/console/credentials?state=active");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("alice@acme.test (single sign-on)");

    JsonNode in = lastSignIn();
    assertThat(in.path("outcome").asText()).isEqualTo("success");
    assertThat(in.path("actor").asText()).isEqualTo("user:" + idp.issuer() + "#alice");
    assertThat(in.path("details").path("via").asText()).isEqualTo("oidc");
    assertThat(in.path("details").path("scopes").asText()).isEqualTo("admin");

    // an action is audited as the human
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/sso/app, selectors: ["k8s:sa=app"], owner: o@acme.test}
        """);
    assertThat(
            b.post(
                    "/console/workload/owner",
                    Map.of(
                        "id",
                        "spiffe://acme.test/sso/app",
                        "owner",
                        "alice@acme.test",
                        "_csrf",
                        b.csrf()))
                .statusCode())
        .isEqualTo(303);
    JsonNode changed =
        warden
            .admin("GET", "/v1/audit?type=config.updated&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(changed.path("actor").asText()).isEqualTo("user:" + idp.issuer() + "#alice");

    assertThat(b.post("/console/logout", Map.of("_csrf", b.csrf())).statusCode()).isEqualTo(303);
    JsonNode out =
        warden
            .admin("GET", "/v1/audit?type=console.signed_out&limit=1", null)
            .json()
            .path("events")
            .path(0);
    assertThat(out.path("actor").asText()).isEqualTo("user:" + idp.issuer() + "#alice");
    assertThat(b.get("/console/").statusCode()).isEqualTo(303);
  }

  @Test
  void scopesComeFromTheMappedGroupsOnly() {
    idp.signIn(new TestOidcProvider.User("bob", "bob@acme.test", List.of("warden-auditors")));
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    assertThat(signIn(b, "/console/audit").statusCode()).isEqualTo(200);
    assertThat(b.get("/console/audit").statusCode()).isEqualTo(200);
    HttpResponse<String> act =
        b.post(
            "/console/workload/owner",
            Map.of("id", "spiffe://acme.test/none", "owner", "x", "_csrf", b.csrf()));
    assertThat(act.statusCode()).isEqualTo(403);
    assertThat(act.body()).contains("policy:write");
  }

  @Test
  void aHumanWhoseGroupsMapToNoScopeIsRefusedAndAudited() {
    idp.signIn(new TestOidcProvider.User("carol", "carol@acme.test", List.of("staff")));
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> back = signIn(b, "/console/");
    assertThat(back.statusCode()).isEqualTo(403);
    assertThat(back.body()).contains("groups").contains("claim maps to a Warden admin scope");
    assertThat(b.cookies).doesNotContainKey("warden-session");
    JsonNode e = lastSignIn();
    assertThat(e.path("outcome").asText()).isEqualTo("failure");
    assertThat(e.path("reason").asText()).isEqualTo("no_admin_scopes");
    assertThat(e.path("details").path("subject").asText()).isEqualTo(idp.issuer() + "#carol");
  }

  @Test
  void aSignInIsSingleUseBoundToItsBrowserAndRefusedWhenTheProviderRefuses() {
    idp.signIn(new TestOidcProvider.User("dave", "dave@acme.test", List.of("warden-admins")));
    ConsoleBrowser b = new ConsoleBrowser(warden.base);
    HttpResponse<String> start = b.get("/console/oidc/start?next=%2Fconsole%2F");
    String callback = callbackPath(start.headers().firstValue("location").orElseThrow());

    HttpResponse<String> fromOther = new ConsoleBrowser(warden.base).get(callback);
    assertThat(fromOther.statusCode()).as("another browser").isEqualTo(401);
    assertThat(fromOther.body()).contains("started in another browser");
    assertThat(lastSignIn().path("reason").asText()).isEqualTo("login_other_browser");
    HttpResponse<String> again = b.get(callback);
    assertThat(again.statusCode()).as("the state is taken once, whoever brings it").isEqualTo(401);
    assertThat(again.body()).contains("already used");
    assertThat(lastSignIn().path("reason").asText()).isEqualTo("login_expired");
    assertThat(b.cookies).doesNotContainKey("warden-session");

    idp.refuseSignIn();
    HttpResponse<String> refused =
        b.get(
            callbackPath(
                b.get("/console/oidc/start").headers().firstValue("location").orElseThrow()));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("access_denied");
    assertThat(lastSignIn().path("reason").asText()).isEqualTo("login_refused");
    assertThat(b.cookies).doesNotContainKey("warden-session");
  }

  @Test
  void anIdTokenForAnotherAudienceIsRefusedByTheTrustVerification() {
    idp.signIn(new TestOidcProvider.User("erin", "erin@acme.test", List.of("warden-admins")));
    idp.idTokenAudience("someone-else");
    try {
      ConsoleBrowser b = new ConsoleBrowser(warden.base);
      HttpResponse<String> back = signIn(b, "/console/");
      assertThat(back.statusCode()).isEqualTo(401);
      assertThat(lastSignIn().path("reason").asText()).isEqualTo("wrong_audience");
      assertThat(b.cookies).doesNotContainKey("warden-session");
    } finally {
      idp.idTokenAudience(null);
    }
  }

  @Test
  void startUpRefusesAnUnusableConfigurationNamingTheKey() {
    Map<String, String> base =
        Map.of(
            "console.oidc.issuer",
            idp.issuer(),
            "console.oidc.clientId",
            CLIENT,
            "console.oidc.scopeMap",
            "admins=admin");
    assertThatThrownBy(
            () -> ServerFixture.start(dir.resolve("bad1"), without(base, "console.oidc.clientId")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("console.oidc.clientId");
    assertThatThrownBy(
            () ->
                ServerFixture.start(
                    dir.resolve("bad2"), with(base, "console.oidc.scopeMap", "admins=root")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("console.oidc.scopeMap")
        .hasMessageContaining("'root' is not an admin scope");
    assertThatThrownBy(
            () -> ServerFixture.start(dir.resolve("bad3"), without(base, "console.oidc.scopeMap")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("console.oidc.scopeMap");
    assertThatThrownBy(
            () ->
                ServerFixture.start(
                    dir.resolve("bad4"),
                    with(
                        with(base, "console.oidc.clientSecret", "x"),
                        "console.oidc.clientSecretFile",
                        dir.resolve("client-secret").toString())))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(
            () ->
                ServerFixture.start(
                    dir.resolve("bad5"), with(base, "console.oidc.algorithms", "HS256")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("console.oidc.algorithms");
    assertThatThrownBy(
            () ->
                ServerFixture.start(
                    dir.resolve("bad6"), with(base, "console.oidc.scopes", "email")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("openid");
  }

  static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new java.util.HashMap<>(m);
    out.put(k, v);
    return out;
  }

  static Map<String, String> without(Map<String, String> m, String k) {
    Map<String, String> out = new java.util.HashMap<>(m);
    out.remove(k);
    return out;
  }
}
