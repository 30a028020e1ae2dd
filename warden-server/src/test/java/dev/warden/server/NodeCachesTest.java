package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leases and brokered secrets a node keeps (decisions 662 and 022: the MCP gateway's, and the
 * opened secrets {@code /v1/credentials} hands out), on two nodes of one real PostgreSQL with the
 * poll of change counters set to 30 s: a revocation or a secret change made through node A reaches
 * node B's gateway and reads only through the change notification, and must within two seconds (the
 * documented bound is 100 ms at p99; this test runs beside whatever else shares the machine).
 */
class NodeCachesTest {
  static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final long BOUND_MILLIS = 2_000;

  @TempDir static Path dir;

  static String database;
  static TestOidcIssuer k8s;
  static McpUpstreamServer upstream;
  static ServerFixture nodeA;
  static ServerFixture nodeB;
  static String audience;

  @BeforeAll
  static void start() throws Exception {
    database = TestPostgres.createDatabase("warden_mcp_");
    upstream = new McpUpstreamServer();
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("db.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
    flags.put("db.user", "postgres");
    flags.put("server.trustDomain", "acme.test");
    // one issuer for both nodes, as behind a load balancer: a token from A is verified on B
    flags.put("server.issuer", "https://warden.acme.test");
    // only a notification can reach the other node in time
    flags.put("reload.interval", "30s");
    nodeA = ServerFixture.start(dir, flags);
    nodeB = ServerFixture.start(dir, flags); // same data dir: the nodes share the master key file
    audience = nodeA.base + "/mcp/tickets";
    assertThat(
            nodeA
                .admin(
                    "PUT",
                    "/v1/secrets/tickets-key",
                    "{\"value\": \"key-v1\", \"cas\": 0, \"owner\": \"ai@acme.test\"}")
                .status())
        .isEqualTo(200);
    nodeA.apply(
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
        spec:
          audience: %s
          kind: mcp
          mcp: {url: %s, credential: {secret: tickets-key}}
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec: {workloads: {spiffeIds: [%s]}, resources: [tickets], maxTtl: 10m}
        ---
        kind: Resource
        metadata: {name: tickets-key-api}
        spec: {audience: https://tickets.vendor.test, kind: secret, secret: {name: tickets-key}}
        ---
        kind: AccessPolicy
        metadata: {name: agent-reads-tickets-key}
        spec: {workloads: {spiffeIds: [%s]}, resources: [tickets-key-api],
               credentialKind: brokered_secret, maxTtl: 10m}
        """
            .formatted(k8s.issuer(), AGENT, audience, upstream.url(), AGENT, AGENT));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, k8s, upstream}) {
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

  static String token() {
    ServerFixture.Response r =
        nodeA.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                k8s.kubernetesToken("ai", "agent", "agent-pod"),
                "resource",
                audience));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  static HttpResponse<String> callOnB(String bearer) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(nodeB.base + "/mcp/tickets"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + bearer)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        McpGatewayTest.initialize(), StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Calls node B's gateway until {@code done} holds; how long that took after {@code since}. */
  static long untilOnB(String bearer, Predicate<HttpResponse<String>> done, long since)
      throws Exception {
    HttpResponse<String> last = null;
    while (System.nanoTime() - since < BOUND_MILLIS * 1_000_000 * 5) {
      last = callOnB(bearer);
      if (done.test(last)) {
        return (System.nanoTime() - since) / 1_000_000;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(
        "node B never saw the change; it last answered "
            + (last == null ? "nothing" : last.statusCode() + " " + last.body()));
  }

  /** Node B serves the gateway once it has the configuration applied on A (first notification). */
  static String warmOnB() throws Exception {
    String token = token();
    untilOnB(token, r -> r.statusCode() == 200, System.nanoTime());
    // a second call is served with what B keeps
    assertThat(callOnB(token).statusCode()).isEqualTo(200);
    return token;
  }

  /** Writes version {@code version + 1} of tickets-key through node A. */
  static void newVersionOnA(long version) {
    assertThat(
            nodeA
                .admin(
                    "PUT",
                    "/v1/secrets/tickets-key",
                    "{\"value\": \"key-v" + (version + 1) + "\", \"cas\": " + version + "}")
                .status())
        .isEqualTo(200);
  }

  /** Deletes or undeletes a version of tickets-key through node A. */
  static void versionOnA(long version, String action) {
    assertThat(
            nodeA
                .admin("POST", "/v1/secrets/tickets-key/versions/" + version + ":" + action, null)
                .status())
        .isEqualTo(200);
  }

  @Test
  void aLeaseRevokedThroughAnotherNodeIsRefusedByThisNodesGatewayOnNotification() throws Exception {
    String token = warmOnB();
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();

    long sent = System.nanoTime();
    assertThat(nodeA.admin("POST", "/v1/leases/" + jti + ":revoke", null).status()).isEqualTo(200);
    long took =
        untilOnB(token, r -> r.statusCode() == 401 && r.body().contains("token_revoked"), sent);

    assertThat(took).isLessThan(BOUND_MILLIS);
  }

  @Test
  void aNewOrDeletedSecretVersionWrittenThroughAnotherNodeReachesThisNodesGatewayOnNotification()
      throws Exception {
    String token = warmOnB();
    String before = upstream.authorizations.getLast();
    long version = Long.parseLong(before.substring("Bearer key-v".length()));

    long sent = System.nanoTime();
    newVersionOnA(version);
    long took =
        untilOnB(
            token,
            r ->
                r.statusCode() == 200
                    && upstream.authorizations.getLast().equals("Bearer key-v" + (version + 1)),
            sent);
    assertThat(took).isLessThan(BOUND_MILLIS);

    sent = System.nanoTime();
    versionOnA(version + 1, "delete");
    took = untilOnB(token, r -> r.body().contains("secret_unavailable"), sent);
    assertThat(took).isLessThan(BOUND_MILLIS);
    List<String> seen = List.copyOf(upstream.authorizations);
    // undo, for the other test
    versionOnA(version + 1, "undelete");
    assertThat(seen.getLast()).isEqualTo("Bearer key-v" + (version + 1));
  }

  /** A brokered read of tickets-key at node B's {@code /v1/credentials}. */
  static ServerFixture.Response readOnB() {
    return nodeB.send(
        "/v1/credentials",
        "client_assertion_type="
            + java.net.URLEncoder.encode(
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
            + "&client_assertion="
            + k8s.kubernetesToken("ai", "agent", "agent-pod")
            + "&resource="
            + java.net.URLEncoder.encode("https://tickets.vendor.test", StandardCharsets.UTF_8),
        null);
  }

  /** Reads at node B until {@code done} holds; how long that took after {@code since}. */
  static long untilReadOnB(Predicate<ServerFixture.Response> done, long since) throws Exception {
    ServerFixture.Response last = null;
    while (System.nanoTime() - since < BOUND_MILLIS * 1_000_000 * 5) {
      last = readOnB();
      if (done.test(last)) {
        return (System.nanoTime() - since) / 1_000_000;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(
        "node B never handed out the change; it last answered "
            + (last == null ? "nothing" : last.status() + " " + last.json()));
  }

  @Test
  void aSecretVersionChangedThroughAnotherNodeIsWhatThisNodeHandsOutOnNotification()
      throws Exception {
    untilReadOnB(r -> r.status() == 200, System.nanoTime());
    ServerFixture.Response kept = readOnB(); // served with what B keeps
    assertThat(kept.status()).as(kept.json().toString()).isEqualTo(200);
    long version = kept.json().path("version").asLong();
    assertThat(kept.json().path("value").asText()).isEqualTo("key-v" + version);

    long sent = System.nanoTime();
    newVersionOnA(version);
    long took =
        untilReadOnB(
            r ->
                r.status() == 200
                    && r.json().path("value").asText().equals("key-v" + (version + 1))
                    && r.json().path("version").asLong() == version + 1,
            sent);
    assertThat(took).isLessThan(BOUND_MILLIS);

    sent = System.nanoTime();
    versionOnA(version + 1, "delete");
    took =
        untilReadOnB(
            r ->
                r.status() == 400
                    && r.json().path("error_description").asText().contains("deleted"),
            sent);
    assertThat(took).isLessThan(BOUND_MILLIS);
    // undo, for the other tests
    versionOnA(version + 1, "undelete");
  }
}
