package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.document.Documents;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
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
 * Validate before write: a refused configuration change leaves the store exactly as it was and
 * never freezes enforcement; an object stored earlier that no longer compiles is disabled alone
 * (fail closed) and reported, and the server still starts and still applies other changes.
 */
class ConfigIntegrityTest {
  static final String AUD = "https://warden.acme.test";
  static final String LEDGER = "https://ledger.acme.test";

  static TestOidcIssuer k8s;

  @TempDir Path dir;

  @BeforeAll
  static void issuer() {
    k8s = TestOidcIssuer.builder().audience(AUD).path("/k8s").start();
  }

  @AfterAll
  static void stopIssuer() {
    k8s.close();
  }

  static String baseConfig() {
    return """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [%s], algorithms: [RS256]}
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://acme.test/ns/payments/sa/api
          selectors: ["k8s:ns=payments", "k8s:sa=api"]
          owner: alice@acme.test
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s, kind: http}
        ---
        kind: AccessPolicy
        metadata: {name: api-to-ledger}
        spec:
          workloads: {spiffeIds: [spiffe://acme.test/ns/payments/sa/api]}
          resources: [ledger]
        """
        .formatted(k8s.issuer(), AUD, LEDGER);
  }

  static ServerFixture.Response token(ServerFixture f) {
    return f.token(
        Map.of(
            "grant_type",
            "client_credentials",
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion",
            k8s.kubernetesToken("payments", "api", "api-0"),
            "resource",
            LEDGER));
  }

  static String providerWithJwks(String name, String issuer, String alg, String jwks) {
    return "{\"documents\":[{\"kind\":\"TrustProvider\",\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":{"
        + "\"type\":\"oidc\",\"issuer\":\""
        + issuer
        + "\",\"audiences\":[\""
        + AUD
        + "\"],\"algorithms\":[\""
        + alg
        + "\"],\"jwks\":"
        + jwks
        + "}}]}";
  }

  static final String ZERO32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

  static Stream<Arguments> unusableJwks() {
    return Stream.of(
        Arguments.of(
            "private key members",
            "ES256",
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
                + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
                + "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}]}"),
        Arguments.of("no keys", "ES256", "{\"keys\":[]}"),
        Arguments.of("not JSON", "ES256", "\"this is not json\""),
        Arguments.of(
            "EC point off the curve",
            "ES256",
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\""
                + ZERO32
                + "\",\"y\":\""
                + ZERO32
                + "\"}]}"),
        Arguments.of(
            "bad RSA modulus",
            "RS256",
            "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQ\",\"e\":\"AQAB\"}]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableJwks")
  void aTrustProviderWithAnUnusableJwksIsRefusedAndNothingIsStoredOrAudited(
      String what, String alg, String jwks) {
    try (ServerFixture f = ServerFixture.start(dir)) {
      f.apply(baseConfig());
      long seq = f.lastAuditEvent().path("seq").asLong();
      long counterBefore = f.admin("GET", "/v1/trustproviders", null).json().path("items").size();

      ServerFixture.Response r =
          f.admin("POST", "/v1/apply", providerWithJwks("bad", "https://bad.acme.test", alg, jwks));
      assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
      assertThat(r.json().path("field").asText()).contains("jwks");

      assertThat(f.admin("GET", "/v1/trustproviders/bad", null).status()).isEqualTo(404);
      assertThat(f.admin("GET", "/v1/trustproviders/bad?history=true", null).json().path("history"))
          .isEmpty();
      assertThat(f.admin("GET", "/v1/trustproviders", null).json().path("items").size())
          .isEqualTo(counterBefore);
      assertThat(f.lastAuditEvent().path("seq").asLong()).isEqualTo(seq);
      // enforcement is not frozen: the next change applies and takes effect
      assertThat(token(f).status()).isEqualTo(200);
      assertThat(f.admin("DELETE", "/v1/policies/api-to-ledger", null).status()).isEqualTo(200);
      assertThat(token(f).status()).isEqualTo(400);
    }
  }

  @Test
  void aBatchWithOneBadDocumentWritesNoneOfItsDocuments() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      String batch =
          "{\"documents\":[{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\"spiffe://acme.test/batch/a\","
              + "\"selectors\":[\"k8s:ns=batch\"],\"owner\":\"a@acme.test\"}},"
              + providerWithJwks("bad", "https://bad.acme.test", "ES256", "{\"keys\":[]}")
                  .replaceFirst("^\\{\"documents\":\\[", "");
      ServerFixture.Response r = f.admin("POST", "/v1/apply", batch);
      assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
      assertThat(r.json().path("field").asText()).contains("jwks");
      assertThat(
              f.admin(
                      "GET",
                      "/v1/workloads/"
                          + java.net.URLEncoder.encode(
                              "spiffe://acme.test/batch/a",
                              java.nio.charset.StandardCharsets.UTF_8),
                      null)
                  .status())
          .isEqualTo(404);
    }
  }

  @Test
  void twoTrustProvidersForOneIssuerInOneBatchAreRefusedBeforeEitherIsStored() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      String jwks = k8s.jwksJson();
      String one = providerWithJwks("one", "https://same.acme.test", "RS256", jwks);
      String two = providerWithJwks("two", "https://same.acme.test/", "RS256", jwks);
      String batch =
          one.substring(0, one.length() - 2) + "," + two.substring("{\"documents\":[".length());
      ServerFixture.Response r = f.admin("POST", "/v1/apply", batch);
      assertThat(r.status()).as(r.json().toString()).isEqualTo(409);
      assertThat(f.admin("GET", "/v1/trustproviders/one", null).status()).isEqualTo(404);
      assertThat(f.admin("GET", "/v1/trustproviders/two", null).status()).isEqualTo(404);
      assertThat(token(f).status()).isNotEqualTo(200); // nothing else changed either
      f.apply(baseConfig());
      assertThat(token(f).status()).isEqualTo(200);
    }
  }

  @Test
  void aDeletedPolicyStopsGrantingEvenAfterARefusedApply() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      f.apply(baseConfig());
      assertThat(token(f).status()).isEqualTo(200);
      assertThat(
              f.admin(
                      "POST",
                      "/v1/apply",
                      providerWithJwks("bad", "https://bad.acme.test", "ES256", "{\"keys\":[]}"))
                  .status())
          .isEqualTo(400);
      assertThat(f.admin("DELETE", "/v1/policies/api-to-ledger", null).status()).isEqualTo(200);
      ServerFixture.Response denied = token(f);
      assertThat(denied.status()).isEqualTo(400);
      assertThat(denied.json().path("error").asText()).isEqualTo("access_denied");
      JsonNode explain =
          f.admin(
                  "POST",
                  "/v1/decisions:explain",
                  "{\"workload\":\"spiffe://acme.test/ns/payments/sa/api\",\"resource\":\"ledger\"}")
              .json();
      assertThat(explain.path("decision").path("allowed").asBoolean()).isFalse();
    }
  }

  @Test
  void aStoredObjectThatNoLongerCompilesIsDisabledAloneReportedAndTheServerStillStarts()
      throws Exception {
    String admin;
    try (ServerFixture f = ServerFixture.start(dir)) {
      admin = f.adminToken;
      f.apply(
          baseConfig()
              + """
          ---
          kind: Workload
          spec:
            spiffeId: spiffe://acme.test/ns/payments/sa/batch
            selectors: ["k8s:ns=payments", "k8s:sa=batch"]
            owner: alice@acme.test
          ---
          kind: AccessPolicy
          metadata: {name: batch-to-ledger}
          spec:
            workloads: {spiffeIds: [spiffe://acme.test/ns/payments/sa/batch]}
            resources: [ledger]
          """);
    }
    // what an older release (or a hand edit) left in the database: objects today's checks refuse
    try (JdbcStore store = JdbcStore.open(StoreConfig.embedded(dir))) {
      store
          .trustProviders()
          .put(
              (TrustProviderSpec)
                  Documents.parse(
                      ServerFixture.JSON
                          .readTree(
                              providerWithJwks(
                                  "broken-idp",
                                  "https://broken.acme.test",
                                  "ES256",
                                  "{\"keys\":[]}"))
                          .path("documents")
                          .path(0)),
              0,
              "test");
      store
          .policies()
          .put(
              policy(
                  "misspelt-allow",
                  "allow",
                  "spiffe://acme.test/ns/payments/sa/api",
                  "request.sourceAdress == '10.0.0.1'"),
              0,
              "test");
      store
          .policies()
          .put(
              policy(
                  "broken-deny",
                  "deny",
                  "spiffe://acme.test/ns/payments/sa/batch",
                  "request.scopes"),
              0,
              "test");
    }
    try (ServerFixture f = ServerFixture.start(dir)) {
      ServerFixture.Response ready = f.get("/readyz");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().path("configuration").asText()).isEqualTo("degraded");
      assertThat(ready.json().path("disabled").toString())
          .contains("broken-idp", "misspelt-allow", "broken-deny");

      assertThat(f.get("/metrics").json().asText())
          .contains("warden_config_disabled_objects{kind=\"TrustProvider\"} 1.0")
          .contains("warden_config_disabled_objects{kind=\"AccessPolicy\"} 2.0");

      JsonNode got = f.admin("GET", "/v1/policies/misspelt-allow", null, admin).json();
      assertThat(got.path("status").path("state").asText()).isEqualTo("disabled");
      assertThat(got.path("status").path("reason").asText()).contains("sourceAdress");
      assertThat(f.admin("GET", "/v1/policies/api-to-ledger", null, admin).json().has("status"))
          .isFalse();

      JsonNode events =
          f.admin("GET", "/v1/audit?type=config.disabled&limit=10", null, admin)
              .json()
              .path("events");
      assertThat(events.toString()).contains("broken-idp", "misspelt-allow", "broken-deny");

      // everything else keeps working; the broken deny still denies (fail closed)
      assertThat(token(f).status()).isEqualTo(200);
      ServerFixture.Response batch =
          f.token(
              Map.of(
                  "grant_type",
                  "client_credentials",
                  "client_assertion_type",
                  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                  "client_assertion",
                  k8s.kubernetesToken("payments", "batch", "batch-0"),
                  "resource",
                  LEDGER));
      assertThat(batch.status()).isEqualTo(400);
      assertThat(batch.json().path("error").asText()).isEqualTo("access_denied");

      // other changes still apply, and fixing the object enables it again
      assertThat(f.admin("DELETE", "/v1/policies/broken-deny", null, admin).status())
          .isEqualTo(200);
      ServerFixture.Response fixed =
          f.admin(
              "POST",
              "/v1/apply",
              "{\"documents\":["
                  + ServerFixture.JSON.writeValueAsString(
                      Documents.toDocument(
                          policy(
                              "misspelt-allow",
                              "allow",
                              "spiffe://acme.test/ns/payments/sa/api",
                              "request.sourceAddress == '10.0.0.1'")))
                  + "]}",
              admin);
      assertThat(fixed.status()).as(fixed.json().toString()).isEqualTo(200);
      assertThat(f.admin("GET", "/v1/policies/misspelt-allow", null, admin).json().has("status"))
          .isFalse();
      ServerFixture.Response batchAgain =
          f.token(
              Map.of(
                  "grant_type",
                  "client_credentials",
                  "client_assertion_type",
                  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                  "client_assertion",
                  k8s.kubernetesToken("payments", "batch", "batch-1"),
                  "resource",
                  LEDGER));
      assertThat(batchAgain.status()).as(batchAgain.json().toString()).isEqualTo(200);
      assertThat(f.get("/readyz").json().path("disabled").toString())
          .contains("broken-idp")
          .doesNotContain("misspelt-allow");
      assertThat(
              f.admin("GET", "/v1/audit?type=config.enabled&limit=10", null, admin)
                  .json()
                  .toString())
          .contains("misspelt-allow");
    }
  }

  @Test
  void aConditionWithAMisspeltFieldIsRefusedAtApplyNamingTheFieldsThatExist() throws Exception {
    try (ServerFixture f = ServerFixture.start(dir)) {
      f.apply(baseConfig());
      ServerFixture.Response r =
          f.admin(
              "POST",
              "/v1/apply",
              "{\"documents\":["
                  + ServerFixture.JSON.writeValueAsString(
                      Documents.toDocument(
                          policy(
                              "typo",
                              "allow",
                              "spiffe://acme.test/ns/payments/sa/api",
                              "request.sourceAdress == '10.0.0.1'")))
                  + "]}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().path("field").asText()).isEqualTo("spec.condition");
      assertThat(r.json().path("message").asText())
          .contains("policy 'typo'")
          .contains("sourceAdress")
          .contains("request has: time, sourceAddress");
      assertThat(f.admin("GET", "/v1/policies/typo", null).status()).isEqualTo(404);
    }
  }

  @Test
  void aPolicyNamingAResourceThatDoesNotExistIsAppliedWithAWarning() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      f.apply(baseConfig());
      String doc =
          "{\"documents\":[{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"p\"},\"spec\":{"
              + "\"workloads\":{\"spiffeIds\":[\"spiffe://acme.test/x\"]},\"resources\":[\"ledger\",\"ledgr\"]}}]}";
      JsonNode dry = f.admin("POST", "/v1/apply?dryRun=true", doc).json();
      assertThat(dry.path("changes").path(0).path("warnings").toString())
          .contains("'ledgr' does not exist")
          .doesNotContain("'ledger'");
      JsonNode done = f.admin("POST", "/v1/apply", doc).json();
      assertThat(done.path("changes").path(0).path("warnings").toString())
          .contains("'ledgr' does not exist");
    }
  }

  static AccessPolicy policy(String name, String effect, String spiffeId, String condition)
      throws Exception {
    return (AccessPolicy)
        Documents.parse(
            ServerFixture.JSON.readTree(
                "{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\""
                    + name
                    + "\"},\"spec\":{\"effect\":\""
                    + effect
                    + "\",\"workloads\":{\"spiffeIds\":[\""
                    + spiffeId
                    + "\"]},\"resources\":[\"ledger\"],\"condition\":"
                    + ServerFixture.JSON.writeValueAsString(condition)
                    + "}}"));
  }
}
