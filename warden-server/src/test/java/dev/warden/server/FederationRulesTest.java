package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.federation.FederationRules;
import dev.warden.core.federation.FederationRules.Finding;
import dev.warden.core.federation.FederationRules.IssuerFacts;
import dev.warden.core.federation.FederationRules.Rule;
import dev.warden.core.federation.FederationRules.SampleToken;
import dev.warden.core.model.FederationCloud;
import dev.warden.server.federation.IssuerProbe;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per federation rule, each run against what {@link IssuerProbe} reads from a real started
 * server over HTTP: the rule holds for what Warden serves (or, for the https, port and TLS rules,
 * is reported broken, since a loopback test server cannot be a real cloud issuer), and the same
 * facts with one thing broken make the rule fail with a message that says what to change.
 */
class FederationRulesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer gh;
  static IssuerFacts facts;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden =
        ServerFixture.start(
            dir, Map.of("federation.enabled", "true", "federation.insecureIssuer", "true"));
    warden.apply(FederationTest.documents(gh));
    JsonNode t = warden.admin("GET", "/v1/federation/aws-prod?sample=true", null).json();
    facts =
        new IssuerProbe()
            .probe(
                warden.base,
                new SampleToken(
                    t.path("sample").asText(),
                    "sts.amazonaws.com",
                    t.path("sampleLifetimeSeconds").asLong()));
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

  static Finding aws(Rule r, IssuerFacts f) {
    return FederationRules.check(r, FederationCloud.AWS, f);
  }

  static ObjectNode discovery() {
    return facts.discovery().deepCopy();
  }

  static ObjectNode jwks() {
    return facts.jwks().deepCopy();
  }

  @Test
  void everyRuleButHttpsPortAndTlsHoldsForAWardenServerWithFederationOn() {
    List<Finding> f = FederationRules.check(FederationCloud.AWS, facts);

    assertThat(f).hasSize(Rule.values().length);
    assertThat(f.stream().filter(x -> !x.ok()).map(x -> x.rule()))
        .containsExactlyInAnyOrder(
            Rule.ISSUER_HTTPS, Rule.ISSUER_NO_PORT, Rule.TLS_TRUSTED, Rule.DISCOVERY_JWKS_URI);
  }

  @Test
  void issuerMustBeHttps() {
    assertThat(aws(Rule.ISSUER_HTTPS, facts).message())
        .contains("not an https URL", "server.issuer");
    assertThat(aws(Rule.ISSUER_HTTPS, facts.withIssuer("https://id.acme.example")).ok()).isTrue();
  }

  @Test
  void issuerMustNameNoPort() {
    assertThat(aws(Rule.ISSUER_NO_PORT, facts).message()).contains("names a port", "443");
    assertThat(aws(Rule.ISSUER_NO_PORT, facts.withIssuer("https://id.acme.example/warden")).ok())
        .isTrue();
  }

  @Test
  void issuerMustHaveNoQueryOrTrailingSlash() {
    assertThat(aws(Rule.ISSUER_PLAIN, facts).ok()).isTrue();
    assertThat(aws(Rule.ISSUER_PLAIN, facts.withIssuer("https://id.acme.example?x=1")).message())
        .contains("query");
    assertThat(aws(Rule.ISSUER_PLAIN, facts.withIssuer("https://id.acme.example/")).message())
        .contains("drop the slash");
  }

  @Test
  void issuerMustFitTheCloudsField() {
    assertThat(aws(Rule.ISSUER_LENGTH, facts).ok()).isTrue();
    String longIssuer = "https://id.acme.example/" + "a".repeat(600);
    assertThat(aws(Rule.ISSUER_LENGTH, facts.withIssuer(longIssuer)).message())
        .contains("at most 255");
    assertThat(
            FederationRules.check(
                    Rule.ISSUER_LENGTH, FederationCloud.AZURE, facts.withIssuer(longIssuer))
                .message())
        .contains("at most 600");
  }

  @Test
  void tlsMustChainToAPublicRoot() {
    assertThat(aws(Rule.TLS_TRUSTED, facts).message()).contains("not served over TLS");
    IssuerFacts untrusted =
        new IssuerFacts(
            facts.issuer(),
            null,
            "handshake",
            null,
            null,
            FederationRules.Tls.UNTRUSTED,
            "PKIX path building failed",
            null);
    assertThat(aws(Rule.TLS_TRUSTED, untrusted).message()).contains("PKIX", "self-signed");
  }

  @Test
  void discoveryMustBeReadable() {
    assertThat(aws(Rule.DISCOVERY_FETCHED, facts).ok()).isTrue();
    IssuerFacts gone = new IssuerProbe().probe(warden.base + "/nothing-here", null);
    assertThat(aws(Rule.DISCOVERY_FETCHED, gone).message())
        .contains("cannot read", "openid-configuration");
  }

  @Test
  void discoveryIssuerMustEqualTheConfiguredIssuerExactly() {
    assertThat(aws(Rule.DISCOVERY_ISSUER, facts).ok()).isTrue();
    String other = warden.base.replace("127.0.0.1", "localhost");
    assertThat(aws(Rule.DISCOVERY_ISSUER, facts.withIssuer(other)).message())
        .contains("byte for byte");
  }

  @Test
  void jwksUriMustBeHttpsOnTheIssuersHost() {
    // the test server serves http, which is exactly what this rule reports
    assertThat(aws(Rule.DISCOVERY_JWKS_URI, facts).message()).contains("is not https");
    ObjectNode d = discovery().put("jwks_uri", "https://keys.elsewhere.example/jwks");
    assertThat(
            aws(
                    Rule.DISCOVERY_JWKS_URI,
                    facts.withIssuer("https://id.acme.example").withDiscovery(d))
                .message())
        .contains("not on the issuer's host");
    d.put("jwks_uri", "https://id.acme.example/oauth2/jwks");
    assertThat(
            aws(
                    Rule.DISCOVERY_JWKS_URI,
                    facts.withIssuer("https://id.acme.example").withDiscovery(d))
                .ok())
        .isTrue();
  }

  @Test
  void discoveryMustHaveTheMembersOpenIdDiscoveryRequires() {
    assertThat(aws(Rule.DISCOVERY_MEMBERS, facts).ok()).isTrue();
    ObjectNode d = discovery();
    d.remove("response_types_supported");
    assertThat(aws(Rule.DISCOVERY_MEMBERS, facts.withDiscovery(d)).message())
        .contains("response_types_supported");
  }

  @Test
  void discoveryMustListTheAlgOfEveryPublishedKey() {
    assertThat(aws(Rule.DISCOVERY_ALGS, facts).ok()).isTrue();
    ObjectNode d = discovery();
    d.putArray("id_token_signing_alg_values_supported").add("ES256");
    assertThat(aws(Rule.DISCOVERY_ALGS, facts.withDiscovery(d)).message()).contains("RS256");
  }

  @Test
  void jwksMustBeReadable() {
    assertThat(aws(Rule.JWKS_FETCHED, facts).ok()).isTrue();
    assertThat(aws(Rule.JWKS_FETCHED, facts.withJwks(JSON.createObjectNode())).ok()).isFalse();
  }

  @Test
  void everyKeyHasKidUseAlgAndASoundPublicKey() {
    assertThat(aws(Rule.JWKS_KEYS, facts).ok()).isTrue();
    ObjectNode j = jwks();
    ((ObjectNode) j.path("keys").get(0)).remove("use");
    assertThat(aws(Rule.JWKS_KEYS, facts.withJwks(j)).message()).contains("use=sig");
  }

  @Test
  void aKeyMustUseAnAlgorithmTheCloudAccepts() {
    assertThat(FederationRules.check(Rule.JWKS_CLOUD_ALG, FederationCloud.AZURE, facts).ok())
        .isTrue();
    ObjectNode j = jwks();
    ArrayNode keys = j.putArray("keys");
    facts
        .jwks()
        .path("keys")
        .forEach(
            k -> {
              if (!"RS256".equals(k.path("alg").asText())) {
                keys.add(k);
              }
            });
    assertThat(
            FederationRules.check(Rule.JWKS_CLOUD_ALG, FederationCloud.AZURE, facts.withJwks(j))
                .message())
        .contains("federation.algorithm: RS256");
  }

  @Test
  void jwksMustHoldNoMoreKeysThanAwsReads() {
    assertThat(aws(Rule.JWKS_COUNT, facts).ok()).isTrue();
    ObjectNode j = jwks();
    ArrayNode keys = j.putArray("keys");
    for (int i = 0; i < 101; i++) {
      keys.add(facts.jwks().path("keys").get(0));
    }
    assertThat(aws(Rule.JWKS_COUNT, facts.withJwks(j)).message())
        .contains("101 keys", "at most 100");
  }

  @Test
  void tokenKidMustBePublishedAndItsAlgAccepted() {
    assertThat(aws(Rule.TOKEN_HEADER, facts).ok()).isTrue();
    ObjectNode empty = JSON.createObjectNode();
    empty.putArray("keys");
    assertThat(aws(Rule.TOKEN_HEADER, facts.withJwks(empty)).message())
        .contains("is not in the JWKS");
  }

  @Test
  void tokenSignatureMustVerifyUnderItsPublishedKey() {
    assertThat(aws(Rule.TOKEN_SIGNATURE, facts).ok()).isTrue();
    String t = facts.sample().token();
    String tampered =
        t.substring(0, t.lastIndexOf('.') + 1)
            + (t.endsWith("A") ? "B" : "A")
            + t.substring(t.lastIndexOf('.') + 2);
    assertThat(
            aws(
                    Rule.TOKEN_SIGNATURE,
                    facts.withSample(new SampleToken(tampered, "sts.amazonaws.com", 3600L)))
                .message())
        .contains("does not verify");
  }

  @Test
  void tokenIssMustEqualTheIssuer() {
    assertThat(aws(Rule.TOKEN_ISSUER, facts).ok()).isTrue();
    assertThat(aws(Rule.TOKEN_ISSUER, facts.withIssuer("https://id.acme.example")).message())
        .contains("differs");
  }

  @Test
  void tokenAudMustBeTheAudienceTheCloudExpects() {
    assertThat(aws(Rule.TOKEN_AUDIENCE, facts).ok()).isTrue();
    SampleToken wrong = new SampleToken(facts.sample().token(), "sts.amazonaws.com/other", 900L);
    assertThat(aws(Rule.TOKEN_AUDIENCE, facts.withSample(wrong)).message())
        .contains("differs from the expected");
  }

  @Test
  void tokenSubMustFitTheCloud() {
    assertThat(aws(Rule.TOKEN_SUBJECT, facts).ok()).isTrue();
    assertThat(FederationCloud.GCP.subjectProblem("spiffe://acme.test/" + "p".repeat(120)))
        .contains("127 bytes");
    assertThat(FederationRules.check(Rule.TOKEN_SUBJECT, FederationCloud.GCP, facts).ok()).isTrue();
  }

  @Test
  void tokenLifetimeMustBeAtMostOneHour() {
    assertThat(aws(Rule.TOKEN_LIFETIME, facts).ok()).isTrue();
    SampleToken longLived = new SampleToken(facts.sample().token(), "sts.amazonaws.com", 7200L);
    assertThat(aws(Rule.TOKEN_LIFETIME, facts.withSample(longLived)).message())
        .contains("at most 3600 s");
  }
}
