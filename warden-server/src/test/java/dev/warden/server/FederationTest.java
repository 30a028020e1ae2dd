package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud federation end to end over real HTTP: a workload attested by its GitHub token gets an RS256
 * token for an AWS, GCP or Azure resource that an independent verifier (Nimbus, with the JWK set
 * fetched from the server) accepts exactly as a cloud would, while ordinary resources keep ES256.
 */
class FederationTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String GCP_AUD =
      "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/warden-pool/providers/warden";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer gh;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden =
        ServerFixture.start(
            dir, Map.of("federation.enabled", "true", "federation.insecureIssuer", "true"));
    warden.apply(documents(gh));
  }

  /** A GitHub trust provider, two workloads, one resource per cloud and an ordinary API. */
  static String documents(TestOidcIssuer gh) {
    return """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/deploy, selectors: ["github:repository=acme/deploy"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/gh/report, selectors: ["github:repository=acme/report"], owner: o@acme.test}
        ---
        kind: Resource
        metadata: {name: aws-prod}
        spec: {kind: aws, audience: sts.amazonaws.com}
        ---
        kind: Resource
        metadata: {name: gcp-prod}
        spec: {kind: gcp, audience: "%s"}
        ---
        kind: Resource
        metadata: {name: azure-prod}
        spec: {kind: azure, audience: "api://AzureADTokenExchange"}
        ---
        kind: Resource
        metadata: {name: orders-api}
        spec: {audience: https://orders.acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: deploy-clouds}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/deploy]}, resources: [aws-prod, gcp-prod, azure-prod, orders-api],
               maxTtl: 2h}
        ---
        kind: AccessPolicy
        metadata: {name: report-aws}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/report]}, resources: [aws-prod], maxTtl: 15m}
        """
        .formatted(gh.issuer(), GCP_AUD);
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (gh != null) {
      gh.close();
    }
  }

  static ServerFixture.Response token(String repo, String resource) {
    return warden.token(
        Map.of(
            "grant_type",
            "client_credentials",
            "client_assertion_type",
            JWT_BEARER,
            "client_assertion",
            gh.githubActionsToken("acme/" + repo, "refs/heads/main"),
            "audience",
            resource));
  }

  /**
   * Verifies like a cloud: JWK set from jwks_uri, RS256 only, exact iss and aud, required claims.
   */
  static JWTClaimsSet verifyAsCloud(String token, String audience) throws Exception {
    JWKSet jwks = JWKSet.parse(warden.get("/oauth2/jwks").json().toString());
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(jwks)));
    p.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audience,
            new JWTClaimsSet.Builder().issuer(warden.base).build(),
            Set.of("sub", "iat", "exp")));
    return p.process(token, null);
  }

  @Test
  void awsTokenIsRs256WithKidAudSubAndAtMostOneHourAndVerifiesIndependently() throws Exception {
    ServerFixture.Response r = token("deploy", "aws-prod");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    String t = r.json().path("access_token").asText();
    SignedJWT jwt = SignedJWT.parse(t);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(jwt.getHeader().getKeyID()).isNotBlank();
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("JWT");
    JWTClaimsSet c = verifyAsCloud(t, "sts.amazonaws.com");
    assertThat(c.getSubject()).isEqualTo("spiffe://acme.test/gh/deploy");
    assertThat(c.getAudience()).containsExactly("sts.amazonaws.com");
    // the policy allows 2h; federation tokens stop at one hour
    assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime()).isEqualTo(3_600_000L);
    assertThat(r.json().path("expires_in").asLong()).isEqualTo(3600);
    assertThat(c.getClaims()).doesNotContainKeys("client_id", "scope");
  }

  @Test
  void aCloudTokenAskedForWithADpopProofIsIssuedUnboundAsBearerForNoCloudChecksAProof()
      throws Exception {
    dev.warden.testkit.TestDpopKey key = dev.warden.testkit.TestDpopKey.generate("ES256");
    ServerFixture.Response r =
        warden.tokenWithHeaders(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                JWT_BEARER,
                "client_assertion",
                gh.githubActionsToken("acme/deploy", "refs/heads/main"),
                "audience",
                "aws-prod"),
            Map.of(
                "DPoP",
                key.proof("POST", warden.server.issuer() + "/oauth2/token", java.time.Instant.now())
                    .compact()));

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("Bearer");
    assertThat(
            SignedJWT.parse(r.json().path("access_token").asText())
                .getJWTClaimsSet()
                .getClaim("cnf"))
        .isNull();
  }

  @Test
  void gcpAndAzureTokensCarryTheirExactAudiences() throws Exception {
    assertThat(
            verifyAsCloud(token("deploy", "gcp-prod").json().path("access_token").asText(), GCP_AUD)
                .getSubject())
        .isEqualTo("spiffe://acme.test/gh/deploy");
    assertThat(
            verifyAsCloud(
                    token("deploy", "azure-prod").json().path("access_token").asText(),
                    "api://AzureADTokenExchange")
                .getAudience())
        .containsExactly("api://AzureADTokenExchange");
  }

  @Test
  void ordinaryResourceStillGetsAnEs256AccessTokenFromTheAccessTokenKeys() throws Exception {
    SignedJWT jwt =
        SignedJWT.parse(token("deploy", "orders-api").json().path("access_token").asText());

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    SignedJWT fed =
        SignedJWT.parse(token("deploy", "aws-prod").json().path("access_token").asText());
    assertThat(fed.getHeader().getKeyID()).isNotEqualTo(jwt.getHeader().getKeyID());
  }

  @Test
  void jwksPublishesTheRsaFederationKeyWithAlgUseKidNAndE() throws Exception {
    JsonNode keys = warden.get("/oauth2/jwks").json().path("keys");

    JsonNode rsa = null;
    for (JsonNode k : keys) {
      if ("RSA".equals(k.path("kty").asText())) {
        rsa = k;
      }
    }
    assertThat(rsa).isNotNull();
    assertThat(rsa.path("alg").asText()).isEqualTo("RS256");
    assertThat(rsa.path("use").asText()).isEqualTo("sig");
    assertThat(rsa.has("kid") && rsa.has("n") && rsa.has("e")).isTrue();
    assertThat(((RSAKey) JWK.parse(rsa.toString())).size()).isEqualTo(2048);
    assertThat(keys.findValuesAsText("alg")).contains("ES256", "RS256");
  }

  @Test
  void discoveryAdvertisesWhatTheCloudsRead() {
    JsonNode d = warden.get("/.well-known/openid-configuration").json();

    assertThat(d.path("issuer").asText()).isEqualTo(warden.base);
    assertThat(d.path("jwks_uri").asText()).isEqualTo(warden.base + "/oauth2/jwks");
    assertThat(d.path("response_types_supported").get(0).asText()).isEqualTo("id_token");
    assertThat(d.path("subject_types_supported").get(0).asText()).isEqualTo("public");
    assertThat(d.path("id_token_signing_alg_values_supported").toString())
        .contains("ES256", "RS256");
    // RFC 8414 metadata still advertises no flow Warden does not have
    assertThat(
            warden
                .get("/.well-known/oauth-authorization-server")
                .json()
                .has("response_types_supported"))
        .isFalse();
  }

  @Test
  void federationTargetListsEveryAllowedSubjectWithItsCappedLifetime() {
    ServerFixture.Response r = warden.admin("GET", "/v1/federation/aws-prod", null);

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("audience").asText()).isEqualTo("sts.amazonaws.com");
    assertThat(r.json().path("algorithm").asText()).isEqualTo("RS256");
    assertThat(r.json().path("subjects").findValuesAsText("spiffeId"))
        .containsExactly("spiffe://acme.test/gh/deploy", "spiffe://acme.test/gh/report");
    assertThat(r.json().path("subjects").findValuesAsText("lifetimeSeconds"))
        .containsExactly("3600", "900");
    assertThat(warden.admin("GET", "/v1/federation/orders-api", null).status()).isEqualTo(400);
  }

  @Test
  void sampleTokenIsSignedByTheFederationKeyButExpiredSoNoCloudTakesItAndItIsAudited()
      throws Exception {
    ServerFixture.Response r = warden.admin("GET", "/v1/federation/gcp-prod?sample=true", null);

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    SignedJWT s = SignedJWT.parse(r.json().path("sample").asText());
    assertThat(s.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(s.getJWTClaimsSet().getExpirationTime())
        .isEqualTo(s.getJWTClaimsSet().getIssueTime());
    assertThat(s.getJWTClaimsSet().getExpirationTime().toInstant())
        .isBefore(java.time.Instant.now().minus(java.time.Duration.ofHours(23)));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> verifyAsCloud(r.json().path("sample").asText(), GCP_AUD))
        .hasMessageContaining("Expired");
    assertThat(warden.lastAuditEvent().path("type").asText()).isEqualTo("federation.sample");
  }

  @Test
  void federationKeysRotateThroughTheKeysApiLikeTheOthers() {
    ServerFixture.Response r = warden.admin("POST", "/v1/keys:rotate?purpose=federation", "{}");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("state").asText()).isEqualTo("prepared");
    // published before it signs, so clouds caching the JWKS know it in time
    assertThat(warden.get("/oauth2/jwks").json().findValuesAsText("kid"))
        .contains(r.json().path("kid").asText());
    assertThat(warden.admin("GET", "/v1/keys", null).json().findValuesAsText("purpose"))
        .contains("federation");
  }
}
