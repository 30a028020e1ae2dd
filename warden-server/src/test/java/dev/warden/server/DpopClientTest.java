package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real third-party DPoP client against Warden: openid-client 6.8.9 from npm ({@code npm ci}
 * against the committed lockfile of src/test/node/dpop-client), run with node, unmodified. It
 * discovers Warden, gets a DPoP-bound token with a key pair of its own making, and calls the MCP
 * gateway with it; the same token as a Bearer token, or with proofs by another key, is refused.
 */
class DpopClientTest {
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final NodeProject CLIENT = new NodeProject("dpop-client", "openid-client/package.json");

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
                    "{\"value\": \"tk_upstream_5\", \"owner\": \"ai@acme.test\"}")
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
        kind: Resource
        metadata: {name: tickets}
        spec: {audience: %s, kind: mcp, mcp: {url: %s, credential: {secret: tickets-key}}}
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec: {workloads: {spiffeIds: [%s]}, resources: [tickets], maxTtl: 10m}
        """
            .formatted(k8s.issuer(), AGENT, gateway, upstream.url(), AGENT));
  }

  @AfterAll
  static void stop() throws Exception {
    warden.close();
    k8s.close();
    upstream.close();
  }

  @Test
  void openidClientGetsADpopBoundTokenAndCallsTheGatewayWithItAndTheTokenIsUselessWithoutItsKey()
      throws Exception {
    List<JsonNode> out =
        CLIENT.run(
            "client.mjs",
            Map.of(
                "ISSUER",
                warden.server.issuer(),
                "CLIENT_ID",
                AGENT,
                "ASSERTION",
                k8s.kubernetesToken("ai", "agent", "agent-pod"),
                "RESOURCE",
                gateway));

    assertThat(NodeProject.step(out, "discovered").path("dpopAlgs").toString()).contains("ES256");
    JsonNode token = NodeProject.step(out, "token");
    assertThat(token.path("tokenType").asText()).isEqualToIgnoringCase("DPoP");
    assertThat(token.path("jkt").asText()).hasSize(43);
    JsonNode called = NodeProject.step(out, "called");
    assertThat(called.path("status").asInt()).as(called.toString()).isEqualTo(200);
    assertThat(called.path("initialized").asBoolean()).isTrue();

    JsonNode bearer = NodeProject.step(out, "bearer");
    assertThat(bearer.path("status").asInt()).isEqualTo(401);
    assertThat(bearer.path("challenge").asText())
        .startsWith("DPoP ")
        .contains("error=\"invalid_token\"");
    JsonNode otherKey = NodeProject.step(out, "otherKey");
    assertThat(otherKey.toString()).contains("401").contains("invalid_dpop_proof");
    NodeProject.step(out, "done");

    JsonNode issued =
        warden.admin("GET", "/v1/audit?type=token.issued&limit=1", null).json().path("events");
    assertThat(issued.path(0).path("details").path("jkt").asText())
        .isEqualTo(token.path("jkt").asText());
  }
}
