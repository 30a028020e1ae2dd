package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestOidcIssuer;
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
import java.nio.file.Path;
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
 * Warden's MCP gateway end to end: the official MCP Java SDK as the agent's client and as the MCP
 * server behind the gateway (streamable HTTP in Jetty), a real Warden server between them. One tool
 * allowed and one denied by policy, the upstream getting the brokered secret and never the agent's
 * token, both calls in the chain of the agent's token; and every way in that must fail.
 */
class McpGatewayTest {
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final String OTHER = "spiffe://acme.test/ns/ai/sa/stranger";
  static final String UPSTREAM_KEY = "tk_live_upstream_only_4242";

  @TempDir static Path dir;

  static TestOidcIssuer k8s;
  static ServerFixture warden;
  static McpUpstreamServer upstream;
  static String gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new McpUpstreamServer();
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir, Map.of("server.trustDomain", "acme.test"));
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
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=agent"], owner: ai@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=stranger"], owner: ai@acme.test}
        ---
        kind: Resource
        metadata: {name: tickets}
        spec:
          audience: %s
          kind: mcp
          description: Ticket tools
          mcp: {url: %s, credential: {secret: tickets-key}}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: https://ledger.acme.test, kind: http}
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [tickets, ledger]
          maxTtl: 10m
          condition: request.mcp.method != "tools/call" || request.mcp.tool == "search_tickets"
        ---
        kind: AccessPolicy
        metadata: {name: stranger-briefly}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [tickets]
          maxTtl: 1s
        """
            .formatted(k8s.issuer(), AGENT, OTHER, gateway, upstream.url(), AGENT, OTHER));
  }

  @AfterAll
  static void stop() throws Exception {
    warden.close();
    k8s.close();
    upstream.close();
  }

  static String token(String sa, String resource) {
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                k8s.kubernetesToken("ai", sa, sa + "-pod"),
                "resource",
                resource));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().path("access_token").asText();
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

  @Test
  void theSdkClientCallsAnAllowedToolAndIsRefusedADeniedOneAndBothAreHopsOfItsTokensChain()
      throws Exception {
    String token = token("agent", gateway);
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    int seenBefore = upstream.authorizations.size();

    try (McpSyncClient client = client(token)) {
      client.initialize();
      McpSchema.CallToolResult ok =
          client.callTool(
              new McpSchema.CallToolRequest("search_tickets", Map.of("query", "printer")));
      assertThat(((McpSchema.TextContent) ok.content().getFirst()).text())
          .contains("search_tickets ran");

      assertThatThrownBy(
              () ->
                  client.callTool(
                      new McpSchema.CallToolRequest("delete_ticket", Map.of("query", "1"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("delete_ticket is not allowed for " + AGENT);
    }

    assertThat(upstream.toolsRun).contains("search_tickets").doesNotContain("delete_ticket");
    // a copy: the SDK client's session end (DELETE) may still be arriving, and a live subList of a
    // copy-on-write list fails when the list grows under it
    List<String> all = List.copyOf(upstream.authorizations);
    List<String> seen = all.subList(seenBefore, all.size());
    assertThat(seen).isNotEmpty().allMatch(a -> a.equals("Bearer " + UPSTREAM_KEY));
    assertThat(String.join("\n", upstream.authorizations)).doesNotContain(token);

    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + jti, null).json();
    assertThat(chain.path("intact").asBoolean()).as(chain.toString()).isTrue();
    JsonNode root = chain.path("tree").path(0);
    assertThat(root.path("id").asText()).isEqualTo(jti);
    assertThat(root.path("type").asText()).isEqualTo("token.issued");
    List<String> children = new ArrayList<>();
    root.path("children")
        .forEach(
            c ->
                children.add(
                    c.path("type").asText()
                        + " "
                        + c.path("outcome").asText()
                        + " "
                        + c.path("tool").asText()));
    assertThat(children)
        .contains("mcp.tool_call allow search_tickets", "mcp.tool_denied deny delete_ticket");
    JsonNode denied = null;
    for (JsonNode h : chain.path("hops")) {
      if ("mcp.tool_denied".equals(h.path("type").asText())) {
        denied = h;
      }
    }
    assertThat(denied).isNotNull();
    assertThat(denied.path("reason").asText()).isEqualTo("condition_false");
    assertThat(denied.path("details").path("previousHop").asText()).isEqualTo(jti);
    assertThat(denied.path("details").path("previousHopHash").asText()).hasSize(64);
    assertThat(denied.path("details").path("decisionInputs").asText())
        .contains("\"mcp\"")
        .contains("delete_ticket");
    assertThat(chain.toString()).doesNotContain(UPSTREAM_KEY).doesNotContain(token);
  }

  @Test
  void withoutATokenTheAnswerIs401WithTheProtectedResourceMetadataToStartDiscoveryFrom()
      throws Exception {
    HttpResponse<String> r = post(null, initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    String metadata = warden.base + "/.well-known/oauth-protected-resource/mcp/tickets";
    assertThat(challenge).isEqualTo("Bearer resource_metadata=\"" + metadata + "\"");

    JsonNode doc = warden.get("/.well-known/oauth-protected-resource/mcp/tickets").json();
    assertThat(doc.path("resource").asText()).isEqualTo(gateway);
    assertThat(doc.path("authorization_servers").path(0).asText())
        .isEqualTo(warden.server.issuer());
    assertThat(warden.get("/mcp/tickets/.well-known/oauth-protected-resource").json())
        .isEqualTo(doc);
    assertThat(upstream.toolsRun).doesNotContain("delete_ticket");
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedAsInvalidTokenAndTheRefusalIsInItsChain() throws Exception {
    String ledger = token("agent", "https://ledger.acme.test");
    String jti = SignedJWT.parse(ledger).getJWTClaimsSet().getJWTID();

    HttpResponse<String> r = post(ledger, initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"")
        .contains("resource_metadata=");
    assertThat(r.body()).contains("wrong_audience");
    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + jti, null).json();
    assertThat(chain.toString()).contains("mcp.request_denied").contains("wrong_audience");
  }

  @Test
  void aRevokedTokenIsRefused() throws Exception {
    String token = token("agent", gateway);
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    assertThat(warden.admin("POST", "/v1/leases/" + jti + ":revoke", null).status()).isEqualTo(200);

    HttpResponse<String> r = post(token, initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("token_revoked");
  }

  @Test
  void aTokenRevokedAfterItsLeaseWasKeptIsRefusedAtTheVeryNextCall() throws Exception {
    String token = token("agent", gateway);
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    // two calls: the second is served with the lease the gateway keeps (decision 662)
    assertThat(post(token, initialize(), Map.of()).statusCode()).isEqualTo(200);
    assertThat(post(token, initialize(), Map.of()).statusCode()).isEqualTo(200);

    assertThat(warden.admin("POST", "/v1/leases/" + jti + ":revoke", null).status()).isEqualTo(200);
    HttpResponse<String> r = post(token, initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("token_revoked");
  }

  @Test
  void aKeptBrokeredSecretIsReplacedByItsNewVersionAtOnceAndADeletedVersionIsNeverInjected()
      throws Exception {
    String rotating = warden.base + "/mcp/rotating";
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/secrets/rotating-key",
                    "{\"value\": \"rotating-v1\", \"cas\": 0, \"owner\": \"ai@acme.test\"}")
                .status())
        .isEqualTo(200);
    warden.apply(
        """
        kind: Resource
        metadata: {name: rotating}
        spec:
          audience: %s
          kind: mcp
          mcp: {url: %s, credential: {secret: rotating-key}}
        ---
        kind: AccessPolicy
        metadata: {name: agent-rotating}
        spec: {workloads: {spiffeIds: [%s]}, resources: [rotating], maxTtl: 10m}
        """
            .formatted(rotating, upstream.url(), AGENT));
    String token = token("agent", rotating);
    assertThat(post(token, initialize(), Map.of(), "/mcp/rotating").statusCode()).isEqualTo(200);
    assertThat(post(token, initialize(), Map.of(), "/mcp/rotating").statusCode()).isEqualTo(200);
    assertThat(upstream.authorizations.getLast()).isEqualTo("Bearer rotating-v1");

    assertThat(
            warden
                .admin(
                    "PUT", "/v1/secrets/rotating-key", "{\"value\": \"rotating-v2\", \"cas\": 1}")
                .status())
        .isEqualTo(200);
    assertThat(post(token, initialize(), Map.of(), "/mcp/rotating").statusCode()).isEqualTo(200);
    assertThat(upstream.authorizations.getLast()).isEqualTo("Bearer rotating-v2");

    assertThat(warden.admin("POST", "/v1/secrets/rotating-key/versions/2:delete", null).status())
        .isEqualTo(200);
    int seen = upstream.authorizations.size();
    HttpResponse<String> r = post(token, initialize(), Map.of(), "/mcp/rotating");

    assertThat(r.body()).contains("secret_unavailable");
    List<String> after = List.copyOf(upstream.authorizations);
    assertThat(after.subList(seen, after.size())).noneMatch(h -> h.startsWith("Bearer rotating"));
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    String token = token("stranger", gateway);
    Thread.sleep(2100);

    HttpResponse<String> r = post(token, initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("token_expired");
  }

  @Test
  void aForgedOrGarbledBearerIsRefused() throws Exception {
    HttpResponse<String> r = post("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", initialize(), Map.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{",
        "[]",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
        "42",
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/call\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}"
      })
  void aMalformedMessageIsAnsweredWithAJsonRpcErrorAndNeverForwarded(String body) throws Exception {
    String token = token("agent", gateway);
    int before = upstream.authorizations.size();

    HttpResponse<String> r = post(token, body, Map.of());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode err = ServerFixture.JSON.readTree(r.body()).path("error");
    assertThat(err.path("code").asInt()).isIn(-32700, -32600, -32602);
    assertThat(upstream.authorizations).hasSize(before);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "séarch_tickets",
        "search_tickets\n",
        "search tickets",
        "search_tickets;rm -rf /",
        "search_tickets\u200b",
        "../search_tickets",
        "",
        "$(id)"
      })
  void aToolNameOutsideTheMcpRulesIsRefusedAuditedAndNeverForwarded(String name) throws Exception {
    String token = token("agent", gateway);
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    int before = upstream.authorizations.size();
    String body =
        ServerFixture.JSON.writeValueAsString(
            Map.of(
                "jsonrpc",
                "2.0",
                "id",
                7,
                "method",
                "tools/call",
                "params",
                Map.of("name", name, "arguments", Map.of())));

    HttpResponse<String> r = post(token, body, Map.of());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode answer = ServerFixture.JSON.readTree(r.body());
    assertThat(answer.path("id").asInt()).isEqualTo(7);
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(answer.path("error").path("data").path("reason").asText())
        .isEqualTo("invalid_tool_name");
    assertThat(upstream.authorizations).hasSize(before);
    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + jti, null).json();
    assertThat(chain.toString()).contains("mcp.tool_denied").contains("invalid_tool_name");
  }

  @Test
  void aToolNameOverTheLengthLimitIsRefused() throws Exception {
    String body =
        ServerFixture.JSON.writeValueAsString(
            Map.of(
                "jsonrpc",
                "2.0",
                "id",
                1,
                "method",
                "tools/call",
                "params",
                Map.of("name", "a".repeat(129))));

    HttpResponse<String> r = post(token("agent", gateway), body, Map.of());

    assertThat(r.body()).contains("invalid_tool_name").contains("at most 128");
  }

  @Test
  void anMcpNameHeaderThatDisagreesWithTheBodyIsRefusedBeforeAnyDecision() throws Exception {
    String token = token("agent", gateway);
    int before = upstream.authorizations.size();
    String body =
        ServerFixture.JSON.writeValueAsString(
            Map.of(
                "jsonrpc",
                "2.0",
                "id",
                3,
                "method",
                "tools/call",
                "params",
                Map.of("name", "delete_ticket", "arguments", Map.of())));

    HttpResponse<String> r =
        post(token, body, Map.of("Mcp-Method", "tools/call", "Mcp-Name", "search_tickets"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(ServerFixture.JSON.readTree(r.body()).path("error").path("code").asInt())
        .isEqualTo(-32020);
    assertThat(upstream.authorizations).hasSize(before);
  }

  @Test
  void aClientOfRevision20260728MustSendTheMirroredHeaders() throws Exception {
    String body =
        ServerFixture.JSON.writeValueAsString(
            Map.of(
                "jsonrpc",
                "2.0",
                "id",
                3,
                "method",
                "tools/call",
                "params",
                Map.of("name", "search_tickets", "arguments", Map.of())));

    HttpResponse<String> r =
        post(token("agent", gateway), body, Map.of("MCP-Protocol-Version", "2026-07-28"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Mcp-Method is required");
  }

  @Test
  void base64EncodedMcpNameThatAgreesWithTheBodyPasses() throws Exception {
    String body =
        ServerFixture.JSON.writeValueAsString(
            Map.of(
                "jsonrpc",
                "2.0",
                "id",
                3,
                "method",
                "tools/call",
                "params",
                Map.of("name", "search_tickets", "arguments", Map.of())));
    String encoded =
        "=?base64?"
            + java.util.Base64.getEncoder()
                .encodeToString("search_tickets".getBytes(StandardCharsets.UTF_8))
            + "?=";

    HttpResponse<String> r =
        post(
            token("agent", gateway), body, Map.of("Mcp-Method", "tools/call", "Mcp-Name", encoded));

    // no session was initialised, so the SDK server refuses the call itself: the gateway let it
    // through
    assertThat(r.body()).doesNotContain("-32020").doesNotContain("invalid_tool_name");
  }

  @Test
  void anUnknownGatewayIs404AndAResourceOfAnotherKindIsNoGateway() throws Exception {
    assertThat(post(null, initialize(), Map.of(), "/mcp/nope").statusCode()).isEqualTo(404);
    assertThat(post(null, initialize(), Map.of(), "/mcp/ledger").statusCode()).isEqualTo(404);
  }

  static String initialize() {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
  }

  static HttpResponse<String> post(String bearer, String body, Map<String, String> headers)
      throws Exception {
    return post(bearer, body, headers, "/mcp/tickets");
  }

  static HttpResponse<String> post(
      String bearer, String body, Map<String, String> headers, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(warden.base + path))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    new LinkedHashMap<>(headers).forEach(b::header);
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
