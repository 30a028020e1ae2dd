package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main flow over real HTTP: platform token in, Warden token out, validated by a standard
 * library.
 */
class TokenFlowTest {
  static final String AUDIENCE = "https://payments.acme.test";

  @TempDir static Path dir;

  static TestOidcIssuer github;
  static TestOidcIssuer k8s;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    github = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").path("/k8s").start();
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        apiVersion: warden.dev/v1
        kind: TrustProvider
        metadata: {name: github}
        spec:
          type: github-actions
          issuer: %s
          audiences: [https://warden.acme.test]
          algorithms: [RS256]
        ---
        kind: TrustProvider
        metadata: {name: cluster}
        spec:
          type: kubernetes
          issuer: %s
          audiences: [https://warden.acme.test]
          algorithms: [RS256]
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://acme.test/ci/api-deploy
          selectors: ["github:repository=acme/api", "github:ref=refs/heads/main"]
          owner: alice@acme.test
          team: payments
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://acme.test/ns/payments/sa/worker
          selectors: ["k8s:ns=payments", "k8s:sa=worker"]
          owner: bob@acme.test
        ---
        kind: Resource
        metadata: {name: payments-api}
        spec: {audience: %s, kind: http, sensitivity: high}
        ---
        kind: AccessPolicy
        metadata: {name: deploy-and-workers-to-payments}
        spec:
          workloads:
            spiffeIds: [spiffe://acme.test/ci/api-deploy, spiffe://acme.test/ns/payments/*]
          resources: [payments-api]
          maxTtl: 5m
          scopes: [deploy, read]
        """
            .formatted(github.issuer(), k8s.issuer(), AUDIENCE));
  }

  @AfterAll
  static void stop() {
    warden.close();
    github.close();
    k8s.close();
  }

  @Test
  void githubActionsTokenIsExchangedForAWardenTokenThatNimbusValidatesFromTheJwksAlone()
      throws Exception {
    String platformToken = github.githubActionsToken("acme/api", "refs/heads/main");
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                platformToken,
                "resource",
                AUDIENCE,
                "scope",
                "deploy"));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("token_type").asText()).isEqualTo("Bearer");
    assertThat(r.json().path("expires_in").asLong()).isBetween(299L, 300L);
    assertThat(r.json().path("scope").asText()).isEqualTo("deploy");
    assertThat(r.headers().get("cache-control")).isEqualTo("no-store");

    JsonNode discovery = warden.get("/.well-known/openid-configuration").json();
    assertThat(discovery.path("issuer").asText()).isEqualTo(warden.base);
    JWKSource<SecurityContext> jwks =
        JWKSourceBuilder.create(URI.create(discovery.path("jwks_uri").asText()).toURL())
            .retrying(false)
            .build();
    // Nimbus with its default settings (typ JWT or none), as a relying party would configure it
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, jwks));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            AUDIENCE,
            new JWTClaimsSet.Builder()
                .issuer(warden.base)
                .subject("spiffe://acme.test/ci/api-deploy")
                .build(),
            new HashSet<>(List.of("exp", "iat", "jti", "client_id"))));
    JWTClaimsSet claims = processor.process(r.json().path("access_token").asText(), null);
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime())
        .isEqualTo(300_000L);
    assertThat(claims.getStringClaim("scope")).isEqualTo("deploy");

    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.issued");
    assertThat(event.path("outcome").asText()).isEqualTo("allow");
    assertThat(event.path("details").path("jti").asText()).isEqualTo(claims.getJWTID());
    assertThat(event.path("details").path("fingerprint").asText()).matches("[0-9a-f]{64}");
    assertThat(event.path("lease").path("id").asText()).isEqualTo(claims.getJWTID());
    assertThat(event.toString()).doesNotContain(r.json().path("access_token").asText());
  }

  @Test
  void rfc9068ExplicitTypingIsAvailableAsAnOption(@org.junit.jupiter.api.io.TempDir Path other)
      throws Exception {
    try (ServerFixture strict = ServerFixture.start(other, Map.of("tokens.typ", "at+jwt"))) {
      strict.apply(
          """
          kind: TrustProvider
          metadata: {name: github}
          spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
          ---
          kind: Workload
          spec: {spiffeId: spiffe://acme.test/ci/api-deploy, selectors: ["github:repository=acme/api"], owner: a@acme.test}
          ---
          kind: Resource
          metadata: {name: payments-api}
          spec: {audience: %s}
          ---
          kind: AccessPolicy
          metadata: {name: p}
          spec: {workloads: {spiffeIds: [spiffe://acme.test/ci/api-deploy]}, resources: [payments-api]}
          """
              .formatted(github.issuer(), AUDIENCE));
      ServerFixture.Response r =
          strict.token(
              Map.of(
                  "grant_type",
                  "client_credentials",
                  "client_assertion_type",
                  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                  "client_assertion",
                  github.githubActionsToken("acme/api", "refs/heads/main"),
                  "resource",
                  AUDIENCE));
      assertThat(r.status()).isEqualTo(200);
      assertThat(
              com.nimbusds.jwt.SignedJWT.parse(r.json().path("access_token").asText())
                  .getHeader()
                  .getType()
                  .getType())
          .isEqualTo("at+jwt");
    }
  }

  @Test
  void kubernetesTokenWorksThroughTokenExchange() {
    String platformToken = k8s.kubernetesToken("payments", "worker", "worker-7d9f");
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token",
                platformToken,
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:jwt",
                "audience",
                AUDIENCE));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().path("issued_token_type").asText())
        .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
  }

  @Test
  void resourceCanBeNamedByItsName() {
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                github.githubActionsToken("acme/api", "refs/heads/main"),
                "resource",
                "payments-api"));
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void discoveryDocumentsDescribeTheTokenEndpoint() {
    for (String path :
        Set.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
      JsonNode d = warden.get(path).json();
      assertThat(d.path("token_endpoint").asText()).isEqualTo(warden.base + "/oauth2/token");
      assertThat(d.path("grant_types_supported").toString())
          .contains("client_credentials", "token-exchange");
    }
    JsonNode keys = warden.get("/oauth2/jwks").json().path("keys");
    assertThat(keys.size()).isGreaterThanOrEqualTo(1);
    assertThat(keys.get(0).has("d")).as("no private key material").isFalse();
  }

  @Test
  void healthReadinessAndMetricsAnswer() {
    assertThat(warden.get("/healthz").status()).isEqualTo(200);
    assertThat(warden.get("/readyz").status()).isEqualTo(200);
    warden.token(Map.of("grant_type", "password"));
    ServerFixture.Response m = warden.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.json().asText())
        .contains("warden_decisions_total", "warden_token_issuance_seconds_bucket");
  }
}
