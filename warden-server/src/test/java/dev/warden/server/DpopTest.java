package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestDpopKey;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DPoP (RFC 9449) over real HTTP: the token endpoint binds a token to the key of a valid proof
 * ({@code cnf.jkt}, {@code token_type: DPoP}) and refuses a bad one with {@code
 * invalid_dpop_proof}; the MCP gateway accepts a bound token only under the DPoP scheme with a
 * proof of its key; token exchange and introspection treat the binding as they treat mTLS. The
 * proofs are built by hand ({@link TestDpopKey}) so that every wrong one can be sent; a third-party
 * client is {@link DpopClientTest}.
 */
class DpopTest {
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final String FRONTEND = "spiffe://acme.test/ns/shop/sa/frontend";
  static final String LEDGER = "https://ledger.acme.test";
  static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String ACCESS = "urn:ietf:params:oauth:token-type:access_token";
  static final String JWT = "urn:ietf:params:oauth:token-type:jwt";

  @TempDir static Path dir;

  static TestOidcIssuer k8s;
  static ServerFixture warden;
  static McpUpstreamServer upstream;
  static String gateway;
  static String tokenUri;
  static final TestDpopKey KEY = TestDpopKey.generate("ES256");
  static final TestDpopKey OTHER = TestDpopKey.generate("ES256");

  @BeforeAll
  static void start() throws Exception {
    upstream = new McpUpstreamServer();
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir, Map.of("server.trustDomain", "acme.test"));
    gateway = warden.base + "/mcp/tickets";
    tokenUri = warden.server.issuer() + "/oauth2/token";
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/secrets/tickets-key",
                    "{\"value\": \"tk_upstream_9\", \"owner\": \"ai@acme.test\"}")
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
        spec: {spiffeId: %s, selectors: ["k8s:ns=shop", "k8s:sa=frontend"], owner: shop@acme.test}
        ---
        kind: Resource
        metadata: {name: tickets}
        spec: {audience: %s, kind: mcp, mcp: {url: %s, credential: {secret: tickets-key}}}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s, kind: http}
        ---
        kind: AccessPolicy
        metadata: {name: agent-tickets}
        spec: {workloads: {spiffeIds: [%s]}, resources: [tickets], maxTtl: 10m}
        ---
        kind: AccessPolicy
        metadata: {name: frontend-ledger}
        spec: {workloads: {spiffeIds: [%s]}, resources: [ledger], maxTtl: 10m}
        ---
        kind: AccessPolicy
        metadata: {name: agent-for-frontend}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [ledger]
          maxTtl: 5m
          condition: request.subject.id == "%s"
        """
            .formatted(
                k8s.issuer(),
                AGENT,
                FRONTEND,
                gateway,
                upstream.url(),
                LEDGER,
                AGENT,
                FRONTEND,
                AGENT,
                FRONTEND));
  }

  @AfterAll
  static void stop() throws Exception {
    warden.close();
    k8s.close();
    upstream.close();
  }

  static String platform(String sa) {
    return k8s.kubernetesToken(sa.equals("frontend") ? "shop" : "ai", sa, sa + "-pod");
  }

  static Map<String, String> clientCredentials(String sa, String resource) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "client_credentials");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", platform(sa));
    f.put("resource", resource);
    return f;
  }

  static ServerFixture.Response withProof(Map<String, String> form, String proof) {
    return warden.tokenWithHeaders(form, proof == null ? Map.of() : Map.of("DPoP", proof));
  }

  static String proof(TestDpopKey key) {
    return key.proof("POST", tokenUri, Instant.now()).compact();
  }

  static String boundToken(String sa, String resource, TestDpopKey key) {
    ServerFixture.Response r = withProof(clientCredentials(sa, resource), proof(key));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cnf(String token) throws Exception {
    return (Map<String, Object>) SignedJWT.parse(token).getJWTClaimsSet().getClaim("cnf");
  }

  @Test
  void metadataAdvertisesTheDpopAlgorithms() {
    JsonNode m = warden.get("/.well-known/oauth-authorization-server").json();
    assertThat(m.path("dpop_signing_alg_values_supported").toString())
        .contains("ES256")
        .contains("EdDSA")
        .contains("PS256")
        .doesNotContain("HS256")
        .doesNotContain("none");
    assertThat(
            warden
                .get("/.well-known/oauth-protected-resource/mcp/tickets")
                .json()
                .path("dpop_signing_alg_values_supported")
                .toString())
        .contains("ES256");
  }

  @Test
  void aValidProofGetsATokenBoundToItsKeyAndTheGrantEventRecordsTheThumbprint() throws Exception {
    ServerFixture.Response r = withProof(clientCredentials("frontend", LEDGER), proof(KEY));

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("DPoP");
    String token = r.json().path("access_token").asText();
    assertThat(cnf(token)).isEqualTo(Map.of("jkt", KEY.thumbprint()));
    JsonNode issued =
        warden.admin("GET", "/v1/audit?type=token.issued&limit=1", null).json().path("events");
    assertThat(issued.path(0).path("details").path("jkt").asText()).isEqualTo(KEY.thumbprint());

    ServerFixture.Response introspected =
        warden.send("/oauth2/introspect", "token=" + token, warden.adminToken);
    assertThat(introspected.json().path("active").asBoolean()).isTrue();
    assertThat(introspected.json().path("token_type").asText()).isEqualTo("DPoP");
    assertThat(introspected.json().path("cnf").path("jkt").asText()).isEqualTo(KEY.thumbprint());
  }

  @Test
  void withoutADpopHeaderTheTokenIsABearerTokenAsBefore() throws Exception {
    ServerFixture.Response r = warden.token(clientCredentials("frontend", LEDGER));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("Bearer");
    assertThat(cnf(r.json().path("access_token").asText())).isNull();
  }

  @Test
  void aProofForAnotherUriIsRefusedAsInvalidDpopProofAndAudited() {
    String wrong = KEY.proof("POST", warden.base + "/oauth2/jwks", Instant.now()).compact();

    ServerFixture.Response r = withProof(clientCredentials("frontend", LEDGER), wrong);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_dpop_proof");
    assertThat(r.json().path("error_description").asText()).contains("htu");
    JsonNode denied = warden.lastAuditEvent();
    assertThat(denied.path("type").asText()).isEqualTo("token.denied");
    assertThat(denied.path("reason").asText()).isEqualTo("invalid_dpop_proof");
  }

  @Test
  void aReplayedProofIsRefused() {
    String p = proof(KEY);
    assertThat(withProof(clientCredentials("frontend", LEDGER), p).status()).isEqualTo(200);

    ServerFixture.Response again = withProof(clientCredentials("frontend", LEDGER), p);

    assertThat(again.status()).isEqualTo(400);
    assertThat(again.json().path("error").asText()).isEqualTo("invalid_dpop_proof");
    assertThat(again.json().path("error_description").asText()).contains("used before");
  }

  @Test
  void twoDpopHeadersAreRefused() throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(tokenUri))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("DPoP", proof(KEY))
            .header("DPoP", proof(KEY))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "grant_type=client_credentials&client_assertion_type="
                        + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                        + "&client_assertion="
                        + platform("frontend")
                        + "&resource="
                        + LEDGER))
            .build();
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("invalid_dpop_proof").contains("exactly one DPoP header");
  }

  @Test
  void aDpopBoundSubjectTokenCannotBeExchangedByAnotherParty() {
    String subject = boundToken("frontend", LEDGER, KEY);

    ServerFixture.Response r = withProof(exchange(subject), proof(KEY));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error_description").asText())
        .contains("bound to a DPoP key")
        .contains("bearer token to delegate");
    JsonNode denied = warden.lastAuditEvent();
    assertThat(denied.path("reason").asText()).isEqualTo("invalid_grant");
    assertThat(denied.path("details").path("dpopJkt").asText()).isEqualTo(KEY.thumbprint());
  }

  @Test
  void anExchangeWithTheActorsProofIsBoundToTheActorsKey() throws Exception {
    String subject =
        warden.token(clientCredentials("frontend", LEDGER)).json().path("access_token").asText();

    ServerFixture.Response r = withProof(exchange(subject), proof(OTHER));

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("DPoP");
    String token = r.json().path("access_token").asText();
    assertThat(cnf(token)).isEqualTo(Map.of("jkt", OTHER.thumbprint()));
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getSubject()).isEqualTo(FRONTEND);
  }

  @Test
  void aTransactionTokenRequestWithADpopProofIsRefusedForATxnTokenIsNeverBound() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", EXCHANGE);
    f.put("requested_token_type", "urn:ietf:params:oauth:token-type:txn_token");
    f.put("subject_token", platform("agent"));
    f.put("subject_token_type", JWT);
    f.put("audience", "acme.test");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", platform("agent"));

    ServerFixture.Response r = withProof(f, proof(KEY));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(r.json().path("error_description").asText()).contains("never bound to a key");
  }

  static Map<String, String> exchange(String subject) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", EXCHANGE);
    f.put("subject_token", subject);
    f.put("subject_token_type", ACCESS);
    f.put("actor_token", platform("agent"));
    f.put("actor_token_type", JWT);
    f.put("resource", LEDGER);
    return f;
  }

  @Test
  void theGatewayAcceptsABoundTokenWithAProofOfItsKey() throws Exception {
    String token = boundToken("agent", gateway, KEY);

    HttpResponse<String> r =
        mcp(
            "DPoP " + token,
            List.of(KEY.proof("POST", gateway, Instant.now()).ath(token).compact()));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"result\"");
  }

  @Test
  void theGatewayRefusesABoundTokenPresentedAsBearer() throws Exception {
    String token = boundToken("agent", gateway, KEY);

    HttpResponse<String> r = mcp("Bearer " + token, List.of());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .startsWith("DPoP ")
        .contains("error=\"invalid_token\"")
        .contains("algs=\"ES256");
    assertThat(r.body()).contains("dpop_binding_mismatch");
    String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    assertThat(warden.admin("GET", "/v1/audit/chains/" + jti, null).json().toString())
        .contains("dpop_binding_mismatch");
  }

  @Test
  void theGatewayRefusesAProofByAnotherKeyOrForAnotherTokenOrRequest() throws Exception {
    String token = boundToken("agent", gateway, KEY);
    Instant now = Instant.now();
    Map<String, String> proofs =
        Map.of(
            "another key", OTHER.proof("POST", gateway, now).ath(token).compact(),
            "no ath", KEY.proof("POST", gateway, now).compact(),
            "another token's ath", KEY.proof("POST", gateway, now).ath(token + "x").compact(),
            "GET", KEY.proof("GET", gateway, now).ath(token).compact(),
            "the token endpoint", KEY.proof("POST", tokenUri, now).ath(token).compact());
    for (Map.Entry<String, String> p : proofs.entrySet()) {
      HttpResponse<String> r = mcp("DPoP " + token, List.of(p.getValue()));
      assertThat(r.statusCode()).as(p.getKey()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
          .as(p.getKey())
          .startsWith("DPoP ")
          .contains("error=\"invalid_dpop_proof\"");
    }
    HttpResponse<String> none = mcp("DPoP " + token, List.of());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("no DPoP header");
  }

  @Test
  void theGatewayRefusesAnUnboundTokenUnderTheDpopScheme() throws Exception {
    String token =
        warden.token(clientCredentials("agent", gateway)).json().path("access_token").asText();

    HttpResponse<String> r =
        mcp(
            "DPoP " + token,
            List.of(KEY.proof("POST", gateway, Instant.now()).ath(token).compact()));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("not bound to a DPoP key");
  }

  static HttpResponse<String> mcp(String authorization, List<String> proofs) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", authorization)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    McpGatewayTest.initialize(), StandardCharsets.UTF_8));
    proofs.forEach(p -> b.header("DPoP", p));
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
