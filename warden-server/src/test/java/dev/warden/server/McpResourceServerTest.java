package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.warden.resource.ProtectedResource;
import dev.warden.testkit.TestHttpsHost;
import dev.warden.testkit.TestOidcIssuer;
import dev.warden.testkit.TestOidcProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MCP server protected by the resource helper ({@link ProtectedResource}, warden-resource) and a
 * client that knows only the server's URL: the 401 challenge leads it to the RFC 9728 metadata,
 * that to Warden's RFC 8414 metadata, and from there through CIMD, PKCE and the user's sign-in to a
 * token the server accepts. Also: step-up (403 insufficient_scope), revocation seen through
 * introspection, a token for another resource refused, and a headless agent's client-credentials
 * token (MCP client-credentials extension) with the resource checked strictly.
 */
class McpResourceServerTest {
  static final String LOGIN_CLIENT = "warden-login";
  static final String LOGIN_SECRET = "idp-secret-Hs7Kq2Lp";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcProvider idp;
  static TestOidcIssuer k8s;
  static TestHttpsHost host;
  static HttpServer mcp;
  static String mcpUrl;
  static String clientId;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            LOGIN_CLIENT, LOGIN_SECRET, "http://127.0.0.1:" + port + "/oauth2/callback");
    k8s = TestOidcIssuer.builder().audience("http://127.0.0.1:" + port).path("/k8s").start();
    host = TestHttpsHost.start();
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, host.caPem(), StandardCharsets.US_ASCII);
    clientId = host.url("/client.json");
    host.json(
        "/client.json", McpAuthorizationTest.cimd(clientId, McpAuthorizationTest.CLIENT_REDIRECT));
    mcp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    mcpUrl = "http://127.0.0.1:" + mcp.getAddress().getPort() + "/mcp";
    Map<String, String> cfg = new LinkedHashMap<>();
    cfg.put("server.port", Integer.toString(port));
    cfg.put("login.provider", "corp");
    cfg.put("login.clientId", LOGIN_CLIENT);
    cfg.put("login.clientSecret", LOGIN_SECRET);
    cfg.put("oauth.clientMetadata.allowedNetworks", "127.0.0.1/32");
    cfg.put("oauth.clientMetadata.trustedCas", ca.toString());
    warden = ServerFixture.start(dir.resolve("data"), cfg);
    McpAuthorizationTest.warden = warden;
    McpAuthorizationTest.clientId = clientId;
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: corp}
        spec: {type: oidc, issuer: %s, audiences: [%s], algorithms: [RS256], claims: {groups: groups}}
        ---
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: ["%s"], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://warden.local/ns/agents/sa/notes-bot, selectors: ["k8s:ns=agents", "k8s:sa=notes-bot"], owner: o@acme.test}
        ---
        kind: Resource
        metadata: {name: notes-mcp}
        spec: {audience: %s, kind: mcp}
        ---
        kind: AccessPolicy
        metadata: {name: users-to-notes}
        spec: {workloads: {selectors: ["oidc:groups=mcp-users"]}, resources: [notes-mcp], scopes: [notes:read, notes:write]}
        ---
        kind: AccessPolicy
        metadata: {name: bot-to-notes}
        spec: {workloads: {spiffeIds: [spiffe://warden.local/ns/agents/sa/notes-bot]}, resources: [notes-mcp], scopes: [notes:read]}
        """
            .formatted(idp.issuer(), LOGIN_CLIENT, k8s.issuer(), warden.base, mcpUrl));
    ProtectedResource pr =
        ProtectedResource.builder(mcpUrl, warden.base)
            .scopesSupported("notes:read")
            .name("Notes")
            .introspectWith(introspector())
            .build();
    mcp.createContext(pr.metadataPath(), pr.metadataHandler());
    mcp.createContext(
            "/mcp",
            ex -> {
              ProtectedResource.Principal p =
                  (ProtectedResource.Principal) ex.getAttribute("warden.principal");
              byte[] body =
                  ("{\"subject\":\""
                          + p.subject()
                          + "\",\"actors\":\""
                          + String.join(",", p.actors())
                          + "\"}")
                      .getBytes(StandardCharsets.UTF_8);
              try (ex) {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                  o.write(body);
                }
              }
            })
        .getFilters()
        .add(pr.filter("notes:read"));
    mcp.createContext(
            "/mcp-write",
            ex -> {
              try (ex) {
                ex.sendResponseHeaders(204, -1);
              }
            })
        .getFilters()
        .add(pr.filter("notes:read", "notes:write"));
    mcp.start();
  }

  /** An admin token with only the introspect scope, as an MCP server would hold. */
  static String introspector() {
    ServerFixture.Response r =
        warden.admin(
            "POST", "/v1/admin-tokens", "{\"name\":\"notes-mcp\",\"scopes\":[\"introspect\"]}");
    assertThat(r.status()).as(r.json().toString()).isIn(200, 201);
    return r.json().path("token").asText();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {warden, idp, k8s, host}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
    if (mcp != null) {
      mcp.stop(0);
    }
  }

  static HttpResponse<String> get(String url, String bearer) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static JsonNode json(String body) throws IOException {
    return ServerFixture.JSON.readTree(body);
  }

  /**
   * The client's side: discovery from the MCP server's URL alone, then the authorization code flow.
   */
  static String userToken(String scope) throws IOException {
    HttpResponse<String> unauthorized = get(mcpUrl, null);
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    Matcher m =
        Pattern.compile("resource_metadata=\"([^\"]+)\"")
            .matcher(unauthorized.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertThat(m.find()).isTrue();
    JsonNode prm = json(get(m.group(1), null).body());
    assertThat(prm.path("resource").asText()).isEqualTo(mcpUrl);
    String as = prm.path("authorization_servers").get(0).asText();
    JsonNode asMeta = json(get(as + "/.well-known/oauth-authorization-server", null).body());
    assertThat(asMeta.path("client_id_metadata_document_supported").asBoolean()).isTrue();
    assertThat(asMeta.path("authorization_endpoint").asText())
        .isEqualTo(warden.base + "/oauth2/authorize");
    McpAuthorizationTest.Pkced p = McpAuthorizationTest.Pkced.fresh();
    Map<String, String> q =
        McpAuthorizationTest.authorizeParams(
            clientId, McpAuthorizationTest.CLIENT_REDIRECT, p, prm.path("resource").asText());
    q.put("scope", scope);
    String code = McpAuthorizationTest.authorize(q).get("code");
    ServerFixture.Response t = McpAuthorizationTest.exchange(code, p, mcpUrl);
    assertThat(t.status()).as(t.json().toString()).isEqualTo(200);
    return t.json().path("access_token").asText();
  }

  @Test
  void clientDiscoversWardenFromTheMcpServerAndCallsItWithTheUsersToken() throws IOException {
    String token = userToken("notes:read");

    HttpResponse<String> r = get(mcpUrl, token);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).path("subject").asText()).isEqualTo(idp.issuer() + "#alice");
    assertThat(json(r.body()).path("actors").asText()).isEqualTo(clientId);
  }

  @Test
  void protectedResourceMetadataNamesWardenAndTheScopes() throws IOException {
    HttpResponse<String> r =
        get(
            "http://127.0.0.1:"
                + mcp.getAddress().getPort()
                + "/.well-known/oauth-protected-resource/mcp",
            null);

    JsonNode prm = json(r.body());
    assertThat(prm.path("resource").asText()).isEqualTo(mcpUrl);
    assertThat(prm.path("authorization_servers").toString()).isEqualTo("[\"" + warden.base + "\"]");
    assertThat(prm.path("scopes_supported").toString()).isEqualTo("[\"notes:read\"]");
    assertThat(prm.path("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
  }

  @Test
  void requestWithoutTokenGetsAChallengeNamingTheMetadataAndScope() {
    HttpResponse<String> r = get(mcpUrl, null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .isEqualTo(
            "Bearer resource_metadata=\"http://127.0.0.1:"
                + mcp.getAddress().getPort()
                + "/.well-known/oauth-protected-resource/mcp\", scope=\"notes:read\"");
  }

  @Test
  void tokenWithoutTheNeededScopeGets403InsufficientScopeWithTheScopeForStepUp()
      throws IOException {
    String token = userToken("notes:read");

    HttpResponse<String> r =
        get("http://127.0.0.1:" + mcp.getAddress().getPort() + "/mcp-write", token);

    assertThat(r.statusCode()).isEqualTo(403);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertThat(challenge)
        .contains("error=\"insufficient_scope\"")
        .contains("scope=\"notes:read notes:write\"")
        .contains("resource_metadata=\"");
  }

  @Test
  void revokedTokenIsRefusedThroughIntrospection() throws IOException {
    String token = userToken("notes:read");
    String jti = McpAuthorizationTest.claims(token).path("jti").asText();
    assertThat(get(mcpUrl, token).statusCode()).isEqualTo(200);

    assertThat(warden.admin("POST", "/v1/leases/" + jti + ":revoke", null).status()).isEqualTo(200);

    HttpResponse<String> r = get(mcpUrl, token);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");
  }

  @Test
  void tokenForAnotherAudienceIsRefused() {
    ServerFixture.Response t = agentToken(warden.base);
    assertThat(t.status()).as(t.json().toString()).isEqualTo(400);
    assertThat(get(mcpUrl, "not.a.token").statusCode()).isEqualTo(401);
  }

  static ServerFixture.Response agentToken(String resource) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "client_credentials");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", k8s.kubernetesToken("agents", "notes-bot", "notes-bot-1"));
    f.put("resource", resource);
    f.put("scope", "notes:read");
    return warden.token(f);
  }

  @Test
  void headlessAgentGetsATokenWithItsWorkloadIdentityAndCallsTheMcpServer() throws IOException {
    ServerFixture.Response t = agentToken(mcpUrl);
    assertThat(t.status()).as(t.json().toString()).isEqualTo(200);

    HttpResponse<String> r = get(mcpUrl, t.json().path("access_token").asText());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).path("subject").asText())
        .isEqualTo("spiffe://warden.local/ns/agents/sa/notes-bot");
  }

  @Test
  void dpopBoundTokenIsAcceptedWithAProofOfItsKeyAndRefusedAsBearerOrWithAnotherKeysProof()
      throws Exception {
    dev.warden.testkit.TestDpopKey key = dev.warden.testkit.TestDpopKey.generate("ES256");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "client_credentials");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", k8s.kubernetesToken("agents", "notes-bot", "notes-bot-1"));
    f.put("resource", mcpUrl);
    f.put("scope", "notes:read");
    ServerFixture.Response t =
        warden.tokenWithHeaders(
            f,
            Map.of(
                "DPoP",
                key.proof("POST", warden.server.issuer() + "/oauth2/token", java.time.Instant.now())
                    .compact()));
    assertThat(t.status()).as(t.json().toString()).isEqualTo(200);
    assertThat(t.json().path("token_type").asText()).isEqualTo("DPoP");
    String token = t.json().path("access_token").asText();

    HttpResponse<String> ok =
        dpopGet(token, key.proof("GET", mcpUrl, java.time.Instant.now()).ath(token).compact());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);

    HttpResponse<String> asBearer = get(mcpUrl, token);
    assertThat(asBearer.statusCode()).isEqualTo(401);
    assertThat(asBearer.headers().firstValue("WWW-Authenticate").orElseThrow())
        .startsWith("DPoP algs=")
        .contains("error=\"invalid_token\"");

    dev.warden.testkit.TestDpopKey other = dev.warden.testkit.TestDpopKey.generate("ES256");
    HttpResponse<String> otherKey =
        dpopGet(token, other.proof("GET", mcpUrl, java.time.Instant.now()).ath(token).compact());
    assertThat(otherKey.statusCode()).isEqualTo(401);
    assertThat(otherKey.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_dpop_proof\"");

    String replayed = key.proof("GET", mcpUrl, java.time.Instant.now()).ath(token).compact();
    assertThat(dpopGet(token, replayed).statusCode()).isEqualTo(200);
    assertThat(dpopGet(token, replayed).body()).contains("used before");
  }

  static HttpResponse<String> dpopGet(String token, String proof) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(mcpUrl))
            .header("Authorization", "DPoP " + token)
            .header("DPoP", proof)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void headlessAgentNamingTheMcpServerByNameOrAnotherUriIsRefused() {
    assertThat(agentToken("notes-mcp").json().path("error").asText()).isEqualTo("invalid_target");
    assertThat(agentToken(mcpUrl + "/").json().path("error").asText()).isEqualTo("invalid_target");
  }
}
