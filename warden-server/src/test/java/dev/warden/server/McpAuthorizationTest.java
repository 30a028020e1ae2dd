package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.oauth.Pkce;
import dev.warden.testkit.TestHttpsHost;
import dev.warden.testkit.TestOidcProvider;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Warden as the authorization server of an MCP server, end to end over real HTTP: a started Warden,
 * a real OIDC provider where the user signs in ({@link TestOidcProvider}: authorization code with
 * PKCE, ID token verified by Warden's trust-provider machinery), a Client ID Metadata Document
 * served over HTTPS ({@link TestHttpsHost}, fetched through the operator's allow-list for
 * loopback), and a client that follows every redirect itself, as a browser and an MCP client would.
 */
class McpAuthorizationTest {
  static final String LOGIN_CLIENT = "warden-login";
  static final String LOGIN_SECRET = "idp-secret-Qm4Zr8Tk";
  static final String CLIENT_REDIRECT = "http://127.0.0.1:33418/callback";
  static final String MCP = "https://mcp.acme.test/notes";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcProvider idp;
  static TestHttpsHost host;
  static String clientId;

  @BeforeAll
  static void start() throws IOException {
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            LOGIN_CLIENT, LOGIN_SECRET, "http://127.0.0.1:" + port + "/oauth2/callback");
    host = TestHttpsHost.start();
    Path ca = dir.resolve("cimd-ca.pem");
    Files.writeString(ca, host.caPem(), StandardCharsets.US_ASCII);
    clientId = host.url("/oauth/client.json");
    host.json("/oauth/client.json", cimd(clientId, CLIENT_REDIRECT));
    Map<String, String> cfg = new LinkedHashMap<>();
    cfg.put("server.port", Integer.toString(port));
    cfg.put("login.provider", "corp");
    cfg.put("login.clientId", LOGIN_CLIENT);
    cfg.put("login.clientSecret", LOGIN_SECRET);
    cfg.put("oauth.clientMetadata.allowedNetworks", "127.0.0.0/8");
    cfg.put("oauth.clientMetadata.trustedCas", ca.toString());
    warden = ServerFixture.start(dir.resolve("data"), cfg);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: corp}
        spec: {type: oidc, issuer: %s, audiences: [%s], algorithms: [RS256], claims: {email: email, groups: groups}}
        ---
        kind: Resource
        metadata: {name: notes-mcp}
        spec: {audience: %s, kind: mcp}
        ---
        kind: Resource
        metadata: {name: plain-api}
        spec: {audience: https://api.acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: mcp-users-to-notes}
        spec:
          workloads: {selectors: ["trust:provider=corp", "oidc:groups=mcp-users"]}
          resources: [notes-mcp]
          condition: "request.delegationChain[0].startsWith('https://127.0.0.1:')"
          scopes: [notes:read, notes:write]
          maxTtl: 10m
        """
            .formatted(idp.issuer(), LOGIN_CLIENT, MCP));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (idp != null) {
      idp.close();
    }
    if (host != null) {
      host.close();
    }
  }

  static String cimd(String id, String redirect) {
    return """
        {"client_id": "%s", "client_name": "Notes agent", "redirect_uris": ["%s"],
         "grant_types": ["authorization_code"], "response_types": ["code"], "token_endpoint_auth_method": "none"}
        """
        .formatted(id, redirect);
  }

  /** A browser-like client: keeps cookies, follows no redirect by itself. */
  static final class Browser {
    final HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    HttpResponse<String> get(String url) {
      try {
        return http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** Follows redirects until one leaves for the client's redirect URI (or a page is shown). */
    HttpResponse<String> follow(String url) {
      HttpResponse<String> r = get(url);
      while (r.statusCode() == 302) {
        String next = r.headers().firstValue("Location").orElseThrow();
        if (next.startsWith(CLIENT_REDIRECT.substring(0, CLIENT_REDIRECT.indexOf("/callback")))) {
          return r;
        }
        r = get(next);
      }
      return r;
    }
  }

  record Pkced(String verifier, String challenge) {
    static Pkced fresh() {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      String v = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      return new Pkced(v, Pkce.challengeOf(v));
    }
  }

  static Map<String, String> authorizeParams(
      String client, String redirect, Pkced p, String resource) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", client);
    q.put("redirect_uri", redirect);
    q.put("code_challenge", p.challenge());
    q.put("code_challenge_method", "S256");
    q.put("state", "st-" + p.challenge().substring(0, 8));
    q.put("resource", resource);
    q.put("scope", "notes:read");
    return q;
  }

  static String authorizeUrl(Map<String, String> q) {
    return warden.base + "/oauth2/authorize?" + form(q);
  }

  static String form(Map<String, String> m) {
    StringJoiner j = new StringJoiner("&");
    m.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  static Map<String, String> query(String location) {
    Map<String, String> m = new LinkedHashMap<>();
    String q = URI.create(location).getRawQuery();
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      m.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  /** Runs the whole authorization leg and returns what reached the client's redirect URI. */
  static Map<String, String> authorize(Map<String, String> q) {
    HttpResponse<String> r = new Browser().follow(authorizeUrl(q));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith(q.get("redirect_uri"));
    return query(location);
  }

  static ServerFixture.Response exchange(String code, Pkced p, String resource) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", CLIENT_REDIRECT);
    f.put("client_id", clientId);
    f.put("code_verifier", p.verifier());
    f.put("resource", resource);
    return warden.token(f);
  }

  static JsonNode claims(String jwt) throws IOException {
    return ServerFixture.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  static boolean active(String token) {
    return warden
        .send("/oauth2/introspect", "token=" + token, warden.adminToken)
        .json()
        .path("active")
        .asBoolean();
  }

  @Test
  void userSignsInAndTheClientGetsATokenNamingTheUserAsSubjectAndItselfAsActor()
      throws IOException {
    Pkced p = Pkced.fresh();
    Map<String, String> q = authorizeParams(clientId, CLIENT_REDIRECT, p, MCP);

    Map<String, String> back = authorize(q);
    assertThat(back)
        .containsEntry("state", q.get("state"))
        .containsEntry("iss", warden.base)
        .containsKey("code");

    ServerFixture.Response t = exchange(back.get("code"), p, MCP);
    assertThat(t.status()).as(t.json().toString()).isEqualTo(200);
    assertThat(t.headers().get("cache-control")).isEqualTo("no-store");
    assertThat(t.json().path("token_type").asText()).isEqualTo("Bearer");
    assertThat(t.json().path("scope").asText()).isEqualTo("notes:read");
    assertThat(t.json().path("expires_in").asLong()).isBetween(1L, 300L);
    JsonNode c = claims(t.json().path("access_token").asText());
    assertThat(c.path("iss").asText()).isEqualTo(warden.base);
    assertThat(c.path("sub").asText()).isEqualTo(idp.issuer() + "#alice");
    assertThat(c.path("aud").asText()).isEqualTo(MCP);
    assertThat(c.path("client_id").asText()).isEqualTo(clientId);
    assertThat(c.path("act").path("sub").asText()).isEqualTo(clientId);
    assertThat(c.path("act").has("act")).isFalse();
    assertThat(c.path("scope").asText()).isEqualTo("notes:read");
    assertThat(active(t.json().path("access_token").asText())).isTrue();
    JsonNode issued = warden.lastAuditEvent();
    assertThat(issued.path("type").asText()).isEqualTo("token.issued");
    assertThat(issued.path("details").path("grantType").asText()).isEqualTo("authorization_code");
  }

  @Test
  void codeWhenUsedTwiceThenRefusedAndTheFirstTokenIsRevoked() {
    Pkced p = Pkced.fresh();
    String code = authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, MCP)).get("code");
    ServerFixture.Response first = exchange(code, p, MCP);
    assertThat(first.status()).isEqualTo(200);
    String token = first.json().path("access_token").asText();
    assertThat(active(token)).isTrue();

    ServerFixture.Response second = exchange(code, p, MCP);

    assertThat(second.status()).isEqualTo(400);
    assertThat(second.json().path("error").asText()).isEqualTo("invalid_grant");
    assertThat(second.json().path("error_description").asText()).contains("already used");
    assertThat(active(token))
        .as("RFC 6749 section 4.1.2: tokens issued from a reused code are revoked")
        .isFalse();
  }

  @Test
  void tokenWhenVerifierDoesNotMatchThenInvalidGrantAndTheCodeIsUsedUp() {
    Pkced p = Pkced.fresh();
    String code = authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, MCP)).get("code");

    ServerFixture.Response wrong = exchange(code, Pkced.fresh(), MCP);
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.json().path("error").asText()).isEqualTo("invalid_grant");
    assertThat(wrong.json().path("error_description").asText()).contains("code_verifier");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("pkce_mismatch");

    assertThat(exchange(code, p, MCP).json().path("error").asText()).isEqualTo("invalid_grant");
  }

  @Test
  void tokenWhenResourceDiffersFromTheAuthorizedOneThenInvalidTarget() {
    Pkced p = Pkced.fresh();
    String code = authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, MCP)).get("code");

    ServerFixture.Response r = exchange(code, p, "https://api.acme.test");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_target");
  }

  @Test
  void tokenWhenResourceDiffersOnlyInHostCaseThenAccepted() {
    Pkced p = Pkced.fresh();
    String code =
        authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, "HTTPS://MCP.ACME.TEST/notes"))
            .get("code");

    assertThat(exchange(code, p, "https://Mcp.Acme.Test/notes").status()).isEqualTo(200);
  }

  @Test
  void tokenWhenRedirectUriDiffersThenInvalidGrant() {
    Pkced p = Pkced.fresh();
    String code = authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, MCP)).get("code");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", CLIENT_REDIRECT + "/other");
    f.put("client_id", clientId);
    f.put("code_verifier", p.verifier());
    f.put("resource", MCP);

    ServerFixture.Response r = warden.token(f);

    assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
    assertThat(r.json().path("error_description").asText()).contains("redirect_uri");
  }

  @Test
  void tokenWhenClientIdDiffersThenInvalidGrant() {
    Pkced p = Pkced.fresh();
    String code = authorize(authorizeParams(clientId, CLIENT_REDIRECT, p, MCP)).get("code");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", CLIENT_REDIRECT);
    f.put("client_id", host.url("/other.json"));
    f.put("code_verifier", p.verifier());
    f.put("resource", MCP);

    assertThat(warden.token(f).json().path("error").asText()).isEqualTo("invalid_grant");
  }

  @ParameterizedTest
  @ValueSource(strings = {"code", "code_verifier", "redirect_uri", "client_id"})
  void tokenWhenAParameterIsMissingThenInvalidRequest(String missing) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", "abc");
    f.put("redirect_uri", CLIENT_REDIRECT);
    f.put("client_id", clientId);
    f.put("code_verifier", Pkced.fresh().verifier());
    f.remove(missing);

    ServerFixture.Response r = warden.token(f);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
  }

  @Test
  void tokenWhenCodeIsUnknownThenInvalidGrant() {
    assertThat(exchange("not-a-code", Pkced.fresh(), MCP).json().path("error").asText())
        .isEqualTo("invalid_grant");
  }

  @Test
  void authorizeWhenUserIsNotInTheGroupThenAccessDeniedAndAudited() {
    idp.signIn(new TestOidcProvider.User("bob", "bob@acme.test", List.of("finance")));
    try {
      Map<String, String> back =
          authorize(authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP));

      assertThat(back)
          .containsEntry("error", "access_denied")
          .containsEntry("iss", warden.base)
          .doesNotContainKey("code");
      JsonNode e = warden.lastAuditEvent();
      assertThat(e.path("type").asText()).isEqualTo("authorization.denied");
      assertThat(e.path("reason").asText()).isEqualTo("no_matching_policy");
      assertThat(e.path("details").path("subject").asText()).isEqualTo(idp.issuer() + "#bob");
    } finally {
      idp.signIn(new TestOidcProvider.User("alice", "alice@acme.test", List.of("mcp-users")));
    }
  }

  @Test
  void authorizeWhenTheIdentityProviderRefusesSignInThenAccessDenied() {
    idp.refuseSignIn();
    try {
      Map<String, String> back =
          authorize(authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP));

      assertThat(back).containsEntry("error", "access_denied").doesNotContainKey("code");
      assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("login_failed");
    } finally {
      idp.signIn(new TestOidcProvider.User("alice", "alice@acme.test", List.of("mcp-users")));
    }
  }

  @Test
  void authorizeWhenScopeIsNotGrantedThenInvalidScope() {
    Map<String, String> q = authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP);
    q.put("scope", "notes:admin");

    assertThat(authorize(q)).containsEntry("error", "invalid_scope");
  }

  @Test
  void authorizeWhenResourceIsNotAnMcpServerThenInvalidTargetRedirected() {
    Map<String, String> q =
        authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), "https://api.acme.test");

    HttpResponse<String> r = new Browser().get(authorizeUrl(q));

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(query(r.headers().firstValue("Location").orElseThrow()))
        .containsEntry("error", "invalid_target")
        .containsEntry("state", q.get("state"))
        .containsEntry("iss", warden.base);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "missing"})
  void authorizeWhenPkceIsPlainOrMissingThenInvalidRequestRedirected(String how) {
    Map<String, String> q = authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP);
    if (how.equals("plain")) {
      q.put("code_challenge_method", "plain");
    } else {
      q.remove("code_challenge");
      q.remove("code_challenge_method");
    }

    HttpResponse<String> r = new Browser().get(authorizeUrl(q));

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(query(r.headers().firstValue("Location").orElseThrow()))
        .containsEntry("error", "invalid_request");
  }

  @Test
  void authorizeWhenResponseTypeIsNotCodeThenUnsupportedResponseType() {
    Map<String, String> q = authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP);
    q.put("response_type", "token");

    HttpResponse<String> r = new Browser().get(authorizeUrl(q));

    assertThat(query(r.headers().firstValue("Location").orElseThrow()))
        .containsEntry("error", "unsupported_response_type");
  }

  @Test
  void authorizeWhenRedirectUriIsNotInTheDocumentThenAPageAndNoRedirect() {
    Map<String, String> q =
        authorizeParams(clientId, "http://127.0.0.1:33418/evil", Pkced.fresh(), MCP);

    HttpResponse<String> r = new Browser().get(authorizeUrl(q));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(r.body()).contains("redirect_uri is not one of the redirect_uris");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("redirect_uri_mismatch");
  }

  @Test
  void authorizeWhenMetadataDocumentRedirectsThenInvalidClientPage() {
    host.answer(
        "/moved.json",
        new TestHttpsHost.Answer(
            302, "application/json", new byte[0], Map.of("Location", clientId), Duration.ZERO));

    HttpResponse<String> r =
        new Browser()
            .get(
                authorizeUrl(
                    authorizeParams(host.url("/moved.json"), CLIENT_REDIRECT, Pkced.fresh(), MCP)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.body()).contains("invalid_client").contains("redirects are not followed");
    assertThat(warden.lastAuditEvent().path("reason").asText())
        .isEqualTo("client_metadata_unavailable");
  }

  @Test
  void authorizeWhenMetadataDocumentIsTooLargeThenInvalidClientPage() {
    String big =
        "{\"client_id\":\""
            + host.url("/big.json")
            + "\",\"client_name\":\""
            + "x".repeat(6000)
            + "\"}";
    host.json("/big.json", big);

    HttpResponse<String> r =
        new Browser()
            .get(
                authorizeUrl(
                    authorizeParams(host.url("/big.json"), CLIENT_REDIRECT, Pkced.fresh(), MCP)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("larger than 5120 bytes");
  }

  @Test
  void authorizeWhenMetadataDocumentIsSlowThenCutOff() {
    host.answer(
        "/slow.json",
        new TestHttpsHost.Answer(
            200,
            "application/json",
            cimd(host.url("/slow.json"), CLIENT_REDIRECT).getBytes(StandardCharsets.UTF_8),
            Map.of(),
            Duration.ofSeconds(8)));
    long start = System.nanoTime();

    HttpResponse<String> r =
        new Browser()
            .get(
                authorizeUrl(
                    authorizeParams(host.url("/slow.json"), CLIENT_REDIRECT, Pkced.fresh(), MCP)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("no complete answer within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(7));
  }

  @Test
  void authorizeWhenMetadataUrlPointsToAPrivateAddressThenRefusedWithoutFetching() {
    HttpResponse<String> r =
        new Browser()
            .get(
                authorizeUrl(
                    authorizeParams(
                        "https://10.1.2.3/client.json", CLIENT_REDIRECT, Pkced.fresh(), MCP)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("non-public address");
  }

  @Test
  void authorizeWhenMetadataDocumentNamesAnotherClientIdThenInvalidClient() {
    host.json("/impostor.json", cimd(clientId, CLIENT_REDIRECT));

    HttpResponse<String> r =
        new Browser()
            .get(
                authorizeUrl(
                    authorizeParams(
                        host.url("/impostor.json"), CLIENT_REDIRECT, Pkced.fresh(), MCP)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not the URL it was fetched from");
    assertThat(warden.lastAuditEvent().path("reason").asText())
        .isEqualTo("invalid_client_metadata");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "client_id=a&client_id=b",
        "",
        "client_id=my-client&redirect_uri=x",
        "response_type=code&response_type=token"
      })
  void authorizeWhenParametersAreMalformedThenAPage(String rawQuery) {
    HttpResponse<String> r = new Browser().get(warden.base + "/oauth2/authorize?" + rawQuery);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void callbackWhenTheBrowserDidNotStartTheSignInThenAPageAndNoCode() {
    Browser victim = new Browser();
    HttpResponse<String> atIdp =
        victim.get(authorizeUrl(authorizeParams(clientId, CLIENT_REDIRECT, Pkced.fresh(), MCP)));
    HttpResponse<String> back = victim.get(atIdp.headers().firstValue("Location").orElseThrow());
    String callback = back.headers().firstValue("Location").orElseThrow();

    HttpResponse<String> r = new Browser().get(callback);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.body()).contains("not started in this browser");
  }

  @Test
  void callbackWhenStateIsForgedThenAPage() {
    HttpResponse<String> r =
        new Browser().get(warden.base + "/oauth2/callback?code=x&state=Zm9yZ2Vk");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("no state this server issued");
  }

  @Test
  void discoveryAdvertisesTheAuthorizationCodeFlowForMcpClients() {
    for (String path :
        List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
      JsonNode d = warden.get(path).json();
      assertThat(d.path("authorization_endpoint").asText())
          .isEqualTo(warden.base + "/oauth2/authorize");
      assertThat(d.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
      assertThat(d.path("response_types_supported").toString()).contains("\"code\"");
      assertThat(d.path("grant_types_supported").toString()).contains("authorization_code");
      assertThat(d.path("authorization_response_iss_parameter_supported").asBoolean()).isTrue();
      assertThat(d.path("client_id_metadata_document_supported").asBoolean()).isTrue();
      assertThat(d.path("token_endpoint_auth_methods_supported").toString()).contains("\"none\"");
    }
  }
}
