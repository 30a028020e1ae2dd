package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Access tokens and JWT-SVIDs are different kinds of token: signed by different keys published in
 * different places, with distinct {@code typ}, and a JWT-SVID is issued only for an audience that
 * access policy lets the workload reach. Real HTTP against a real server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtSvidSeparationTest {
  static final String API = "spiffe://acme.test/ns/payments/sa/api";
  static final String LEDGER = "https://ledger.acme.test";
  static final String VAULT = "https://vault.acme.test";
  static final String ADMIN_API = "https://admin.acme.test";

  @TempDir static Path dir;
  ServerFixture f;
  TestOidcIssuer cluster;
  String session;

  @BeforeAll
  void start() throws Exception {
    cluster = TestOidcIssuer.builder().audience("https://warden.acme.test").path("/k8s").start();
    f = ServerFixture.start(dir);
    f.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec:
          spiffeId: %s
          selectors: ["k8s:ns=payments", "k8s:sa=api"]
          owner: payments@acme.test
          nodeSelectors: ["node:pool=web"]
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s}
        ---
        kind: Resource
        metadata: {name: vault}
        spec: {audience: %s, sensitivity: critical}
        ---
        kind: Resource
        metadata: {name: admin-api}
        spec: {audience: %s}
        ---
        kind: AccessPolicy
        metadata: {name: api-to-ledger}
        spec: {workloads: {spiffeIds: ["%s"]}, resources: [ledger], maxTtl: 2m}
        ---
        kind: AccessPolicy
        metadata: {name: api-to-admin}
        spec: {workloads: {spiffeIds: ["%s"]}, resources: [admin-api]}
        ---
        kind: AccessPolicy
        metadata: {name: nobody-to-admin}
        spec: {workloads: {spiffeIds: ["spiffe://acme.test/*"]}, resources: [admin-api], effect: deny}
        """
            .formatted(cluster.issuer(), API, LEDGER, VAULT, ADMIN_API, API, API));
    String join =
        f.admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=web\"]}")
            .json()
            .get("token")
            .asText();
    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"" + join + "\",\"csr\":\"" + AgentApiTest.csr() + "\"}",
            null);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    session = r.json().get("session_token").asText();
  }

  @AfterAll
  void stop() {
    f.close();
    cluster.close();
  }

  ServerFixture.Response jwtSvid(String... audience) {
    StringBuilder a = new StringBuilder();
    for (String s : audience) {
      a.append(a.isEmpty() ? "" : ",").append('"').append(s).append('"');
    }
    return f.admin(
        "POST",
        "/v1/agent/jwt-svids",
        "{\"spiffe_id\":\"" + API + "\",\"audience\":[" + a + "]}",
        session);
  }

  SignedJWT issuedJwtSvid() throws Exception {
    ServerFixture.Response r = jwtSvid(LEDGER);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return SignedJWT.parse(r.json().get("token").asText());
  }

  SignedJWT issuedAccessToken() throws Exception {
    ServerFixture.Response r =
        f.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                cluster.kubernetesToken("payments", "api", "api-1"),
                "resource",
                LEDGER));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return SignedJWT.parse(r.json().get("access_token").asText());
  }

  JWKSet oauthJwks() throws Exception {
    return JWKSet.parse(f.get("/oauth2/jwks").json().toString());
  }

  /** The bundle's JWT authorities, as a SPIFFE validator reads them. */
  List<JWK> bundleJwtAuthorities() throws Exception {
    List<JWK> out = new ArrayList<>();
    for (JWK k : JWKSet.parse(f.get("/.well-known/spiffe-bundle").json().toString()).getKeys()) {
      if ("jwt-svid".equals(k.getKeyUse().identifier())) {
        out.add(k);
      }
    }
    return out;
  }

  static boolean verifiesWithAny(SignedJWT jwt, List<JWK> keys) throws Exception {
    for (JWK k : keys) {
      if (k instanceof ECKey ec && jwt.verify(new ECDSAVerifier(ec))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aJwtSvidDoesNotVerifyAgainstTheOauthJwks() throws Exception {
    SignedJWT svid = issuedJwtSvid();

    assertThat(oauthJwks().getKeyByKeyId(svid.getHeader().getKeyID()))
        .as("the JWT-SVID's kid")
        .isNull();
    assertThat(verifiesWithAny(svid, oauthJwks().getKeys())).isFalse();
    // a resource server configured the common way: Warden's JWKS and its own audience, any typ
    DefaultJWTProcessor<SecurityContext> rs = new DefaultJWTProcessor<>();
    rs.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, JOSEObjectType.JOSE, new JOSEObjectType("at+jwt"), null));
    rs.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            JWSAlgorithm.ES256,
            JWKSourceBuilder.create(URI.create(f.base + "/oauth2/jwks").toURL())
                .retrying(false)
                .build()));
    rs.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(LEDGER, null, new HashSet<>(List.of("exp"))));
    assertThatThrownBy(() -> rs.process(svid, null)).hasMessageContaining("matching key");
    assertThat(verifiesWithAny(svid, bundleJwtAuthorities()))
        .as("it verifies where it belongs")
        .isTrue();
  }

  @Test
  void anAccessTokenDoesNotVerifyAgainstTheSpiffeBundle() throws Exception {
    SignedJWT at = issuedAccessToken();

    assertThat(bundleJwtAuthorities())
        .extracting(JWK::getKeyID)
        .doesNotContain(at.getHeader().getKeyID())
        .isNotEmpty();
    assertThat(verifiesWithAny(at, bundleJwtAuthorities())).isFalse();
    assertThat(oauthJwks().getKeyByKeyId(at.getHeader().getKeyID()))
        .as("it verifies where it belongs")
        .isNotNull();
    Set<String> accessKids = new HashSet<>();
    oauthJwks().getKeys().forEach(k -> accessKids.add(k.getKeyID()));
    assertThat(bundleJwtAuthorities())
        .extracting(JWK::getKeyID)
        .doesNotContainAnyElementsOf(accessKids);
  }

  @Test
  void accessTokensAreTypedJwtAndCarryIssWhileJwtSvidsAreTypedJoseWithoutIss() throws Exception {
    SignedJWT at = issuedAccessToken();
    SignedJWT svid = issuedJwtSvid();

    assertThat(at.getHeader().getType().getType()).isEqualTo("JWT");
    assertThat(at.getJWTClaimsSet().getIssuer()).isEqualTo(f.base);
    assertThat(svid.getHeader().getType().getType()).isEqualTo("JOSE");
    assertThat(svid.getJWTClaimsSet().getIssuer()).isNull();
  }

  @Test
  void aJwtSvidForAGrantedAudienceIsIssuedForTheShorterOfThePolicyAndSvidLifetimesAndAudited()
      throws Exception {
    SignedJWT svid = issuedJwtSvid();

    JWTClaimsSet c = svid.getJWTClaimsSet();
    assertThat(c.getSubject()).isEqualTo(API);
    assertThat(c.getAudience()).containsExactly(LEDGER);
    assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime())
        .as("policy maxTtl 2m")
        .isEqualTo(120_000);
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("type").asText()).isEqualTo("svid.issued");
    assertThat(ev.get("outcome").asText()).isEqualTo("allow");
    assertThat(ev.get("resource").asText()).isEqualTo("ledger");
    assertThat(ev.get("details").get("policy").asText()).isEqualTo("api-to-ledger");
    assertThat(ev.get("details").get("kid").asText()).isEqualTo(svid.getHeader().getKeyID());
    assertThat(ev.toString()).doesNotContain(svid.serialize());
  }

  @Test
  void aResourceNameWorksAsTheAudienceToo() {
    assertThat(jwtSvid("ledger").status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "https://vault.acme.test, no_matching_policy, vault",
    "https://admin.acme.test, policy_deny, admin-api",
    "https://unknown.acme.test, unknown_resource, ",
    "'https://ledger.acme.test,https://vault.acme.test', no_matching_policy, vault",
  })
  void aJwtSvidForAnAudienceNoPolicyGrantsIsRefusedAndAudited(
      String audiences, String reason, String resource) {
    ServerFixture.Response r = jwtSvid(audiences.split(","));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().get("error").asText()).isEqualTo(reason);
    assertThat(r.json().has("token")).isFalse();
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("type").asText()).isEqualTo("svid.denied");
    assertThat(ev.get("outcome").asText()).isEqualTo("deny");
    assertThat(ev.get("reason").asText()).isEqualTo(reason);
    assertThat(ev.get("workload").asText()).isEqualTo(API);
    assertThat(ev.path("resource").asText("")).isEqualTo(resource == null ? "" : resource);
    assertThat(ev.get("details").get("audience").asText()).isEqualTo(audiences.replace(',', ' '));
  }

  @Test
  void rotatingJwtSvidKeysChangesTheBundleAndLeavesTheOauthJwksAlone() throws Exception {
    String jwksBefore = f.get("/oauth2/jwks").json().toString();
    List<String> before = bundleJwtAuthorities().stream().map(JWK::getKeyID).toList();

    ServerFixture.Response r =
        f.admin("POST", "/v1/keys:rotate?purpose=jwt-svid&immediate=true", "{}");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().get("purpose").asText()).isEqualTo("jwt-svid");
    String kid = r.json().get("kid").asText();
    assertThat(bundleJwtAuthorities()).extracting(JWK::getKeyID).contains(kid).containsAll(before);
    assertThat(f.get("/oauth2/jwks").json().toString()).isEqualTo(jwksBefore);
    assertThat(issuedJwtSvid().getHeader().getKeyID()).isEqualTo(kid);
    JsonNode listed = f.admin("GET", "/v1/keys", null).json().get("keys");
    assertThat(listed.findValuesAsText("purpose")).contains("access-token", "jwt-svid");
  }

  @ParameterizedTest
  @CsvSource({"jwt_svid", "JWT-SVID", "x509-svid", "''"})
  void rotatingKeysOfAnUnknownPurposeIsRefusedAndChangesNothing(String purpose) {
    String keysBefore = f.admin("GET", "/v1/keys", null).json().toString();

    ServerFixture.Response r =
        f.admin("POST", "/v1/keys:rotate?immediate=true&purpose=" + purpose, "{}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("field").asText()).isEqualTo("purpose");
    assertThat(r.json().get("message").asText())
        .contains("access-token, jwt-svid, federation or audit-checkpoint");
    assertThat(f.admin("GET", "/v1/keys", null).json().toString()).isEqualTo(keysBefore);
  }
}
