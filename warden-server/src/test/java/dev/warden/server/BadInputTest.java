package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.KeyType;
import dev.warden.testkit.TestKey;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input of the token endpoint: a clear RFC 6749 error, and a deny audit event carrying
 * the same reason code. RFC 6749 section 5.2: invalid_client is 400 with no WWW-Authenticate unless
 * the client tried HTTP authentication (then 401 with a challenge for its scheme).
 */
class BadInputTest {
  static final String AUD = "https://api.acme.test";
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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
        metadata: {name: api}
        spec: {audience: %s}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ok, selectors: ["github:repository=acme/ok"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/suspended, selectors: ["github:repository=acme/suspended"], owner: o@acme.test, state: suspended}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/retired, selectors: ["github:repository=acme/retired"], owner: o@acme.test, state: retired}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/expired, selectors: ["github:repository=acme/expired"], owner: o@acme.test, expiresAt: "2020-01-01T00:00:00Z"}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/dup-a, selectors: ["github:repository=acme/dup"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/dup-b, selectors: ["github:repository=acme/dup", "github:ref=refs/heads/main"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/denied, selectors: ["github:repository=acme/denied"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/cond-false, selectors: ["github:repository=acme/cond-false"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/cond-error, selectors: ["github:repository=acme/cond-error"], owner: o@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/no-policy, selectors: ["github:repository=acme/no-policy"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: allow-all-acme}
        spec: {workloads: {spiffeIds: ["spiffe://acme.test/ok", "spiffe://acme.test/denied"]}, resources: [api]}
        ---
        kind: AccessPolicy
        metadata: {name: deny-denied}
        spec: {workloads: {spiffeIds: ["spiffe://acme.test/denied"]}, resources: [api], effect: deny}
        ---
        kind: AccessPolicy
        metadata: {name: only-from-office}
        spec:
          workloads: {spiffeIds: ["spiffe://acme.test/cond-false"]}
          resources: [api]
          condition: 'request.sourceAddress == "10.1.2.3"'
        ---
        kind: AccessPolicy
        metadata: {name: broken-condition}
        spec:
          workloads: {spiffeIds: ["spiffe://acme.test/cond-error"]}
          resources: [api]
          condition: 'request.claims.no_such_claim == "x"'
        """
            .formatted(gh.issuer(), AUD));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static Map<String, String> cc(String assertion) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "client_credentials");
    f.put("client_assertion_type", JWT_BEARER);
    f.put("client_assertion", assertion);
    f.put("resource", AUD);
    return f;
  }

  /**
   * A correctly signed token for acme/ok whose payload also has {@code "note": "<escaped>"} (JSON
   * text).
   */
  static String withPayloadNote(String escaped) {
    var builder = gh.githubActions("acme/ok", "refs/heads/main");
    try {
      String json = ServerFixture.JSON.writeValueAsString(builder.claims());
      return builder.rawPayload("{\"note\":\"" + escaped + "\"," + json.substring(1)).mint();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** A token whose payload is a JSON object holding these raw (hex) bytes in a string; unsigned. */
  static String rawPayload(String hex) {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
    p.writeBytes(
        ("{\"iss\":\"" + gh.issuer() + "\",\"note\":\"")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.writeBytes(java.util.HexFormat.of().parseHex(hex));
    p.writeBytes("\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return b64.encodeToString(
            "{\"alg\":\"RS256\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(p.toByteArray())
        + ".c2ln";
  }

  static Arguments tokenCase(
      String name, Supplier<String> token, int status, String error, String reason) {
    return Arguments.of(
        name, (Supplier<Map<String, String>>) () -> cc(token.get()), status, error, reason);
  }

  static Stream<Arguments> cases() {
    Instant now = Instant.now();
    return Stream.of(
        tokenCase("malformed JWT", () -> "not.a.jwt", 400, "invalid_client", "malformed_token"),
        tokenCase(
            "alg none",
            () -> gh.githubActions("acme/ok", "refs/heads/main").unsigned().mint(),
            400,
            "invalid_client",
            "alg_not_allowed"),
        tokenCase(
            "HS256 with the provider's RSA public key as secret",
            () -> gh.githubActions("acme/ok", "refs/heads/main").hmacWithPublicKey().mint(),
            400,
            "invalid_client",
            "alg_not_allowed"),
        tokenCase(
            "unknown kid",
            () -> gh.githubActions("acme/ok", "refs/heads/main").kid("no-such-kid").mint(),
            400,
            "invalid_client",
            "unknown_kid"),
        tokenCase(
            "signed by another issuer's key under the provider's kid",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .signWith(TestKey.generate(KeyType.RSA_2048))
                    .kid(gh.currentKid())
                    .mint(),
            400,
            "invalid_client",
            "bad_signature"),
        tokenCase(
            "wrong iss",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .issuer("https://evil.example")
                    .mint(),
            400,
            "invalid_client",
            "unknown_issuer"),
        tokenCase(
            "missing aud",
            () -> gh.githubActions("acme/ok", "refs/heads/main").without("aud").mint(),
            400,
            "invalid_client",
            "wrong_audience"),
        tokenCase(
            "wrong aud",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .audience("https://other.test")
                    .mint(),
            400,
            "invalid_client",
            "wrong_audience"),
        tokenCase(
            "expired",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .issuedAt(now.minusSeconds(7200))
                    .notBefore(now.minusSeconds(7200))
                    .expiresAt(now.minusSeconds(3600))
                    .mint(),
            400,
            "invalid_client",
            "token_expired"),
        tokenCase(
            "nbf in the future",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .notBefore(now.plusSeconds(3600))
                    .expiresAt(now.plusSeconds(7200))
                    .mint(),
            400,
            "invalid_client",
            "token_not_yet_valid"),
        tokenCase(
            "older than the maximum age",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .issuedAt(now.minus(Duration.ofHours(48)))
                    .notBefore(now.minus(Duration.ofHours(48)))
                    .expiresAt(now.plusSeconds(600))
                    .mint(),
            400,
            "invalid_client",
            "token_too_old"),
        tokenCase(
            "missing required claim",
            () -> gh.githubActions("acme/ok", "refs/heads/main").without("repository").mint(),
            400,
            "invalid_client",
            "missing_claim"),
        tokenCase(
            "token over 16 KiB",
            () ->
                gh.githubActions("acme/ok", "refs/heads/main")
                    .claim("padding", "x".repeat(17 * 1024))
                    .mint(),
            400,
            "invalid_client",
            "token_too_large"),
        tokenCase(
            "unknown workload",
            () -> gh.githubActionsToken("acme/nobody", "refs/heads/main"),
            400,
            "invalid_client",
            "unknown_workload"),
        tokenCase(
            "suspended workload",
            () -> gh.githubActionsToken("acme/suspended", "refs/heads/main"),
            400,
            "invalid_client",
            "workload_suspended"),
        tokenCase(
            "retired workload",
            () -> gh.githubActionsToken("acme/retired", "refs/heads/main"),
            400,
            "invalid_client",
            "workload_retired"),
        tokenCase(
            "expired workload",
            () -> gh.githubActionsToken("acme/expired", "refs/heads/main"),
            400,
            "invalid_client",
            "workload_expired"),
        tokenCase(
            "two workloads match",
            () -> gh.githubActionsToken("acme/dup", "refs/heads/main"),
            400,
            "invalid_client",
            "ambiguous_workload"),
        tokenCase(
            "policy deny wins",
            () -> gh.githubActionsToken("acme/denied", "refs/heads/main"),
            400,
            "access_denied",
            "policy_deny"),
        tokenCase(
            "no policy (default deny)",
            () -> gh.githubActionsToken("acme/no-policy", "refs/heads/main"),
            400,
            "access_denied",
            "no_matching_policy"),
        tokenCase(
            "CEL condition false",
            () -> gh.githubActionsToken("acme/cond-false", "refs/heads/main"),
            400,
            "access_denied",
            "condition_false"),
        tokenCase(
            "CEL runtime error is a deny, never a 500",
            () -> gh.githubActionsToken("acme/cond-error", "refs/heads/main"),
            400,
            "access_denied",
            "condition_error"),
        // decision 301: strict UTF-8 in header and payload; the first is correctly signed
        tokenCase(
            "signed payload escaping a lone surrogate",
            () -> withPayloadNote("\\ud800"),
            400,
            "invalid_client",
            "malformed_token"),
        tokenCase(
            "payload with an overlong encoding",
            () -> rawPayload("c0af"),
            400,
            "invalid_client",
            "malformed_token"),
        tokenCase(
            "payload with an encoded surrogate",
            () -> rawPayload("eda080"),
            400,
            "invalid_client",
            "malformed_token"),
        tokenCase(
            "payload with a truncated sequence",
            () -> rawPayload("e282"),
            400,
            "invalid_client",
            "malformed_token"),
        tokenCase(
            "payload with 0xFF", () -> rawPayload("ff"), 400, "invalid_client", "malformed_token"),
        Arguments.of(
            "subject_token escaping a lone surrogate",
            (Supplier<Map<String, String>>)
                () ->
                    Map.of(
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token",
                        withPayloadNote("x\\udc00"),
                        "subject_token_type",
                        "urn:ietf:params:oauth:token-type:jwt",
                        "resource",
                        AUD),
            400,
            "invalid_request",
            "malformed_token"),
        Arguments.of(
            "unknown resource",
            (Supplier<Map<String, String>>)
                () -> {
                  Map<String, String> f = cc(gh.githubActionsToken("acme/ok", "refs/heads/main"));
                  f.put("resource", "https://unknown.acme.test");
                  return f;
                },
            400,
            "invalid_target",
            "unknown_resource"),
        Arguments.of(
            "unsupported grant type",
            (Supplier<Map<String, String>>)
                () -> Map.of("grant_type", "password", "username", "u", "password", "p"),
            400,
            "unsupported_grant_type",
            "unsupported_grant_type"),
        Arguments.of(
            "client secret instead of an assertion",
            (Supplier<Map<String, String>>)
                () ->
                    Map.of(
                        "grant_type", "client_credentials", "client_id", "x", "client_secret", "s"),
            400,
            "invalid_request",
            "invalid_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputIsRefusedWithAClearErrorAndAuditedWithItsReason(
      String name, Supplier<Map<String, String>> form, int status, String error, String reason) {
    ServerFixture.Response r = warden.token(form.get());
    assertThat(r.status()).as(name + ": " + r.json()).isEqualTo(status);
    assertThat(r.json().path("error").asText()).as(name).isEqualTo(error);
    assertThat(r.json().path("error_description").asText())
        .as(name)
        .isNotBlank()
        .matches(ErrorDescriptionTest.ALLOWED);
    assertThat(r.json().has("access_token")).isFalse();
    assertThat(r.headers())
        .as(name + ": no Authorization header was sent")
        .doesNotContainKey("www-authenticate");
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("outcome").asText()).as(name).isEqualTo("deny");
    assertThat(event.path("reason").asText()).as(name).isEqualTo(reason);
  }

  @org.junit.jupiter.api.Test
  void clientSecretBasicIsInvalidClientWith401AndABasicChallenge() {
    String basic =
        java.util.Base64.getEncoder()
            .encodeToString("api:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ServerFixture.Response r =
        warden.token(Map.of("grant_type", "client_credentials", "resource", AUD), "Basic " + basic);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("www-authenticate")).isEqualTo("Basic realm=\"warden\"");
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    assertThat(r.json().path("error_description").asText()).contains("client_assertion");
    assertThat(r.json().toString()).doesNotContain(basic);
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("reason").asText()).isEqualTo("client_auth_unsupported");
    assertThat(event.toString()).doesNotContain(basic);
  }

  @org.junit.jupiter.api.Test
  void anAuthorizationHeaderBesideAValidAssertionIsRefusedWithAChallengeForItsScheme() {
    // RFC 6749 section 2.3: one authentication method per request
    ServerFixture.Response r =
        warden.token(cc(gh.githubActionsToken("acme/ok", "refs/heads/main")), "Bearer abc");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("www-authenticate"))
        .isEqualTo("Bearer realm=\"warden\"")
        .as("no RFC 6750 error code: invalid_client is not one")
        .doesNotContain("error=");
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    assertThat(r.json().path("error_description").asText()).isNotBlank();
    assertThat(warden.lastAuditEvent().path("reason").asText())
        .isEqualTo("client_auth_unsupported");
  }

  @org.junit.jupiter.api.Test
  void aMalformedAuthorizationHeaderIsInvalidRequest() {
    ServerFixture.Response r =
        warden.token(cc(gh.githubActionsToken("acme/ok", "refs/heads/main")), "@@ x");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(r.headers()).doesNotContainKey("www-authenticate");
  }

  @org.junit.jupiter.api.Test
  void repeatedFormParameterIsRefusedAndAudited() {
    ServerFixture.Response r =
        warden.tokenRaw(
            "grant_type=client_credentials&grant_type=client_credentials",
            "application/x-www-form-urlencoded");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(r.json().path("error_description").asText()).contains("repeated");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("invalid_request");
  }

  @org.junit.jupiter.api.Test
  void bodyOverTheLimitIsRefusedWith413AndAudited() {
    ServerFixture.Response r =
        warden.tokenRaw(
            "grant_type=client_credentials&pad=" + "x".repeat(70_000),
            "application/x-www-form-urlencoded");
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("request_too_large");
  }

  @org.junit.jupiter.api.Test
  void errorDescriptionsNeverEchoThePlatformToken() {
    String token = gh.githubActionsToken("acme/nobody", "refs/heads/main");
    ServerFixture.Response r = warden.token(cc(token));
    assertThat(r.json().toString()).doesNotContain(token);
    assertThat(warden.lastAuditEvent().toString()).doesNotContain(token);
  }
}
