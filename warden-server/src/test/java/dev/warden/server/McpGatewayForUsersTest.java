package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestHttpsHost;
import dev.warden.testkit.TestOidcIssuer;
import dev.warden.testkit.TestOidcProvider;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Human-delegated agents at the MCP gateway (decision 661), end to end over real HTTP on a real
 * PostgreSQL: a user signs in at an OIDC provider through Warden's authorization endpoint, the MCP
 * client (named by its metadata document) redeems the code for a token for the gateway, and the
 * official MCP SDK client calls tools through the gateway. Each call is decided on the user's
 * attested selectors (stored server-side at sign-in, never read from the token), with the client as
 * the unregistered actor, and is a hop of the token's chain. Workload tokens work as before.
 */
class McpGatewayForUsersTest {
  static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  static final String LOGIN_CLIENT = "warden-login";
  static final String LOGIN_SECRET = "idp-secret-Xv7Lq2Pn";
  static final String REDIRECT = McpAuthorizationTest.CLIENT_REDIRECT;
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final String UPSTREAM_KEY = "tk_live_upstream_only_7171";
  static final TestOidcProvider.User ALICE =
      new TestOidcProvider.User("alice", "alice@acme.test", List.of("mcp-users"));

  @TempDir static Path dir;

  static String database;
  static TestOidcProvider idp;
  static TestHttpsHost host;
  static TestOidcIssuer k8s;
  static McpUpstreamServer upstream;
  static ServerFixture warden;
  static String clientId;
  static String gateway;

  @BeforeAll
  static void start() throws Exception {
    database = TestPostgres.createDatabase("warden_mcpu_");
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            LOGIN_CLIENT, LOGIN_SECRET, "http://127.0.0.1:" + port + "/oauth2/callback");
    host = TestHttpsHost.start();
    Path ca = dir.resolve("cimd-ca.pem");
    Files.writeString(ca, host.caPem(), StandardCharsets.US_ASCII);
    clientId = host.url("/oauth/ide.json");
    host.json("/oauth/ide.json", McpAuthorizationTest.cimd(clientId, REDIRECT));
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    upstream = new McpUpstreamServer();
    Map<String, String> cfg = new LinkedHashMap<>();
    cfg.put("server.port", Integer.toString(port));
    cfg.put("server.trustDomain", "acme.test");
    cfg.put("db.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
    cfg.put("db.user", "postgres");
    cfg.put("login.provider", "corp");
    cfg.put("login.clientId", LOGIN_CLIENT);
    cfg.put("login.clientSecret", LOGIN_SECRET);
    cfg.put("oauth.clientMetadata.allowedNetworks", "127.0.0.0/8");
    cfg.put("oauth.clientMetadata.trustedCas", ca.toString());
    warden = ServerFixture.start(dir.resolve("data"), cfg);
    gateway = warden.base + "/mcp/tickets";
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/secrets/tickets-key",
                    "{\"value\": \"" + UPSTREAM_KEY + "\", \"owner\": \"ai@acme.test\"}")
                .status())
        .isEqualTo(200);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: corp}
        spec: {type: oidc, issuer: %s, audiences: [%s], algorithms: [RS256], claims: {email: email, groups: groups}}
        ---
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=agent"], owner: ai@acme.test}
        ---
        kind: Resource
        metadata: {name: tickets}
        spec:
          audience: %s
          kind: mcp
          mcp: {url: %s, credential: {secret: tickets-key}}
        ---
        # every signed-in user may connect a client (and list tools), not call them
        kind: AccessPolicy
        metadata: {name: corp-users-connect}
        spec:
          workloads: {selectors: ["trust:provider=corp"]}
          resources: [tickets]
          maxTtl: 5m
          condition: request.mcp.method != "tools/call"
        ---
        # people in mcp-users may search through any client; deleting needs a registered actor
        kind: AccessPolicy
        metadata: {name: mcp-users-tools}
        spec:
          workloads: {selectors: ["trust:provider=corp", "oidc:groups=mcp-users"]}
          resources: [tickets]
          maxTtl: 5m
          condition: >-
            request.claims.email.endsWith("@acme.test")
            && request.subject.selectors.exists(s, s == "oidc:groups=mcp-users")
            && (request.mcp.method != "tools/call"
                || request.mcp.tool == "search_tickets"
                || (request.mcp.tool == "delete_ticket" && request.actor_chain.all(a, a.registered)))
        ---
        # contractors never call tools, whatever else allows them
        kind: AccessPolicy
        metadata: {name: no-tools-for-contractors}
        spec:
          effect: deny
          workloads: {selectors: ["oidc:groups=contractors"]}
          resources: [tickets]
          condition: request.mcp.method == "tools/call"
        ---
        # the authorization endpoint sees the same chain as the gateway: no client acts for dave
        kind: AccessPolicy
        metadata: {name: no-client-for-dave}
        spec:
          effect: deny
          workloads: {selectors: ["trust:provider=corp"]}
          resources: [tickets]
          condition: >-
            request.subject.id.endsWith("#dave") && request.actor_chain.exists(a, !a.registered)
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [tickets]
          maxTtl: 5m
          condition: request.mcp.method != "tools/call" || request.mcp.tool == "search_tickets"
        """
            .formatted(
                idp.issuer(), LOGIN_CLIENT, k8s.issuer(), AGENT, gateway, upstream.url(), AGENT));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {warden, idp, host, k8s, upstream}) {
      if (c != null) {
        c.close();
      }
    }
    if (database != null) {
      try (Connection c = DriverManager.getConnection(ADMIN_URL, "postgres", null);
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  /**
   * The whole authorization code flow for {@code user}, as an MCP client runs it: the user signs
   * in, the client redeems the code for a token for the gateway.
   */
  static String userToken(TestOidcProvider.User user) {
    idp.signIn(user);
    try {
      McpAuthorizationTest.Pkced p = McpAuthorizationTest.Pkced.fresh();
      Map<String, String> q = McpAuthorizationTest.authorizeParams(clientId, REDIRECT, p, gateway);
      q.remove("scope");
      HttpResponse<String> r =
          new McpAuthorizationTest.Browser()
              .follow(warden.base + "/oauth2/authorize?" + McpAuthorizationTest.form(q));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
      Map<String, String> back =
          McpAuthorizationTest.query(r.headers().firstValue("Location").orElseThrow());
      assertThat(back).as("authorization of " + user.subject()).containsKey("code");
      Map<String, String> f = new LinkedHashMap<>();
      f.put("grant_type", "authorization_code");
      f.put("code", back.get("code"));
      f.put("redirect_uri", REDIRECT);
      f.put("client_id", clientId);
      f.put("code_verifier", p.verifier());
      f.put("resource", gateway);
      ServerFixture.Response t = warden.token(f);
      assertThat(t.status()).as(t.json().toString()).isEqualTo(200);
      return t.json().path("access_token").asText();
    } finally {
      idp.signIn(ALICE);
    }
  }

  static String jti(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
  }

  static McpSyncClient client(String bearer) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(warden.base)
            .endpoint("/mcp/tickets")
            .jsonMapper(new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper()))
            .httpRequestCustomizer(
                (b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + bearer))
            .build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
  }

  static HttpResponse<String> post(String bearer, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + bearer)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The hops under a token's issuance, as "type outcome tool reason". */
  static List<JsonNode> hops(String jti) {
    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + jti, null).json();
    assertThat(chain.path("intact").asBoolean()).as(chain.toString()).isTrue();
    assertThat(chain.path("tree").path(0).path("id").asText()).isEqualTo(jti);
    assertThat(chain.path("tree").path(0).path("type").asText()).isEqualTo("token.issued");
    List<JsonNode> out = new ArrayList<>();
    chain.path("hops").forEach(h -> out.add(h));
    return out;
  }

  static JsonNode hop(String jti, String type) {
    return hops(jti).stream()
        .filter(h -> type.equals(h.path("type").asText()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no " + type + " under " + jti));
  }

  @Test
  void userInTheGroupCallsAnAllowedToolThroughTheClientAndTheCallIsAHopOfTheUsersToken()
      throws Exception {
    String token = userToken(ALICE);
    String jti = jti(token);
    int seenBefore = upstream.authorizations.size();

    try (McpSyncClient c = client(token)) {
      c.initialize();
      McpSchema.CallToolResult ok =
          c.callTool(new McpSchema.CallToolRequest("search_tickets", Map.of("query", "printer")));
      assertThat(((McpSchema.TextContent) ok.content().getFirst()).text())
          .contains("search_tickets ran");
    }

    List<String> all = List.copyOf(upstream.authorizations);
    assertThat(all.subList(seenBefore, all.size()))
        .isNotEmpty()
        .allMatch(a -> a.equals("Bearer " + UPSTREAM_KEY));
    assertThat(String.join("\n", all)).doesNotContain(token);
    JsonNode call = hop(jti, "mcp.tool_call");
    assertThat(call.path("outcome").asText()).isEqualTo("allow");
    assertThat(call.path("actor").asText()).isEqualTo(clientId);
    JsonNode d = call.path("details");
    assertThat(d.path("tool").asText()).isEqualTo("search_tickets");
    assertThat(d.path("chainSubject").asText()).isEqualTo(idp.issuer() + "#alice");
    assertThat(d.path("actorChain").asText()).isEqualTo(clientId);
    assertThat(d.path("previousHop").asText()).isEqualTo(jti);
    assertThat(d.path("previousHopHash").asText()).hasSize(64);
    assertThat(d.path("policy").asText()).isEqualTo("mcp-users-tools");
    JsonNode inputs = ServerFixture.JSON.readTree(d.path("decisionInputs").asText());
    assertThat(inputs.path("workload").asText()).startsWith("spiffe://acme.test/user/corp/");
    assertThat(inputs.path("subject").path("id").asText()).isEqualTo(idp.issuer() + "#alice");
    assertThat(inputs.path("subject").path("registered").asBoolean()).isFalse();
    assertThat(inputs.path("actor_chain").path(0).path("id").asText()).isEqualTo(clientId);
    assertThat(inputs.path("actor_chain").path(0).path("registered").asBoolean()).isFalse();
    // the brokered secret's read log names the user (a bounded name), not the client's URL
    String readers = "";
    for (int i = 0; i < 50 && !readers.contains(inputs.path("workload").asText()); i++) {
      Thread.sleep(100);
      readers =
          warden.admin("GET", "/v1/secrets/tickets-key", null).json().path("readers").toString();
    }
    assertThat(readers).contains(inputs.path("workload").asText()).doesNotContain(clientId);
  }

  @Test
  void toolThePolicyKeepsFromUnregisteredClientsIsRefusedAndNeverReachesTheServer()
      throws Exception {
    String token = userToken(ALICE);

    try (McpSyncClient c = client(token)) {
      c.initialize();
      assertThatThrownBy(
              () ->
                  c.callTool(new McpSchema.CallToolRequest("delete_ticket", Map.of("query", "1"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining(
              "delete_ticket is not allowed for " + idp.issuer() + "#alice through " + clientId);
    }

    assertThat(upstream.toolsRun).doesNotContain("delete_ticket");
    JsonNode denied = hop(jti(token), "mcp.tool_denied");
    assertThat(denied.path("reason").asText()).isIn("condition_false", "no_matching_policy");
    assertThat(denied.path("details").path("tool").asText()).isEqualTo("delete_ticket");
    assertThat(denied.path("details").path("previousHop").asText()).isEqualTo(jti(token));
  }

  @Test
  void userNotInTheGroupGetsATokenButNoToolCall() throws Exception {
    String token = userToken(new TestOidcProvider.User("bob", "bob@acme.test", List.of("finance")));

    try (McpSyncClient c = client(token)) {
      c.initialize();
      assertThat(c.listTools().tools()).isNotEmpty();
      assertThatThrownBy(
              () ->
                  c.callTool(new McpSchema.CallToolRequest("search_tickets", Map.of("query", "x"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("search_tickets is not allowed for " + idp.issuer() + "#bob");
    }

    JsonNode denied = hop(jti(token), "mcp.tool_denied");
    assertThat(denied.path("details").path("chainSubject").asText())
        .isEqualTo(idp.issuer() + "#bob");
  }

  @Test
  void denyPolicyOnAGroupTheUserIsInWinsAtTheGateway() throws Exception {
    String token =
        userToken(
            new TestOidcProvider.User(
                "carol", "carol@acme.test", List.of("mcp-users", "contractors")));

    try (McpSyncClient c = client(token)) {
      c.initialize();
      assertThatThrownBy(
              () ->
                  c.callTool(new McpSchema.CallToolRequest("search_tickets", Map.of("query", "x"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("not allowed for " + idp.issuer() + "#carol");
    }

    JsonNode denied = hop(jti(token), "mcp.tool_denied");
    assertThat(denied.path("reason").asText()).isEqualTo("policy_deny");
    assertThat(denied.path("details").path("policy").asText())
        .isEqualTo("no-tools-for-contractors");
  }

  /** What can have happened to the record of the user behind a token, as SQL on its row. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "DELETE FROM user_grants WHERE token_id = ?",
        "UPDATE user_grants SET expires_at = 0 WHERE token_id = ?",
        "UPDATE user_grants SET subject = subject || '-mallory' WHERE token_id = ?",
        "UPDATE user_grants SET client_id = 'https://127.0.0.1:1/other.json' WHERE token_id = ?"
      })
  void tokenWhoseUserRecordIsGoneExpiredOrForSomeoneElseIsRefusedWithItsReason(String sql)
      throws Exception {
    String token = userToken(ALICE);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", null);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, jti(token));
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }

    HttpResponse<String> r =
        post(
            token,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search_tickets\",\"arguments\":{}}}",
            Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
        .contains("error=\"invalid_token\"");
    assertThat(r.body()).contains("authorize again");
    JsonNode e = warden.lastAuditEvent();
    assertThat(e.path("type").asText()).isEqualTo("mcp.request_denied");
    assertThat(e.path("reason").asText()).isEqualTo("user_grant_missing");
    assertThat(e.path("details").path("previousHop").asText()).isEqualTo(jti(token));
  }

  @Test
  void sessionOpenedForOneUserIsNotOpenToAnotherUserOfTheSameClient() throws Exception {
    String alice = userToken(ALICE);
    String bob = userToken(new TestOidcProvider.User("bob", "bob@acme.test", List.of("finance")));
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    HttpResponse<String> opened = post(alice, init, Map.of());
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
    String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();

    HttpResponse<String> other =
        post(
            bob,
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-06-18"));

    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void authorizationEndpointDecidesWithTheUserAsSubjectAndTheClientAsUnregisteredActor() {
    idp.signIn(new TestOidcProvider.User("dave", "dave@acme.test", List.of("mcp-users")));
    try {
      Map<String, String> q =
          McpAuthorizationTest.authorizeParams(
              clientId, REDIRECT, McpAuthorizationTest.Pkced.fresh(), gateway);
      q.remove("scope");
      HttpResponse<String> r =
          new McpAuthorizationTest.Browser()
              .follow(warden.base + "/oauth2/authorize?" + McpAuthorizationTest.form(q));

      assertThat(McpAuthorizationTest.query(r.headers().firstValue("Location").orElseThrow()))
          .containsEntry("error", "access_denied")
          .doesNotContainKey("code");
      JsonNode e = warden.lastAuditEvent();
      assertThat(e.path("type").asText()).isEqualTo("authorization.denied");
      assertThat(e.path("reason").asText()).isEqualTo("policy_deny");
    } finally {
      idp.signIn(ALICE);
    }
  }

  @Test
  void workloadTokenStillCallsAsBefore() throws Exception {
    ServerFixture.Response t =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                k8s.kubernetesToken("ai", "agent", "agent-pod"),
                "resource",
                gateway));
    assertThat(t.status()).as(t.json().toString()).isEqualTo(200);
    String token = t.json().path("access_token").asText();

    try (McpSyncClient c = client(token)) {
      c.initialize();
      c.callTool(new McpSchema.CallToolRequest("search_tickets", Map.of("query", "x")));
      assertThatThrownBy(
              () ->
                  c.callTool(new McpSchema.CallToolRequest("delete_ticket", Map.of("query", "1"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("delete_ticket is not allowed for " + AGENT + ":");
    }

    JsonNode call = hop(jti(token), "mcp.tool_call");
    assertThat(call.path("actor").asText()).isEqualTo(AGENT);
    assertThat(call.path("workload").asText()).isEqualTo(AGENT);
    assertThat(call.path("details").has("chainSubject")).isFalse();
  }
}
