package dev.warden.agent.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.agent.edge.EdgeFixture;
import dev.warden.core.edge.ProxySpec;
import dev.warden.testkit.TestOidcIssuer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request sent through the HTTP egress proxy with a {@code Txn-Token} (and a W3C {@code
 * traceparent}) is a hop of that transaction's chain, end to end with nothing faked: a Warden
 * server, a frontend workload (Kubernetes evidence from a test issuer) that asks for a transaction
 * token, the agent's proxy that the api workload (this process) sends its request through, and a
 * destination that echoes what it received. The server verifies the token the agent passed on; a
 * token that does not hold is recorded as such and never as the chain.
 */
class HttpProxyChainTest {
  static final String FRONTEND = "spiffe://warden.local/shop/frontend";
  static final String CHECKOUT = "spiffe://warden.local/shop/checkout";
  static final String LEDGER = "https://ledger.warden.local";
  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static TestOidcIssuer k8s;
  static EchoServer orders;
  static EchoServer untraced;
  static int proxy;

  @BeforeAll
  static void start() throws Exception {
    k8s = TestOidcIssuer.builder().audience("https://warden.local").start();
    orders = EchoServer.plain();
    untraced = EchoServer.plain();
    warden = EdgeFixture.start(dir);
    warden.admin(
        "PUT",
        "/v1/secrets/orders-key",
        EdgeFixture.JSON.writeValueAsString(
            Map.of("value", "orders-secret", "owner", "shop@example.org")));
    warden.apply(
        List.of(
            EdgeFixture.workload(),
            Map.of(
                "kind",
                "TrustProvider",
                "metadata",
                Map.of("name", "cluster"),
                "spec",
                Map.of(
                    "type",
                    "kubernetes",
                    "issuer",
                    k8s.issuer(),
                    "audiences",
                    List.of("https://warden.local"),
                    "algorithms",
                    List.of("RS256"))),
            Map.of(
                "kind",
                "Workload",
                "spec",
                Map.of(
                    "spiffeId",
                    FRONTEND,
                    "selectors",
                    List.of("k8s:ns=shop", "k8s:sa=frontend"),
                    "owner",
                    "shop@example.org")),
            resource("ledger", Map.of("audience", LEDGER, "kind", "http")),
            resource("transactions", Map.of("audience", "spiffe://warden.local", "kind", "http")),
            resource(
                "orders-api",
                Map.of(
                    "audience",
                    "https://localhost/orders",
                    "kind",
                    "secret",
                    "secret",
                    Map.of("name", "orders-key"))),
            Map.of(
                "kind",
                "Workload",
                "spec",
                Map.of(
                    "spiffeId",
                    CHECKOUT,
                    "selectors",
                    List.of("k8s:ns=shop", "k8s:sa=checkout"),
                    "owner",
                    "shop@example.org")),
            policy(
                "shop-ledger",
                "spiffe://warden.local/shop/*",
                "ledger",
                Map.of("scopes", List.of("read"))),
            policy(
                "frontend-transactions",
                FRONTEND,
                "transactions",
                Map.of("scopes", List.of("trade"))),
            // checkout's transactions live two seconds: long enough to expire in a test
            policy(
                "checkout-transactions",
                CHECKOUT,
                "transactions",
                Map.of("scopes", List.of("trade"), "maxTtl", "2s")),
            policy(
                "api-orders",
                EdgeFixture.WORKLOAD,
                "orders-api",
                Map.of("credentialKind", "brokered_secret"))));
    proxy = EdgeFixture.freePort();
    warden.startAgent(
        List.of(
            ProxySpec.parse(
                "http:listen=127.0.0.1:"
                    + proxy
                    + ",route=localhost:"
                    + orders.port()
                    + "=resource:orders-api;plaintext"
                    + ",route=localhost:"
                    + untraced.port()
                    + "=resource:orders-api;plaintext")));
  }

  static Map<String, Object> resource(String name, Map<String, Object> spec) {
    return Map.of("kind", "Resource", "metadata", Map.of("name", name), "spec", spec);
  }

  static Map<String, Object> policy(
      String name, String workload, String resource, Map<String, Object> more) {
    Map<String, Object> spec = new LinkedHashMap<>(more);
    spec.put("workloads", Map.of("spiffeIds", List.of(workload)));
    spec.put("resources", List.of(resource));
    spec.putIfAbsent("maxTtl", "10m");
    return Map.of("kind", "AccessPolicy", "metadata", Map.of("name", name), "spec", spec);
  }

  @AfterAll
  static void stop() throws Exception {
    if (warden != null) {
      warden.close();
    }
    if (orders != null) {
      orders.close();
    }
    if (untraced != null) {
      untraced.close();
    }
    if (k8s != null) {
      k8s.close();
    }
  }

  /** The frontend's transaction token for "trade", as the token endpoint issues it. */
  static String transactionToken() throws Exception {
    return transactionToken("frontend");
  }

  /** The transaction token of workload shop/{@code sa} for "trade". */
  static String transactionToken(String sa) throws Exception {
    HttpResponse<String> at =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                JWT_BEARER,
                "client_assertion",
                k8s.kubernetesToken("shop", sa, sa + "-1"),
                "resource",
                LEDGER,
                "scope",
                "read"));
    assertThat(at.statusCode()).as(at.body()).isEqualTo(200);
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", TOKEN_EXCHANGE);
    f.put("requested_token_type", "urn:ietf:params:oauth:token-type:txn_token");
    f.put("audience", "warden.local");
    f.put("scope", "trade");
    f.put("subject_token", EdgeFixture.JSON.readTree(at.body()).path("access_token").asText());
    f.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
    f.put("client_assertion_type", JWT_BEARER);
    f.put("client_assertion", k8s.kubernetesToken("shop", sa, sa + "-1"));
    HttpResponse<String> txn = warden.token(f);
    assertThat(txn.statusCode()).as(txn.body()).isEqualTo(200);
    return EdgeFixture.JSON.readTree(txn.body()).path("access_token").asText();
  }

  /** Sends a request through the proxy with these headers; returns what the destination saw. */
  static String send(String path, String... headers) throws Exception {
    return send(orders, path, headers);
  }

  static String send(EchoServer to, String path, String... headers) throws Exception {
    HttpClient c = HttpProxyTest.jdk(proxy, warden.bundle());
    HttpResponse<String> r = HttpProxyTest.get(c, "http://localhost:" + to.port() + path, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void aRequestWithAValidTxnTokenIsAHopOfItsChainLinkedToTheTokensIssuanceAndVerifies()
      throws Exception {
    String token = transactionToken();
    SignedJWT jwt = SignedJWT.parse(token);
    String txn = jwt.getJWTClaimsSet().getStringClaim("txn");
    String echoed = send("/orders/1", "Txn-Token", token, "traceparent", TRACEPARENT);
    // what the application sent goes on unchanged, with the credential added
    assertThat(echoed)
        .contains("txn-token: " + token)
        .contains("traceparent: " + TRACEPARENT)
        .contains("orders-secret");

    JsonNode e =
        warden.awaitEvent(
            "connection.proxied", x -> txn.equals(x.path("details").path("txn").asText()));
    JsonNode d = e.path("details");
    assertThat(e.path("workload").asText()).isEqualTo(EdgeFixture.WORKLOAD);
    assertThat(d.path("previousHop").asText()).isEqualTo(jwt.getJWTClaimsSet().getJWTID());
    assertThat(d.path("previousHopHash").asText()).matches("[0-9a-f]{64}");
    assertThat(d.path("chainSubject").asText()).isEqualTo(FRONTEND);
    assertThat(d.path("traceparent").asText()).isEqualTo(TRACEPARENT);
    assertThat(d.has("txnTokenRejected")).isFalse();
    assertThat(e.toString()).doesNotContain(token);

    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + txn, null);
    assertThat(chain.path("intact").asBoolean()).as(chain.toString()).isTrue();
    JsonNode issuance = find(chain.path("tree"), jwt.getJWTClaimsSet().getJWTID());
    assertThat(issuance).as(chain.toString()).isNotNull();
    assertThat(issuance.path("children").findValuesAsText("id")).contains(e.path("id").asText());
  }

  @Test
  void aForgedTxnTokenIsRecordedWithoutAChainAndWithTheReason() throws Exception {
    String real = transactionToken();
    String[] parts = real.split("\\.");
    // the same claims under another txn, with the original signature: it does not verify
    String forgedTxn = UUID.randomUUID().toString();
    String claims =
        new String(
                java.util.Base64.getUrlDecoder().decode(parts[1]),
                java.nio.charset.StandardCharsets.UTF_8)
            .replaceFirst("\"txn\":\"[^\"]+\"", "\"txn\":\"" + forgedTxn + "\"");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + "."
            + parts[2];
    String echoed = send("/orders/forged", "Txn-Token", forged);
    assertThat(echoed).contains("txn-token: " + forged).contains("orders-secret");
    JsonNode e =
        warden.awaitEvent(
            "connection.proxied",
            x -> x.path("details").path("txnTokenRejected").asText().contains("bad_signature"));
    JsonNode d = e.path("details");
    assertThat(d.has("txn")).isFalse();
    assertThat(d.has("previousHop")).isFalse();
    assertThat(d.has("chainRoot")).isFalse();
    assertThat(warden.adminResponse("GET", "/v1/audit/chains/" + forgedTxn, null).statusCode())
        .as("an unverified txn starts no chain")
        .isEqualTo(404);
  }

  @Test
  void aTxnTokenThatExpiredBeforeTheRequestIsRecordedWithoutAChain() throws Exception {
    String token = transactionToken("checkout");
    var claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime())
        .isLessThanOrEqualTo(2_000L);
    Thread.sleep(claims.getExpirationTime().getTime() - System.currentTimeMillis() + 1_100L);
    send("/orders/expired", "Txn-Token", token);
    JsonNode e =
        warden.awaitEvent(
            "connection.proxied",
            x -> x.path("details").path("txnTokenRejected").asText().startsWith("token_expired"));
    assertThat(e.path("details").has("txn")).isFalse();
    assertThat(e.path("details").has("previousHop")).isFalse();
  }

  @Test
  void anAccessTokenSentAsTxnTokenIsRejectedForItsType() throws Exception {
    HttpResponse<String> at =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                JWT_BEARER,
                "client_assertion",
                k8s.kubernetesToken("shop", "frontend", "frontend-1"),
                "resource",
                LEDGER,
                "scope",
                "read"));
    String access = EdgeFixture.JSON.readTree(at.body()).path("access_token").asText();
    send("/orders/access", "Txn-Token", access);
    JsonNode e =
        warden.awaitEvent(
            "connection.proxied",
            x -> x.path("details").path("txnTokenRejected").asText().contains("txntoken+jwt"));
    assertThat(e.path("details").has("txn")).isFalse();
  }

  @Test
  void anOversizedTxnTokenIsNotPassedOnAndTheEventSaysSo() throws Exception {
    String huge = "x".repeat(9000);
    String echoed = send("/orders/huge", "Txn-Token", huge);
    assertThat(echoed).contains("txn-token: " + huge); // forwarded unchanged all the same
    JsonNode e =
        warden.awaitEvent(
            "connection.proxied",
            x -> x.path("details").path("txnTokenRejected").asText().contains("longer than 8192"));
    assertThat(e.path("details").has("txn")).isFalse();
  }

  @Test
  void aMalformedTraceparentIsIgnoredAndARequestWithoutHeadersIsUnchanged() throws Exception {
    String bad = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"; // an all-zero trace id
    String echoed = send(untraced, "/badtrace", "traceparent", bad);
    assertThat(echoed).contains("traceparent: " + bad); // forwarded unchanged, not recorded
    send(untraced, "/plain");
    String dest = "localhost:" + untraced.port();
    List<JsonNode> events = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (events.size() < 2 && System.nanoTime() < deadline) {
      events.clear();
      for (JsonNode x :
          warden.admin("GET", "/v1/audit?type=connection.proxied&limit=200", null).path("events")) {
        if (dest.equals(x.path("details").path("destination").asText())) {
          events.add(x);
        }
      }
      Thread.sleep(200);
    }
    assertThat(events).hasSize(2);
    for (JsonNode x : events) {
      assertThat(x.path("details").has("traceparent")).as(x.toString()).isFalse();
      assertThat(x.path("details").has("txn")).isFalse();
      assertThat(x.path("details").has("txnTokenRejected")).isFalse();
      assertThat(x.path("details").has("previousHop")).isFalse();
      assertThat(x.path("details").has("chainRoot")).isFalse();
    }
  }

  static JsonNode find(JsonNode nodes, String id) {
    for (JsonNode n : nodes) {
      if (id.equals(n.path("id").asText())) {
        return n;
      }
      JsonNode f = find(n.path("children"), id);
      if (f != null) {
        return f;
      }
    }
    return null;
  }
}
