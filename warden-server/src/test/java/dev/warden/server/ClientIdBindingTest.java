package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression: {@code client_id} was copied from the request into the token, so A's platform token
 * plus {@code client_id=<B>} gave a token with {@code sub=A, client_id=B}. RFC 7521 section 4.2: a
 * client_id that does not name the authenticated client is {@code invalid_client}; the token's
 * client_id is always the attested workload.
 */
class ClientIdBindingTest {
  static final String AUD = "https://ledger.acme.test";
  static final String A = "spiffe://acme.test/a";
  static final String B = "spiffe://acme.test/b";
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  @TempDir static Path dir;

  static TestOidcIssuer gh;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/a"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/b"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: both-to-ledger}
        spec: {workloads: {spiffeIds: [%s, %s]}, resources: [ledger]}
        """
            .formatted(gh.issuer(), AUD, A, B, A, B));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static Map<String, String> form(String grant, String clientId) {
    Map<String, String> f = new LinkedHashMap<>();
    String token = gh.githubActionsToken("acme/a", "refs/heads/main");
    if (grant.equals("client_credentials")) {
      f.put("grant_type", "client_credentials");
      f.put("client_assertion_type", JWT_BEARER);
      f.put("client_assertion", token);
    } else {
      f.put("grant_type", TOKEN_EXCHANGE);
      f.put("subject_token", token);
      f.put("subject_token_type", "urn:ietf:params:oauth:token-type:jwt");
    }
    f.put("resource", AUD);
    if (clientId != null) {
      f.put("client_id", clientId);
    }
    return f;
  }

  static Stream<Arguments> foreignClientIds() {
    return Stream.of("client_credentials", "token_exchange")
        .flatMap(
            g ->
                Stream.of(
                    Arguments.of(g, B),
                    Arguments.of(g, "any-string"),
                    Arguments.of(g, A + "/"),
                    Arguments.of(g, A.toUpperCase())));
  }

  @ParameterizedTest(name = "{0} with client_id={1}")
  @MethodSource("foreignClientIds")
  void clientIdThatIsNotTheAttestedWorkloadIsInvalidClientAndAudited(
      String grant, String clientId) {
    ServerFixture.Response r = warden.token(form(grant, clientId));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    assertThat(r.headers()).doesNotContainKey("www-authenticate");
    assertThat(r.json().has("access_token")).isFalse();
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.denied");
    assertThat(event.path("outcome").asText()).isEqualTo("deny");
    assertThat(event.path("reason").asText()).isEqualTo("client_id_mismatch");
    assertThat(event.path("actor").asText()).isEqualTo(A);
    assertThat(event.path("details").path("clientId").asText()).isEqualTo(clientId);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"client_credentials", "token_exchange"})
  void clientIdEqualToTheAttestedSpiffeIdIsAccepted(String grant) throws Exception {
    ServerFixture.Response r = warden.token(form(grant, A));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    var claims = SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(A);
    assertThat(claims.getStringClaim("client_id")).isEqualTo(A);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"client_credentials", "token_exchange"})
  void withoutClientIdTheTokensClientIdIsTheAttestedWorkload(String grant) throws Exception {
    for (String clientId : new String[] {null, ""}) {
      ServerFixture.Response r = warden.token(form(grant, clientId));
      assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
      assertThat(
              SignedJWT.parse(r.json().path("access_token").asText())
                  .getJWTClaimsSet()
                  .getStringClaim("client_id"))
          .isEqualTo(A);
    }
  }

  @Test
  void introspectionReportsTheAttestedClientId() {
    ServerFixture.Response t = warden.token(form("client_credentials", null));
    ServerFixture.Response rs =
        warden.admin("POST", "/v1/admin-tokens", "{\"name\":\"rs\",\"scopes\":[\"introspect\"]}");
    ServerFixture.Response i =
        warden.send(
            "/oauth2/introspect",
            "token=" + t.json().path("access_token").asText(),
            rs.json().path("token").asText());
    assertThat(i.json().path("active").asBoolean()).as(i.json().toString()).isTrue();
    assertThat(i.json().path("client_id").asText()).isEqualTo(A);
  }
}
