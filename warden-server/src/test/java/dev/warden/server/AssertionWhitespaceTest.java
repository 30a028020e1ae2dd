package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
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
 * Regression: a platform token read from a file ends in a newline ({@code $(cat token)} keeps none,
 * {@code --data-urlencode client_assertion@token} keeps it), and the token endpoint refused it as
 * malformed. Space, tab, CR and LF around {@code client_assertion}, {@code subject_token} and
 * {@code actor_token} are removed before verification; inside a token they still make it malformed.
 */
class AssertionWhitespaceTest {
  static final String AUD = "https://ledger.acme.test";
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
        spec: {spiffeId: spiffe://acme.test/a, selectors: ["github:repository=acme/a"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: a-to-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/a]}, resources: [ledger]}
        """
            .formatted(gh.issuer(), AUD));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static Map<String, String> clientCredentials(String assertion) {
    return Map.of(
        "grant_type",
        "client_credentials",
        "client_assertion_type",
        JWT_BEARER,
        "client_assertion",
        assertion,
        "resource",
        AUD);
  }

  static Map<String, String> tokenExchange(String subjectToken) {
    return Map.of(
        "grant_type",
        TOKEN_EXCHANGE,
        "subject_token",
        subjectToken,
        "subject_token_type",
        "urn:ietf:params:oauth:token-type:jwt",
        "resource",
        AUD);
  }

  static Stream<Arguments> surroundings() {
    return Stream.of(
        Arguments.of("LF at the end (a token file)", "", "\n"),
        Arguments.of("CRLF at the end", "", "\r\n"),
        Arguments.of("spaces and tabs around", " \t", "\t  "),
        Arguments.of("blank lines around", "\n\n", "\n\r\n"));
  }

  @ParameterizedTest(name = "client_assertion, {0}")
  @MethodSource("surroundings")
  void clientAssertionWithSurroundingWhitespaceIsAccepted(
      String name, String before, String after) {
    String token = gh.githubActionsToken("acme/a", "refs/heads/main");
    ServerFixture.Response r = warden.token(clientCredentials(before + token + after));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
  }

  @ParameterizedTest(name = "subject_token, {0}")
  @MethodSource("surroundings")
  void subjectTokenWithSurroundingWhitespaceIsAccepted(String name, String before, String after) {
    String token = gh.githubActionsToken("acme/a", "refs/heads/main");
    ServerFixture.Response r = warden.token(tokenExchange(before + token + after));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
  }

  @Test
  void whitespaceInsideATokenStillMakesItMalformed() {
    String token = gh.githubActionsToken("acme/a", "refs/heads/main");
    int dot = token.indexOf('.');
    ServerFixture.Response r =
        warden.token(clientCredentials(token.substring(0, dot) + "\n" + token.substring(dot)));
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    assertThat(warden.lastAuditEvent().path("reason").asText()).isEqualTo("malformed_token");
  }

  @Test
  void aBlankAssertionIsAMissingParameter() {
    ServerFixture.Response r = warden.token(clientCredentials(" \n"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
    assertThat(r.json().path("error_description").asText()).contains("client_assertion");
  }

  @Test
  void anActorTokenIsTrimmedBeforeItIsRefusedAsUnsupported() {
    Map<String, String> form =
        new java.util.HashMap<>(tokenExchange(gh.githubActionsToken("acme/a", "refs/heads/main")));
    form.put("actor_token", "\n");
    assertThat(warden.token(form).status())
        .as("a blank actor_token is no actor_token")
        .isEqualTo(200);
    form.put("actor_token", gh.githubActionsToken("acme/a", "refs/heads/main") + "\n");
    ServerFixture.Response r = warden.token(form);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error_description").asText()).contains("actor_token");
  }
}
