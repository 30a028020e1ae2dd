package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestOidcIssuer;
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
 * RFC 8693 delegation over real HTTP: a service's Warden token exchanged by an agent (actor_token),
 * then by a sub-agent, with the act chain nested, down-scoped, visible to CEL, refused where a rule
 * is broken, and each hop linked to the audit record of the hop before it.
 */
class DelegationTest {
  static final String LEDGER = "https://ledger.acme.test";
  static final String FRONTEND = "spiffe://acme.test/ns/shop/sa/frontend";
  static final String AGENT = "spiffe://acme.test/ns/ai/sa/agent";
  static final String SUBAGENT = "spiffe://acme.test/ns/ai/sa/subagent";
  static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String JWT = "urn:ietf:params:oauth:token-type:jwt";
  static final String ACCESS = "urn:ietf:params:oauth:token-type:access_token";

  @TempDir static Path dir;

  static TestOidcIssuer k8s;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden =
        ServerFixture.start(
            dir, Map.of("server.trustDomain", "acme.test", "delegation.maxDepth", "3"));
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=shop", "k8s:sa=frontend"], owner: shop@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=agent"], owner: ai@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=ai", "k8s:sa=subagent"], owner: ai@acme.test}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s, kind: http, sensitivity: high}
        ---
        kind: Resource
        metadata: {name: reports}
        spec: {audience: https://reports.acme.test, kind: http}
        ---
        kind: Resource
        metadata: {name: transactions}
        spec: {audience: "spiffe://acme.test", kind: http}
        ---
        kind: AccessPolicy
        metadata: {name: frontend-to-ledger}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [ledger, reports]
          maxTtl: 10m
          scopes: [read, write]
        ---
        kind: AccessPolicy
        metadata: {name: agents-for-the-frontend}
        spec:
          workloads: {spiffeIds: ["spiffe://acme.test/ns/ai/*"]}
          resources: [ledger]
          maxTtl: 5m
          scopes: [read, write]
          condition: >-
            request.subject.id == "%s" && request.delegation_depth <= 2
            && request.actor_chain.all(a, a.registered)
        ---
        kind: AccessPolicy
        metadata: {name: frontend-transactions}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [transactions]
          maxTtl: 10m
          scopes: [trade]
        """
            .formatted(
                k8s.issuer(), FRONTEND, AGENT, SUBAGENT, LEDGER, FRONTEND, FRONTEND, FRONTEND));
  }

  @AfterAll
  static void stop() {
    warden.close();
    k8s.close();
  }

  static String platform(String sa) {
    return k8s.kubernetesToken(sa.equals("frontend") ? "shop" : "ai", sa, sa + "-pod");
  }

  static String frontendToken(String scope) {
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platform("frontend"),
                "resource",
                LEDGER,
                "scope",
                scope));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  static Map<String, String> exchange(
      String subjectToken, String actorToken, String resource, String scope) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", TOKEN_EXCHANGE);
    f.put("subject_token", subjectToken);
    f.put("subject_token_type", ACCESS);
    f.put("actor_token", actorToken);
    f.put("actor_token_type", JWT);
    f.put("resource", resource);
    if (scope != null) {
      f.put("scope", scope);
    }
    return f;
  }

  static JsonNode lastEvent() {
    return warden.lastAuditEvent();
  }

  @Test
  void agentExchangesTheServicesTokenForADownScopedTokenNamingTheServiceAndItselfAsActor()
      throws Exception {
    String subject = frontendToken("read write");
    String subjectJti = SignedJWT.parse(subject).getJWTClaimsSet().getJWTID();
    Instant subjectExp = SignedJWT.parse(subject).getJWTClaimsSet().getExpirationTime().toInstant();

    ServerFixture.Response r = warden.token(exchange(subject, platform("agent"), LEDGER, "read"));

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("issued_token_type").asText()).isEqualTo(ACCESS);
    assertThat(r.json().path("scope").asText()).isEqualTo("read");
    var claims = SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(FRONTEND);
    assertThat(claims.getStringClaim("client_id")).isEqualTo(AGENT);
    assertThat(claims.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", AGENT));
    assertThat(claims.getAudience()).containsExactly(LEDGER);
    assertThat(claims.getExpirationTime().toInstant()).isBeforeOrEqualTo(subjectExp);

    JsonNode e = lastEvent();
    assertThat(e.path("outcome").asText()).isEqualTo("allow");
    assertThat(e.path("details").path("chainSubject").asText()).isEqualTo(FRONTEND);
    assertThat(e.path("details").path("actorChain").asText()).isEqualTo(AGENT);
    assertThat(e.path("details").path("previousHop").asText()).isEqualTo(subjectJti);
    assertThat(e.path("details").path("chainRoot").asText()).isEqualTo(subjectJti);
    assertThat(e.path("details").path("previousHopHash").asText()).matches("[0-9a-f]{64}");
    assertThat(e.path("details").path("decisionInputs").asText())
        .contains("\"delegation_depth\":1");
  }

  @Test
  void subAgentExchangeNestsTheChainAndTheChainApiShowsEveryHopVerified() throws Exception {
    String subject = frontendToken("read write");
    String root = SignedJWT.parse(subject).getJWTClaimsSet().getJWTID();
    String agentToken =
        warden
            .token(exchange(subject, platform("agent"), LEDGER, "read write"))
            .json()
            .path("access_token")
            .asText();
    ServerFixture.Response r =
        warden.token(exchange(agentToken, platform("subagent"), LEDGER, "read"));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    var claims = SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(FRONTEND);
    assertThat(claims.getJSONObjectClaim("act"))
        .isEqualTo(Map.of("sub", SUBAGENT, "act", Map.of("sub", AGENT)));

    // a third hop: the policy allows at most two actors
    ServerFixture.Response third =
        warden.token(
            exchange(r.json().path("access_token").asText(), platform("agent"), LEDGER, "read"));
    assertThat(third.status()).isEqualTo(400);
    assertThat(third.json().path("error").asText()).isEqualTo("access_denied");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("condition_false");
    assertThat(lastEvent().path("details").path("delegationDepth").asText()).isEqualTo("3");

    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + root, null).json();
    assertThat(chain.path("intact").asBoolean()).as(chain.toString()).isTrue();
    assertThat(chain.path("hops")).hasSize(4);
    JsonNode top = chain.path("tree").path(0);
    assertThat(top.path("id").asText()).isEqualTo(root);
    JsonNode hop1 = top.path("children").path(0);
    assertThat(hop1.path("actors").asText()).isEqualTo(AGENT);
    JsonNode hop2 = hop1.path("children").path(0);
    assertThat(hop2.path("actors").asText()).isEqualTo(SUBAGENT + " " + AGENT);
    JsonNode denied = hop2.path("children").path(0);
    assertThat(denied.path("outcome").asText()).isEqualTo("deny");
  }

  @Test
  void exchangeNeverWidensScopeOrAudience() {
    String subject = frontendToken("read");
    ServerFixture.Response wider =
        warden.token(exchange(subject, platform("agent"), LEDGER, "read write"));
    assertThat(wider.status()).isEqualTo(400);
    assertThat(wider.json().path("error").asText()).isEqualTo("invalid_scope");
    assertThat(wider.json().path("error_description").asText()).contains("never widens");

    ServerFixture.Response elsewhere =
        warden.token(exchange(subject, platform("agent"), "https://reports.acme.test", null));
    assertThat(elsewhere.status()).isEqualTo(400);
    assertThat(elsewhere.json().path("error").asText()).isEqualTo("invalid_target");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("audience_not_delegated");
  }

  @Test
  void actorTokenCarryingItsOwnActClaimIsRefused() {
    String forged =
        k8s.kubernetes("ai", "agent", "agent-pod").claim("act", Map.of("sub", FRONTEND)).mint();
    ServerFixture.Response r =
        warden.token(exchange(frontendToken("read"), forged, LEDGER, "read"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("act_not_trusted");
  }

  @Test
  void platformSubjectTokenCarryingAnActClaimIsRefused() {
    String forged =
        k8s.kubernetes("shop", "frontend", "fe-pod").claim("act", Map.of("sub", AGENT)).mint();
    Map<String, String> f = exchange(forged, platform("agent"), LEDGER, "read");
    f.put("subject_token_type", JWT);
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).isEqualTo(400);
    assertThat(lastEvent().path("reason").asText()).isEqualTo("act_not_trusted");
  }

  @Test
  void platformSubjectTokenIsBoundByTheSubjectsOwnPolicy() throws Exception {
    Map<String, String> f = exchange(platform("frontend"), platform("agent"), LEDGER, "read");
    f.put("subject_token_type", JWT);
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    var claims = SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(FRONTEND);
    assertThat(claims.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", AGENT));

    Map<String, String> wider = exchange(platform("frontend"), platform("agent"), LEDGER, "admin");
    wider.put("subject_token_type", JWT);
    assertThat(warden.token(wider).json().path("error").asText()).isEqualTo("invalid_scope");
  }

  @Test
  void mayActNamingAnotherActorIsRefused() {
    String subject =
        k8s.kubernetes("shop", "frontend", "fe-pod")
            .claim("may_act", Map.of("sub", SUBAGENT))
            .mint();
    Map<String, String> f = exchange(subject, platform("agent"), LEDGER, "read");
    f.put("subject_token_type", JWT);
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("may_act_violated");

    Map<String, String> allowed = exchange(subject, platform("subagent"), LEDGER, "read");
    allowed.put("subject_token_type", JWT);
    assertThat(warden.token(allowed).status()).isEqualTo(200);
  }

  @Test
  void policyMayActIsWrittenIntoTheTokenAndOnlyThatActorMayExchangeIt() throws Exception {
    warden.apply(
        """
        kind: Resource
        metadata: {name: payroll}
        spec: {audience: https://payroll.acme.test, kind: http}
        ---
        kind: AccessPolicy
        metadata: {name: frontend-to-payroll-via-planner}
        spec:
          workloads: {spiffeIds: [%s]}
          resources: [payroll]
          maxTtl: 5m
          mayAct: %s
        ---
        kind: AccessPolicy
        metadata: {name: agents-to-payroll}
        spec:
          workloads: {spiffeIds: ["spiffe://acme.test/ns/ai/*"]}
          resources: [payroll]
          maxTtl: 5m
        """
            .formatted(FRONTEND, SUBAGENT));
    ServerFixture.Response t =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platform("frontend"),
                "resource",
                "https://payroll.acme.test"));
    String subject = t.json().path("access_token").asText();
    assertThat(SignedJWT.parse(subject).getJWTClaimsSet().getJSONObjectClaim("may_act"))
        .isEqualTo(Map.of("sub", SUBAGENT));

    ServerFixture.Response other =
        warden.token(exchange(subject, platform("agent"), "https://payroll.acme.test", null));
    assertThat(other.status()).isEqualTo(400);
    assertThat(lastEvent().path("reason").asText()).isEqualTo("may_act_violated");
    assertThat(
            warden
                .token(exchange(subject, platform("subagent"), "https://payroll.acme.test", null))
                .status())
        .isEqualTo(200);
  }

  @Test
  void policyMayActMustBeASpiffeIdOnAnAllowPolicy() {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "AccessPolicy", "metadata": {"name": "bad-may-act"}, "spec": {
          "workloads": {"spiffeIds": ["%s"]}, "resources": ["ledger"], "mayAct": "not a spiffe id"}}]}
        """
                .formatted(FRONTEND));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText()).contains("may_act");
    assertThat(warden.admin("GET", "/v1/policies/bad-may-act", null).status()).isEqualTo(404);
  }

  @Test
  void actorTokenForAnotherAudienceOrExpiredIsRefused() throws Exception {
    String otherAudience =
        k8s.kubernetes("ai", "agent", "agent-pod")
            .claim("aud", List.of("https://elsewhere.test"))
            .mint();
    String subject = frontendToken("read");
    ServerFixture.Response r = warden.token(exchange(subject, otherAudience, LEDGER, "read"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("wrong_audience");
    // the refusal is a hop of the subject token's chain
    String root = SignedJWT.parse(subject).getJWTClaimsSet().getJWTID();
    assertThat(lastEvent().path("details").path("previousHop").asText()).isEqualTo(root);
    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + root, null).json();
    assertThat(chain.path("tree").path(0).path("children").path(0).path("reason").asText())
        .isEqualTo("wrong_audience");

    Instant past = Instant.now().minusSeconds(3600);
    String expired =
        k8s.kubernetes("ai", "agent", "agent-pod")
            .issuedAt(past.minusSeconds(60))
            .notBefore(past.minusSeconds(60))
            .expiresAt(past)
            .mint();
    ServerFixture.Response e =
        warden.token(exchange(frontendToken("read"), expired, LEDGER, "read"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(lastEvent().path("reason").asText()).isEqualTo("token_expired");
  }

  @Test
  void chainDeeperThanTheServerAllowsIsRefusedWhateverThePolicy() {
    warden.apply(
        """
        kind: AccessPolicy
        metadata: {name: any-depth-to-reports}
        spec:
          workloads: {spiffeIds: ["spiffe://acme.test/ns/ai/*"]}
          resources: [reports]
          maxTtl: 5m
        """);
    ServerFixture.Response first =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platform("frontend"),
                "resource",
                "https://reports.acme.test"));
    String token = first.json().path("access_token").asText();
    String[] actors = {"agent", "subagent", "agent"};
    for (String a : actors) {
      ServerFixture.Response r =
          warden.token(exchange(token, platform(a), "https://reports.acme.test", null));
      assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
      token = r.json().path("access_token").asText();
    }
    ServerFixture.Response tooDeep =
        warden.token(exchange(token, platform("subagent"), "https://reports.acme.test", null));
    assertThat(tooDeep.status()).isEqualTo(400);
    assertThat(tooDeep.json().path("error_description").asText()).contains("delegation_too_deep");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("delegation_too_deep");
  }

  @Test
  void revokedOrForgedWardenSubjectTokenIsRefused() throws Exception {
    String subject = frontendToken("read");
    String jti = SignedJWT.parse(subject).getJWTClaimsSet().getJWTID();
    // exchanged once (its verified signature is now remembered), then revoked: refused all the same
    assertThat(warden.token(exchange(subject, platform("agent"), LEDGER, "read")).status())
        .isEqualTo(200);
    assertThat(
            warden.admin("POST", "/v1/leases/" + jti + ":revoke", "{\"reason\":\"test\"}").status())
        .isBetween(200, 204);
    ServerFixture.Response r = warden.token(exchange(subject, platform("agent"), LEDGER, "read"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(lastEvent().path("reason").asText()).isEqualTo("token_revoked");

    // Warden's issuer, signed by someone else's key
    String forged =
        k8s.token().issuer(warden.base).subject(FRONTEND).audience(LEDGER).claim("jti", "x").mint();
    ServerFixture.Response f = warden.token(exchange(forged, platform("agent"), LEDGER, "read"));
    assertThat(f.status()).isEqualTo(400);
    assertThat(lastEvent().path("reason").asText()).isIn("unknown_kid", "bad_signature");
  }

  @Test
  void wardenSubjectTokenWithoutAnActorIsRefusedWithAPointer() {
    Map<String, String> f = exchange(frontendToken("read"), "x", LEDGER, "read");
    f.remove("actor_token");
    f.remove("actor_token_type");
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error_description").asText()).contains("actor_token");
  }

  @Test
  void transactionTokenCarriesTheContextAndDownstreamGrantsRecordItsTxn() throws Exception {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", TOKEN_EXCHANGE);
    f.put("requested_token_type", "urn:ietf:params:oauth:token-type:txn_token");
    f.put("audience", "acme.test");
    f.put("scope", "trade");
    f.put("subject_token", frontendToken("read"));
    f.put("subject_token_type", ACCESS);
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", platform("frontend"));
    f.put("request_details", "{\"action\":\"BUY\",\"ticker\":\"MSFT\"}");
    f.put("request_context", "{\"req_ip\":\"203.0.113.9\",\"channel\":\"web\"}");
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("N_A");
    assertThat(r.json().path("issued_token_type").asText())
        .isEqualTo("urn:ietf:params:oauth:token-type:txn_token");
    assertThat(r.json().has("refresh_token")).isFalse();
    SignedJWT txnToken = SignedJWT.parse(r.json().path("access_token").asText());
    assertThat(txnToken.getHeader().getType().toString()).isEqualTo("txntoken+jwt");
    var c = txnToken.getJWTClaimsSet();
    String txn = c.getStringClaim("txn");
    assertThat(txn).isNotBlank();
    assertThat(c.getSubject()).isEqualTo(FRONTEND);
    assertThat(c.getAudience()).containsExactly("spiffe://acme.test");
    assertThat(c.getStringClaim("req_wl")).isEqualTo(FRONTEND);
    assertThat(c.getJSONObjectClaim("tctx")).containsEntry("action", "BUY");
    // what Warden saw wins over what the requester said
    assertThat(c.getJSONObjectClaim("rctx"))
        .containsEntry("channel", "web")
        .doesNotContainEntry("req_ip", "203.0.113.9");
    assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime())
        .isLessThanOrEqualTo(300_000L);

    // a transaction token is not an access token
    JsonNode introspected =
        warden
            .send(
                "/oauth2/introspect",
                "token=" + r.json().path("access_token").asText(),
                warden.adminToken)
            .json();
    assertThat(introspected.path("active").asBoolean()).isFalse();

    ServerFixture.Response downstream =
        warden.tokenWithHeaders(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platform("frontend"),
                "resource",
                LEDGER,
                "scope",
                "read"),
            Map.of(
                "Txn-Token",
                r.json().path("access_token").asText(),
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(downstream.status()).as(downstream.json().toString()).isEqualTo(200);
    JsonNode e = lastEvent();
    assertThat(e.path("details").path("txn").asText()).isEqualTo(txn);
    assertThat(e.path("details").path("traceparent").asText()).startsWith("00-4bf92f35");
    assertThat(e.path("details").path("previousHop").asText()).isEqualTo(c.getJWTID());

    JsonNode chain = warden.admin("GET", "/v1/audit/chains/" + txn, null).json();
    assertThat(chain.path("intact").asBoolean()).isTrue();
    assertThat(chain.path("hops").size()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void transactionTokenRequestsThatBreakTheProfileAreRefused() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", TOKEN_EXCHANGE);
    f.put("requested_token_type", "urn:ietf:params:oauth:token-type:txn_token");
    f.put("audience", "acme.test");
    f.put("scope", "trade");
    f.put("subject_token", "{\"sub\":\"" + AGENT + "\"}");
    f.put("subject_token_type", "urn:ietf:params:oauth:token-type:unsigned_json");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", platform("frontend"));
    // an unsigned subject may only be the requester itself
    assertThat(warden.token(f).json().path("error").asText()).isEqualTo("invalid_request");
    f.put("subject_token", "{\"sub\":\"" + FRONTEND + "\"}");
    assertThat(warden.token(f).status()).isEqualTo(200);
    f.put("request_details", "[1,2]");
    assertThat(warden.token(f).json().path("error_description").asText()).contains("JSON object");
    f.remove("request_details");
    f.remove("client_assertion");
    f.remove("client_assertion_type");
    assertThat(warden.token(f).json().path("error_description").asText())
        .contains("authenticated workload");

    ServerFixture.Response badTxn =
        warden.tokenWithHeaders(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platform("frontend"),
                "resource",
                LEDGER),
            Map.of("Txn-Token", frontendToken("read")));
    assertThat(badTxn.status()).isEqualTo(400);
    assertThat(lastEvent().path("reason").asText()).isEqualTo("invalid_grant");
  }
}
