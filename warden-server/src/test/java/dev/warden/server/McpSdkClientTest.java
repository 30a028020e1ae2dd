package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.TestHttpsHost;
import dev.warden.testkit.TestOidcProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP TypeScript SDK ({@code @modelcontextprotocol/sdk} from npm) as an unmodified
 * client, against an MCP server built with the same SDK and protected by Warden: the client finds
 * Warden from the server's 401 (RFC 9728), reads Warden's RFC 8414 metadata, identifies itself with
 * a Client ID Metadata Document, sends the user through Warden's authorization endpoint with PKCE
 * S256, the user signs in at a real OIDC provider, and the client redeems the code with the {@code
 * resource} it was authorized for; the server accepts the token through RFC 7662 introspection. All
 * of it done by the SDK on its own.
 */
class McpSdkClientTest {
  static final String LOGIN_CLIENT = "warden-login";
  static final String LOGIN_SECRET = "idp-secret-Vd7Qp2Lm";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcProvider idp;
  static TestHttpsHost host;
  static Process notes;
  static dev.warden.testkit.TestOidcIssuer k8s;
  static McpUpstreamServer tickets;
  static final String AGENT = "spiffe://warden.local/ns/ai/sa/agent";
  static final String UPSTREAM_KEY = "tk_live_only_the_upstream_knows_7731";
  static String notesUrl;
  static String clientId;
  static String redirect;

  @BeforeAll
  static void start() throws Exception {
    int port = ServerFixture.freePort();
    idp =
        TestOidcProvider.start(
            LOGIN_CLIENT, LOGIN_SECRET, "http://127.0.0.1:" + port + "/oauth2/callback");
    host = TestHttpsHost.start();
    Path ca = dir.resolve("cimd-ca.pem");
    Files.writeString(ca, host.caPem(), StandardCharsets.US_ASCII);
    clientId = host.url("/clients/notes-agent.json");
    redirect = "http://127.0.0.1:" + ServerFixture.freePort() + "/callback";
    host.json(
        "/clients/notes-agent.json",
        """
        {"client_id": "%s", "client_name": "Notes agent", "redirect_uris": ["%s"],
         "grant_types": ["authorization_code"], "response_types": ["code"], "token_endpoint_auth_method": "none"}
        """
            .formatted(clientId, redirect));
    Map<String, String> cfg = new LinkedHashMap<>();
    cfg.put("server.port", Integer.toString(port));
    cfg.put("login.provider", "corp");
    cfg.put("login.clientId", LOGIN_CLIENT);
    cfg.put("login.clientSecret", LOGIN_SECRET);
    cfg.put("oauth.clientMetadata.allowedNetworks", "127.0.0.0/8");
    cfg.put("oauth.clientMetadata.trustedCas", ca.toString());
    warden = ServerFixture.start(dir.resolve("data"), cfg);
    int notesPort = ServerFixture.freePort();
    notesUrl = "http://127.0.0.1:" + notesPort + "/mcp";
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: corp}
        spec: {type: oidc, issuer: %s, audiences: [%s], algorithms: [RS256], claims: {email: email, groups: groups}}
        ---
        kind: Resource
        metadata: {name: notes-mcp}
        spec: {audience: "%s", kind: mcp}
        ---
        kind: AccessPolicy
        metadata: {name: mcp-users-to-notes}
        spec:
          workloads: {selectors: ["trust:provider=corp", "oidc:groups=mcp-users"]}
          resources: [notes-mcp]
          scopes: [notes:read]
          maxTtl: 10m
        """
            .formatted(idp.issuer(), LOGIN_CLIENT, notesUrl));
    // the headless agent's side: a Kubernetes workload, and a gateway in front of an SDK-built
    // server
    k8s = dev.warden.testkit.TestOidcIssuer.builder().audience("warden").start();
    tickets = new McpUpstreamServer();
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
        spec: {type: kubernetes, issuer: %s, audiences: [warden], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=agent"], owner: ai@acme.test}
        ---
        kind: Resource
        metadata: {name: tickets}
        spec:
          audience: %s/mcp/tickets
          kind: mcp
          mcp: {url: %s, credential: {secret: tickets-key}}
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [tickets]
          maxTtl: 10m
          condition: request.mcp.method != "tools/call" || request.mcp.tool == "search_tickets"
        ---
        # people in mcp-users may search tickets through any client, acting for themselves
        kind: AccessPolicy
        metadata: {name: mcp-users-tickets}
        spec:
          workloads: {selectors: ["trust:provider=corp", "oidc:groups=mcp-users"]}
          resources: [tickets]
          maxTtl: 5m
          condition: request.mcp.method != "tools/call" || request.mcp.tool == "search_tickets"
        """
            .formatted(k8s.issuer(), AGENT, warden.base, tickets.url(), AGENT));
    notes =
        NodeSdk.start(
            "server.mjs",
            Map.of(
                "PORT",
                Integer.toString(notesPort),
                "WARDEN",
                warden.base,
                "INTROSPECTION_TOKEN",
                warden.adminToken));
  }

  @AfterAll
  static void stop() {
    if (notes != null) {
      notes.destroyForcibly();
    }
    for (AutoCloseable c : new AutoCloseable[] {warden, idp, host, k8s, tickets}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void theTypeScriptSdkClientDiscoversWardenGetsAUserTokenWithPkceAndCallsTheSdkServer()
      throws Exception {
    idp.signIn(new TestOidcProvider.User("u-1842", "ada@acme.test", List.of("mcp-users")));
    List<JsonNode> out =
        NodeSdk.run(
            "client.mjs",
            Map.of(
                "MODE",
                "user",
                "MCP_URL",
                notesUrl,
                "CIMD_URL",
                clientId,
                "REDIRECT_URI",
                redirect,
                "ALLOWED_TOOL",
                "read_note",
                "ALLOWED_ARGS",
                "{\"id\":\"n-7\"}",
                "DENIED_TOOL",
                "purge_notes"));

    JsonNode authorize = NodeSdk.step(out, "authorize");
    assertThat(authorize.path("url").asText()).isEqualTo(warden.base + "/oauth2/authorize");
    assertThat(authorize.path("hasPkce").asBoolean()).isTrue();
    assertThat(authorize.path("clientId").asText()).isEqualTo(clientId);
    assertThat(authorize.path("resource").asText()).isEqualTo(notesUrl);
    JsonNode back = NodeSdk.step(out, "redirected");
    assertThat(back.path("hasCode").asBoolean()).as(back.toString()).isTrue();
    assertThat(back.path("iss").asText()).isEqualTo(warden.base);
    JsonNode allowed = NodeSdk.step(out, "allowed");
    assertThat(allowed.path("isError").asBoolean()).isFalse();
    // the server saw the user as subject and the client as actor
    assertThat(allowed.path("content").path(0).path("text").asText())
        .contains("note n-7 for ")
        .contains(" via " + clientId);
    JsonNode denied = NodeSdk.step(out, "denied");
    assertThat(denied.toString()).contains("insufficient_scope");
    NodeSdk.step(out, "done");

    JsonNode granted =
        warden.admin("GET", "/v1/audit?type=authorization.granted&limit=5", null).json();
    assertThat(granted.path("events").toString()).contains(clientId);
  }

  @Test
  void theTypeScriptSdkClientActingForASignedInUserCallsToolsThroughTheGatewayAsThatUser()
      throws Exception {
    String gateway = warden.base + "/mcp/tickets";
    idp.signIn(new TestOidcProvider.User("u-2210", "grace@acme.test", List.of("mcp-users")));
    List<JsonNode> out =
        NodeSdk.run(
            "client.mjs",
            Map.of(
                "MODE",
                "user",
                "MCP_URL",
                gateway,
                "CIMD_URL",
                clientId,
                "REDIRECT_URI",
                redirect,
                "ALLOWED_TOOL",
                "search_tickets",
                "ALLOWED_ARGS",
                "{\"query\":\"printer\"}",
                "DENIED_TOOL",
                "delete_ticket"));

    assertThat(NodeSdk.step(out, "authorize").path("resource").asText()).isEqualTo(gateway);
    JsonNode allowed = NodeSdk.step(out, "allowed");
    assertThat(allowed.path("isError").asBoolean()).isFalse();
    assertThat(allowed.path("content").path(0).path("text").asText())
        .contains("search_tickets ran");
    assertThat(NodeSdk.step(out, "denied").toString()).contains("delete_ticket");
    NodeSdk.step(out, "done");
    assertThat(tickets.toolsRun).doesNotContain("delete_ticket");

    JsonNode calls =
        warden.admin("GET", "/v1/audit?type=mcp.tool_call&limit=20", null).json().path("events");
    JsonNode mine = null;
    for (JsonNode e : calls) {
      if (e.path("details").path("chainSubject").asText().equals(idp.issuer() + "#u-2210")) {
        mine = e;
      }
    }
    assertThat(mine).as(calls.toString()).isNotNull();
    assertThat(mine.path("actor").asText()).isEqualTo(clientId);
    assertThat(mine.path("details").path("tool").asText()).isEqualTo("search_tickets");
  }

  @Test
  void
      theTypeScriptSdkClientAsAHeadlessAgentGetsItsTokenWithItsWorkloadIdentityAndCallsToolsThroughTheGateway()
          throws Exception {
    String gateway = warden.base + "/mcp/tickets";
    List<JsonNode> out =
        NodeSdk.run(
            "client.mjs",
            Map.of(
                "MODE",
                "headless",
                "MCP_URL",
                gateway,
                "ASSERTION",
                k8s.kubernetesToken("ai", "agent", "agent-pod"),
                "CLIENT_ID",
                AGENT,
                "ISSUER",
                warden.base,
                "ALLOWED_TOOL",
                "search_tickets",
                "ALLOWED_ARGS",
                "{\"query\":\"printer\"}",
                "DENIED_TOOL",
                "delete_ticket"));

    assertThat(NodeSdk.step(out, "token").path("tokenType").asText())
        .isEqualToIgnoringCase("bearer");
    JsonNode allowed = NodeSdk.step(out, "allowed");
    assertThat(allowed.path("isError").asBoolean()).isFalse();
    assertThat(allowed.path("content").path(0).path("text").asText())
        .contains("search_tickets ran");
    JsonNode denied = NodeSdk.step(out, "denied");
    assertThat(denied.toString()).contains("delete_ticket");
    assertThat(tickets.toolsRun).contains("search_tickets").doesNotContain("delete_ticket");
    // the upstream saw only its own credential, never the agent's token
    assertThat(tickets.authorizations)
        .isNotEmpty()
        .allMatch(a -> a.equals("Bearer " + UPSTREAM_KEY));

    JsonNode calls =
        warden.admin("GET", "/v1/audit?type=mcp.tool_call&limit=5", null).json().path("events");
    String root = calls.path(0).path("details").path("chainRoot").asText();
    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + root, null).json();
    assertThat(chain.path("intact").asBoolean()).isTrue();
    assertThat(chain.toString()).contains("mcp.tool_call").contains("mcp.tool_denied");
  }
}
