package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.upstream.TestOAuthServer;
import dev.warden.testkit.TestOidcIssuer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream OAuth tokens at {@code POST /v1/credentials}, end to end over real HTTP: a workload
 * presents its Kubernetes service-account token to a started Warden, which obtains a token from a
 * real OAuth 2.0 authorization server ({@link TestOAuthServer}: client credentials with
 * client_secret_basic, client_secret_post and private_key_jwt, all verified there) with the client
 * secret or key it holds sealed, and hands the workload the token and never the secret.
 */
class UpstreamTokenTest {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String BASIC_SECRET = "s3cr3t-basic-Zq8LwPx7";
  static final String POST_SECRET = "s3cr3t-post-Hn2Kd9Qa";

  @TempDir static Path dir;

  static ServerFixture warden;
  static TestOidcIssuer k8s;
  static TestOAuthServer saas;
  static KeyPair clientKey;
  static String clientKeyPem;
  static final List<LogRecord> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
  static final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logs.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void start() throws Exception {
    Logger.getLogger("").addHandler(capture);
    Logger.getLogger("dev.warden").setLevel(Level.ALL);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    clientKey = g.generateKeyPair();
    clientKeyPem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(clientKey.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    saas = TestOAuthServer.start(Clock.systemUTC());
    saas.register(
        new TestOAuthServer.Client("warden-basic", BASIC_SECRET, null, Set.of("read", "write")));
    saas.register(new TestOAuthServer.Client("warden:post", POST_SECRET, null, Set.of("read")));
    saas.register(
        new TestOAuthServer.Client("warden-jwt", null, clientKey.getPublic(), Set.of("read")));
    k8s = TestOidcIssuer.builder().audience("https://warden.acme.test").path("/k8s").start();
    warden = ServerFixture.start(dir);
    setSecret("saas-basic", BASIC_SECRET);
    setSecret("saas-post", POST_SECRET);
    setSecret("saas-key", clientKeyPem);
    setSecret("saas-wrong", "not-the-secret-Vb7Tq");
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        """
            .formatted(k8s.issuer()));
  }

  @AfterAll
  static void stop() {
    Logger.getLogger("").removeHandler(capture);
    if (warden != null) {
      warden.close();
    }
    if (k8s != null) {
      k8s.close();
    }
    if (saas != null) {
      saas.close();
    }
  }

  static void setSecret(String name, String value) {
    com.fasterxml.jackson.databind.node.ObjectNode b = ServerFixture.JSON.createObjectNode();
    b.put("value", value);
    ServerFixture.Response r = warden.admin("PUT", "/v1/target-secrets/" + name, b.toString());
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
  }

  /**
   * An oauth-client resource {@code name} at the test server, and workload ns/sa allowed upstream
   * tokens for it.
   */
  static void resource(String name, String oauthSpec) {
    warden.apply(
        """
        kind: Resource
        metadata: {name: %s}
        spec:
          audience: https://%s.saas.test
          kind: oauth-client
          oauth: %s
        """
            .formatted(name, name, oauthSpec));
  }

  static void allow(String sa, String resource, String maxTtl) {
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ns/apps/sa/%s, selectors: ["k8s:ns=apps", "k8s:sa=%s"], owner: o@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: %s-to-%s}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ns/apps/sa/%s]}, resources: [%s],
               credentialKind: upstream_token, maxTtl: %s}
        """
            .formatted(sa, sa, sa, resource, sa, resource, maxTtl));
  }

  static ServerFixture.Response credential(String sa, String resource) {
    String form =
        "client_assertion_type="
            + URLEncoder.encode(JWT_BEARER, StandardCharsets.UTF_8)
            + "&client_assertion="
            + k8s.kubernetesToken("apps", sa, sa + "-pod-1")
            + "&resource="
            + URLEncoder.encode(resource, StandardCharsets.UTF_8);
    return warden.send("/v1/credentials", form, null);
  }

  static JsonNode events(String resource) {
    return warden
        .admin("GET", "/v1/audit?limit=200&resource=" + resource, null)
        .json()
        .path("events");
  }

  static String basic(String scopes) {
    return "{tokenUrl: '%s', clientId: warden-basic, clientSecretSecret: saas-basic, scopes: [%s]}"
        .formatted(saas.tokenUrl(), scopes);
  }

  @Test
  void workloadGetsTheUpstreamTokenAndTheAuditNamesItsFingerprintNotTheToken() {
    resource("crm-basic", basic("read"));
    allow("crm", "crm-basic", "2h");
    int before = saas.requests();
    Instant asked = Instant.now();

    ServerFixture.Response r = credential("crm", "crm-basic");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
    JsonNode c = r.json();
    String token = c.path("access_token").asText();
    assertThat(saas.issued(token)).as("a token the upstream issued").isTrue();
    assertThat(saas.requests()).isEqualTo(before + 1);
    assertThat(c.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(c.path("credential_type").asText()).isEqualTo("upstream_token");
    assertThat(c.path("scope").asText()).isEqualTo("read");
    assertThat(c.path("resource").asText()).isEqualTo("crm-basic");
    assertThat(c.path("expires_in").asLong()).isBetween(3590L, 3600L);
    assertThat(Instant.parse(c.path("expires_at").asText()))
        .isBetween(asked.plusSeconds(3590), asked.plusSeconds(3601));
    assertThat(c.has("cache")).as("cache state is for the audit log").isFalse();
    assertThat(saas.bodies().getLast())
        .contains("grant_type=client_credentials")
        .contains("scope=read")
        .doesNotContain(BASIC_SECRET);

    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.issued");
    assertThat(event.path("resource").asText()).isEqualTo("crm-basic");
    assertThat(event.path("details").path("credentialKind").asText()).isEqualTo("upstream_token");
    assertThat(event.path("details").path("cache").asText()).isEqualTo("miss");
    assertThat(event.path("details").path("jti").asText()).isEqualTo(c.path("lease_id").asText());
    assertThat(event.path("details").path("fingerprint").asText()).isNotEmpty().isNotEqualTo(token);
    assertThat(events("crm-basic").toString()).doesNotContain(token).doesNotContain(BASIC_SECRET);

    ServerFixture.Response again = credential("crm", "crm-basic");
    assertThat(again.json().path("access_token").asText()).isEqualTo(token);
    assertThat(again.json().path("lease_id").asText()).isNotEqualTo(c.path("lease_id").asText());
    assertThat(saas.requests()).as("reused from the cache").isEqualTo(before + 1);
    assertThat(warden.lastAuditEvent().path("details").path("cache").asText()).isEqualTo("hit");
    assertThat(warden.lastAuditEvent().path("details").path("fingerprint").asText())
        .isEqualTo(event.path("details").path("fingerprint").asText());
  }

  static String report(String fingerprint) {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/leaks",
            "{\"source\": \"git@example.test:acme/app.git\","
                + " \"findings\": [{\"fingerprint\": \""
                + fingerprint
                + "\", \"ruleId\": \"generic\", \"path\": \".env\"}]}");
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().toString();
  }

  static JsonNode lastOf(String resource, String type) {
    for (JsonNode e : events(resource)) {
      if (e.path("type").asText().equals(type)) {
        return e;
      }
    }
    throw new AssertionError("no " + type + " event for " + resource);
  }

  @Test
  void aLeakedUpstreamTokenIsRevokedAtTheUpstreamAndNeverHandedOutAgain() {
    resource(
        "crm-leaky",
        "{tokenUrl: '%s', revocationUrl: '%s', clientId: warden-basic, clientSecretSecret: saas-basic,"
                .formatted(saas.tokenUrl(), saas.revocationUrl())
            + " scopes: [write]}");
    allow("leaky", "crm-leaky", "2h");
    ServerFixture.Response first = credential("leaky", "crm-leaky");
    assertThat(first.status()).as(first.json().toString()).isEqualTo(200);
    String leaked = first.json().path("access_token").asText();
    String fingerprint = warden.lastAuditEvent().path("details").path("fingerprint").asText();
    assertThat(credential("leaky", "crm-leaky").json().path("access_token").asText())
        .as("cached")
        .isEqualTo(leaked);

    String answer = report(fingerprint);

    assertThat(answer).contains("\"revoked\":true");
    assertThat(saas.revoked(leaked)).as("revoked at the upstream (RFC 7009)").isTrue();
    JsonNode removed = lastOf("crm-leaky", "credential.removed");
    assertThat(removed.path("details").path("upstream").asText()).isEqualTo("revoked");
    assertThat(removed.toString()).doesNotContain(leaked).doesNotContain(BASIC_SECRET);
    assertThat(saas.bodies().getLast())
        .contains("token_type_hint=access_token")
        .doesNotContain(BASIC_SECRET);
    String next = credential("leaky", "crm-leaky").json().path("access_token").asText();
    assertThat(next).as("never handed out again").isNotEqualTo(leaked);
    assertThat(saas.issued(next)).isTrue();
  }

  @Test
  void aLeakedUpstreamTokenWithoutARevocationEndpointIsForgottenAndReportedIrrevocable() {
    resource("crm-norevoke", basic("write"));
    allow("norevoke", "crm-norevoke", "2h");
    String leaked = credential("norevoke", "crm-norevoke").json().path("access_token").asText();
    String fingerprint = warden.lastAuditEvent().path("details").path("fingerprint").asText();

    report(fingerprint);

    JsonNode irrevocable = lastOf("crm-norevoke", "credential.irrevocable");
    assertThat(irrevocable.path("details").path("upstream").asText()).isEqualTo("no-endpoint");
    assertThat(irrevocable.path("details").path("message").asText()).contains("revocationUrl");
    assertThat(saas.revoked(leaked)).isFalse();
    assertThat(credential("norevoke", "crm-norevoke").json().path("access_token").asText())
        .isNotEqualTo(leaked);
  }

  @Test
  void concurrentGrantsCauseExactlyOneUpstreamRequest() throws Exception {
    resource("crm-burst", basic("read, write"));
    allow("burst", "crm-burst", "2h");
    saas.delay(300);
    int before = saas.requests();
    int n = 16;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ServerFixture.Response>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        answers.add(
            pool.submit(
                (Callable<ServerFixture.Response>)
                    () -> {
                      go.await();
                      return credential("burst", "crm-burst");
                    }));
      }
      go.countDown();
      Set<String> tokens = new HashSet<>();
      Set<String> leases = new HashSet<>();
      for (Future<ServerFixture.Response> f : answers) {
        ServerFixture.Response r = f.get();
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        tokens.add(r.json().path("access_token").asText());
        leases.add(r.json().path("lease_id").asText());
      }
      assertThat(tokens).hasSize(1);
      assertThat(leases).as("one lease per grant").hasSize(n);
    } finally {
      saas.delay(0);
    }
    assertThat(saas.requests() - before).isEqualTo(1);
    List<String> sources = new ArrayList<>();
    events("crm-burst").forEach(e -> sources.add(e.path("details").path("cache").asText()));
    assertThat(sources).hasSize(n).containsOnlyOnce("miss").doesNotContain("");
  }

  @Test
  void clientSecretPostAuthenticatesInTheForm() {
    resource(
        "crm-post",
        "{tokenUrl: '%s', clientId: 'warden:post', authMethod: client_secret_post,"
                .formatted(saas.tokenUrl())
            + " clientSecretSecret: saas-post, scopes: [read]}");
    allow("poster", "crm-post", "1h");

    ServerFixture.Response r = credential("poster", "crm-post");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(saas.issued(r.json().path("access_token").asText())).isTrue();
    assertThat(saas.bodies().getLast()).contains("client_id=warden%3Apost");
  }

  @Test
  void privateKeyJwtAssertionIsVerifiedByTheUpstream() {
    resource(
        "crm-jwt",
        "{tokenUrl: '%s', clientId: warden-jwt, authMethod: private_key_jwt,"
                .formatted(saas.tokenUrl())
            + " privateKeySecret: saas-key, signingAlg: ES256, keyId: k1, scopes: [read]}");
    allow("signer", "crm-jwt", "1h");

    ServerFixture.Response r = credential("signer", "crm-jwt");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(saas.issued(r.json().path("access_token").asText())).isTrue();
    assertThat(saas.bodies().getLast()).contains("client_assertion=").doesNotContain("PRIVATE");
  }

  @Test
  void deniedWorkloadGetsNothingAndIsAudited() {
    resource("crm-denied", basic("read"));
    allow("stranger", "crm-basic-other", "1h");
    int before = saas.requests();

    ServerFixture.Response r = credential("stranger", "crm-denied");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").asText()).isEqualTo("access_denied");
    assertThat(r.json().has("access_token")).isFalse();
    assertThat(saas.requests()).isEqualTo(before);
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("token.denied");
    assertThat(event.path("resource").asText()).isEqualTo("crm-denied");
    assertThat(event.path("reason").asText()).isEqualTo("no_matching_policy");
  }

  @Test
  void upstreamDownAnswersTemporarilyUnavailableAuditedOnce() {
    int port = ServerFixture.freePort();
    resource(
        "crm-down",
        "{tokenUrl: 'http://127.0.0.1:%d/token', clientId: warden-basic,".formatted(port)
            + " clientSecretSecret: saas-basic, scopes: [read]}");
    allow("downer", "crm-down", "1h");

    ServerFixture.Response r = credential("downer", "crm-down");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
    assertThat(r.json().path("error_description").asText())
        .contains("crm-down")
        .contains("cannot be reached")
        .contains("nothing was issued");
    assertThat(r.headers().get("retry-after")).isEqualTo("1");
    JsonNode events = events("crm-down");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).path("type").asText()).isEqualTo("credential.failed");
    assertThat(events.get(0).path("reason").asText()).isEqualTo("target_unavailable");
  }

  @Test
  void upstreamErrorIsNotCachedTheNextGrantAsksAgain() {
    resource("crm-flaky", basic("read"));
    allow("flaky", "crm-flaky", "1h");
    saas.override(
        form ->
            new TestOAuthServer.Answer(
                503, "text/html", "<html>busy</html>".getBytes(StandardCharsets.UTF_8)));
    int before = saas.requests();
    try {
      ServerFixture.Response r = credential("flaky", "crm-flaky");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().path("error_description").asText()).contains("HTTP 503");
    } finally {
      saas.override(null);
    }

    ServerFixture.Response r = credential("flaky", "crm-flaky");

    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(saas.requests()).isEqualTo(before + 2);
  }

  @Test
  void wrongClientSecretGivesAClearErrorNamingTheResourceNotTheSecret() {
    resource(
        "crm-wrong",
        "{tokenUrl: '%s', clientId: warden-basic, clientSecretSecret: saas-wrong, scopes: [read]}"
            .formatted(saas.tokenUrl()));
    allow("wrong", "crm-wrong", "1h");

    ServerFixture.Response r = credential("wrong", "crm-wrong");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
    String description = r.json().path("error_description").asText();
    assertThat(description)
        .contains("resource 'crm-wrong'")
        .contains("invalid_client")
        .contains("spec.oauth.clientId")
        .doesNotContain("not-the-secret")
        .doesNotContain(BASIC_SECRET);
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("type").asText()).isEqualTo("credential.failed");
    assertThat(event.toString()).contains("invalid_client").doesNotContain("not-the-secret");
  }

  @Test
  void policyShorterThanTheUpstreamTokenIsRefusedWithTheReason() {
    resource("crm-short", basic("read"));
    allow("short", "crm-short", "10m");

    ServerFixture.Response r = credential("short", "crm-short");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().has("access_token")).isFalse();
    JsonNode event = warden.lastAuditEvent();
    assertThat(event.path("reason").asText()).isEqualTo("ttl_exceeds_policy");
    assertThat(event.path("details").path("message").asText())
        .contains("1h")
        .contains("maxTtl 10m");
  }

  @Test
  void applyRefusesAMissingTargetSecretAndSaysHowToStoreIt() {
    ServerFixture.Response r =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "Resource", "metadata": {"name": "crm-nosecret"}, "spec": {"audience":
         "https://nosecret.saas.test", "kind": "oauth-client", "oauth": {"tokenUrl": "%s", "clientId": "x",
         "clientSecretSecret": "never-stored"}}}]}"""
                .formatted(saas.tokenUrl()));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).isEqualTo("spec.oauth.clientSecretSecret");
    assertThat(r.json().path("message").asText())
        .contains("never-stored")
        .contains("warden target-secret set never-stored");
    assertThat(warden.admin("GET", "/v1/resources/crm-nosecret", null).status()).isEqualTo(404);
  }

  @Test
  void applyRefusesPlainHttpToAnotherHostAndASecretInTheDocument() {
    ServerFixture.Response http =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "Resource", "metadata": {"name": "crm-http"}, "spec": {"audience":
         "https://http.saas.test", "kind": "oauth-client", "oauth": {"tokenUrl": "http://login.saas.test/token",
         "clientId": "x", "clientSecretSecret": "saas-basic"}}}]}""");
    assertThat(http.status()).isEqualTo(400);
    assertThat(http.json().path("message").asText()).contains("must use https");

    ServerFixture.Response inline =
        warden.admin(
            "POST",
            "/v1/apply",
            """
        {"documents": [{"kind": "Resource", "metadata": {"name": "crm-inline"}, "spec": {"audience":
         "https://inline.saas.test", "kind": "oauth-client", "oauth": {"tokenUrl": "https://login.saas.test/token",
         "clientId": "x", "clientSecret": "hunter2"}}}]}""");
    assertThat(inline.status()).isEqualTo(400);
    assertThat(inline.json().path("message").asText())
        .contains("never goes in a document")
        .doesNotContain("hunter2");
  }

  @Test
  void aKeyThatCannotSignIsRefusedWhenStored() {
    resource(
        "crm-jwt-check",
        "{tokenUrl: '%s', clientId: warden-jwt, authMethod: private_key_jwt,"
                .formatted(saas.tokenUrl())
            + " privateKeySecret: saas-key-2, signingAlg: ES256, scopes: [read]}"
                .replace("saas-key-2", "saas-key"));
    ServerFixture.Response r =
        warden.admin("PUT", "/v1/target-secrets/saas-key", "{\"value\": \"not a pem key at all\"}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText())
        .contains("crm-jwt-check")
        .contains("PEM PKCS#8")
        .doesNotContain("not a pem key");
  }

  @Test
  void theClientSecretsNeverAppearInAnyResponseLogOrAuditEvent() {
    resource("leak-basic", basic("read"));
    resource(
        "leak-post",
        "{tokenUrl: '%s', clientId: 'warden:post', authMethod: client_secret_post,"
                .formatted(saas.tokenUrl())
            + " clientSecretSecret: saas-post}");
    resource(
        "leak-jwt",
        "{tokenUrl: '%s', clientId: warden-jwt, authMethod: private_key_jwt,"
                .formatted(saas.tokenUrl())
            + " privateKeySecret: saas-key, signingAlg: ES256}");
    resource(
        "leak-wrong",
        "{tokenUrl: '%s', clientId: warden-basic, clientSecretSecret: saas-wrong}"
            .formatted(saas.tokenUrl()));
    List<String> answers = new ArrayList<>();
    for (String res : List.of("leak-basic", "leak-post", "leak-jwt", "leak-wrong")) {
      allow("leaker-" + res, res, "1h");
      ServerFixture.Response r = credential("leaker-" + res, res);
      assertThat(r.status()).as(res).isEqualTo(res.equals("leak-wrong") ? 503 : 200);
      answers.add(r.json().toString() + r.headers());
    }
    String audit = warden.admin("GET", "/v1/audit?limit=1000", null).json().toString();
    String secrets = warden.admin("GET", "/v1/target-secrets", null).json().toString();
    String resources = warden.admin("GET", "/v1/resources", null).json().toString();
    StringBuilder logged = new StringBuilder();
    for (LogRecord l : logs) {
      logged.append(new java.util.logging.SimpleFormatter().format(l));
    }
    for (String secret :
        List.of(
            BASIC_SECRET, POST_SECRET, "not-the-secret-Vb7Tq", clientKeyPem.substring(40, 80))) {
      assertThat(answers.toString()).doesNotContain(secret);
      assertThat(audit).doesNotContain(secret);
      assertThat(secrets).doesNotContain(secret);
      assertThat(resources).doesNotContain(secret);
      assertThat(logged.toString()).doesNotContain(secret);
    }
  }
}
