package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.Der;
import dev.warden.core.pki.SvidVerifier;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol and the bundle endpoint over real HTTP: attest, sync, issue, renew, and every
 * refusal audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentApiTest {
  static final String TD = "warden.local";
  static final String API = "spiffe://" + TD + "/payments/api";
  static final String OTHER = "spiffe://" + TD + "/billing/worker";

  @TempDir static Path dir;
  ServerFixture f;

  dev.warden.testkit.TestOidcIssuer cluster;
  dev.warden.testkit.TestOidcIssuer ci;

  @BeforeAll
  void start() {
    cluster =
        dev.warden.testkit.TestOidcIssuer.builder()
            .audience("https://warden.local")
            .path("/k8s")
            .start();
    ci =
        dev.warden.testkit.TestOidcIssuer.builder()
            .audience("https://warden.local")
            .path("/ci")
            .start();
    f = ServerFixture.start(dir);
    f.apply(
        """
        kind: TrustProvider
        metadata: {name: prod-cluster}
        spec:
          type: kubernetes
          issuer: %s
          audiences: [https://warden.local]
          algorithms: [RS256]
          nodeAttestation: true
        ---
        kind: TrustProvider
        metadata: {name: ci-cluster}
        spec:
          type: kubernetes
          issuer: %s
          audiences: [https://warden.local]
          algorithms: [RS256]
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://warden.local/ns/payments/sa/api
          selectors: ["k8s:ns=payments", "k8s:sa=api", "trust:provider=prod-cluster"]
          owner: payments@example.org
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://warden.local/ns/payments/ledger-writer
          selectors: ["unix:uid=4000"]
          owner: payments@example.org
          nodeSelectors: ["k8s:ns=payments"]
        ---
        kind: Workload
        spec:
          spiffeId: spiffe://warden.local/ns/web/logger
          selectors: ["unix:uid=3000"]
          owner: web@example.org
          nodeSelectors: ["k8s:sa=warden-agent", "trust:provider=prod-cluster"]
        """
            .formatted(cluster.issuer(), ci.issuer()));
    f.apply(
        """
        kind: Workload
        spec:
          spiffeId: %s
          selectors: ["unix:uid=1000"]
          owner: payments@example.org
          nodeSelectors: ["node:pool=web"]
        ---
        kind: Workload
        spec:
          spiffeId: %s
          selectors: ["unix:uid=2000"]
          owner: billing@example.org
          nodeSelectors: ["node:pool=batch"]
        ---
        kind: Resource
        metadata: {name: db}
        spec: {audience: https://db.example.org}
        ---
        kind: AccessPolicy
        metadata: {name: api-to-db}
        spec: {workloads: {spiffeIds: ["%s"]}, resources: [db]}
        """
            .formatted(API, OTHER, API));
  }

  @AfterAll
  void stop() {
    f.close();
    cluster.close();
    ci.close();
  }

  String agentsListed() {
    return f.admin("GET", "/v1/agents", null).json().toString();
  }

  @Test
  void aWorkloadsOwnTokenIsRefusedAsNodeEvidenceNamingTheWorkloadAndWhatToDo() throws Exception {
    // the payments API's own service-account token: as node evidence its claims (k8s:ns=payments)
    // would let the "agent" fetch SVIDs of every workload whose nodeSelectors they match
    String own = cluster.kubernetesToken("payments", "api", "api-6f7c9");
    String before = agentsListed();

    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"token\":\"" + own + "\",\"csr\":\"" + csr() + "\"}",
            null);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().get("error").asText()).isEqualTo("not_node_evidence");
    assertThat(r.json().get("message").asText())
        .contains("spiffe://warden.local/ns/payments/sa/api")
        .contains("never attests an agent")
        .contains("join token");
    assertThat(r.json().has("session_token")).isFalse();
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("type").asText()).isEqualTo("agent.attest");
    assertThat(ev.get("outcome").asText()).isEqualTo("deny");
    assertThat(ev.get("reason").asText()).isEqualTo("not_node_evidence");
    assertThat(ev.toString()).doesNotContain(own);
    assertThat(agentsListed()).as("no agent was recorded").isEqualTo(before);
  }

  @Test
  void aTokenOfAProviderNotConfiguredForNodeAttestationIsRefusedNamingTheSetting()
      throws Exception {
    String token = ci.kubernetesToken("kube-system", "warden-agent", "warden-agent-q1w2e");
    String before = agentsListed();

    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"token\":\"" + token + "\",\"csr\":\"" + csr() + "\"}",
            null);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().get("error").asText()).isEqualTo("not_node_evidence");
    assertThat(r.json().get("message").asText())
        .contains("'ci-cluster'")
        .contains("nodeAttestation: true");
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("reason").asText()).isEqualTo("not_node_evidence");
    assertThat(ev.get("details").get("provider").asText()).isEqualTo("ci-cluster");
    assertThat(agentsListed()).isEqualTo(before);
  }

  @Test
  void nodeAttestationThatIsNotABooleanIsRefusedAndTheProviderStaysAsItWas() {
    JsonNode before = f.admin("GET", "/v1/trustproviders/ci-cluster", null).json();
    ServerFixture.Response r =
        f.admin(
            "PUT",
            "/v1/trustproviders/ci-cluster",
            """
        {"kind": "TrustProvider", "metadata": {"name": "ci-cluster"}, "spec": {"type": "kubernetes",
         "issuer": "%s", "audiences": ["https://warden.local"], "algorithms": ["RS256"], "nodeAttestation": "yes"}}"""
                .formatted(ci.issuer()));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("field").asText()).isEqualTo("spec.nodeAttestation");
    assertThat(f.admin("GET", "/v1/trustproviders/ci-cluster", null).json()).isEqualTo(before);
  }

  @Test
  void agentAttestsWithItsDaemonSetsServiceAccountTokenAndServesByItsNodeSelectors()
      throws Exception {
    String sa = cluster.kubernetesToken("kube-system", "warden-agent", "warden-agent-x7k2p");
    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"token\":\"" + sa + "\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    assertThat(r.json().get("spiffe_id").asText())
        .startsWith("spiffe://" + TD + "/warden/agent/prod-cluster/");
    String session = r.json().get("session_token").asText();
    ServerFixture.Response sync = agentCall("GET", "/v1/agent/sync", session, null);
    List<String> ids = new ArrayList<>();
    sync.json().get("entries").forEach(e -> ids.add(e.get("spiffe_id").asText()));
    assertThat(ids).containsExactly("spiffe://warden.local/ns/web/logger");

    String token = cluster.kubernetesToken("kube-system", "warden-agent", "p");
    // change a character well inside the signature: the last one may carry only padding bits that
    // a decoder ignores, so changing it does not always change the signature
    int at = token.length() - 10;
    String forged =
        token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    ServerFixture.Response bad =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"token\":\"" + forged + "\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(bad.status()).isEqualTo(403);
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("type").asText()).isEqualTo("agent.attest");
    assertThat(ev.get("outcome").asText()).isEqualTo("deny");
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String csr(KeyPair kp, ExtensionsGenerator ext) throws Exception {
    var b = new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=agent"), kp.getPublic());
    if (ext != null) {
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
    }
    return Base64.getEncoder()
        .encodeToString(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                .getEncoded());
  }

  static String csr() throws Exception {
    return csr(ec(), null);
  }

  String joinToken() {
    ServerFixture.Response r =
        f.admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=web\"],\"ttl\":\"10m\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
    return r.json().get("token").asText();
  }

  ServerFixture.Response agentCall(String method, String path, String session, String body) {
    return f.admin(method, path, body, session);
  }

  JsonNode attest() throws Exception {
    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"" + joinToken() + "\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json();
  }

  List<X509Certificate> bundleAuthorities() throws Exception {
    ServerFixture.Response r = f.get("/.well-known/spiffe-bundle");
    assertThat(r.status()).isEqualTo(200);
    JWKSet set = JWKSet.parse(r.json().toString());
    List<X509Certificate> out = new ArrayList<>();
    for (JWK k : set.getKeys()) {
      if (k.getKeyUse().identifier().equals("x509-svid")) {
        out.add(k.getParsedX509CertChain().getFirst());
      }
    }
    return out;
  }

  static List<X509Certificate> chain(JsonNode arr) {
    List<X509Certificate> out = new ArrayList<>();
    arr.forEach(n -> out.add(Der.certificate(Base64.getDecoder().decode(n.asText()))));
    return out;
  }

  @Test
  void bundleEndpointServesTheSpiffeFormatWithSequenceAndRefreshHint() {
    ServerFixture.Response r = f.get("/v1/bundle");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("spiffe_sequence").asLong()).isPositive();
    assertThat(r.json().get("spiffe_refresh_hint").asLong()).isEqualTo(300);
    JsonNode keys = r.json().get("keys");
    assertThat(keys)
        .anySatisfy(
            k -> {
              assertThat(k.get("use").asText()).isEqualTo("x509-svid");
              assertThat(k.has("kid")).isFalse();
              assertThat(k.get("x5c")).hasSize(1);
            });
    assertThat(keys)
        .anySatisfy(
            k -> {
              assertThat(k.get("use").asText()).isEqualTo("jwt-svid");
              assertThat(k.get("kid").asText()).isNotEmpty();
            });
  }

  @Test
  void agentAttestsWithAJoinTokenAndGetsAnSvidThatChainsToTheBundle() throws Exception {
    JsonNode s = attest();
    String agentId = s.get("spiffe_id").asText();
    assertThat(agentId).startsWith("spiffe://" + TD + "/warden/agent/join/");
    assertThat(SvidVerifier.verify(chain(s.get("svid_chain")), bundleAuthorities(), Instant.now()))
        .isEqualTo(SpiffeId.parse(agentId));
    assertThat(f.lastAuditEvent().get("type").asText()).isEqualTo("agent.attest");
  }

  @Test
  void aJoinTokenWorksOnceAndAReuseIsDeniedAndAudited() throws Exception {
    String token = joinToken();
    assertThat(
            f.admin(
                    "POST",
                    "/v1/agent/attest",
                    "{\"join_token\":\"" + token + "\",\"csr\":\"" + csr() + "\"}",
                    null)
                .status())
        .isEqualTo(200);
    ServerFixture.Response again =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"" + token + "\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(again.status()).isEqualTo(403);
    assertThat(again.json().get("error").asText()).isEqualTo("invalid_join_token");
    assertThat(again.json().get("message").asText()).contains("already used");
    JsonNode ev = f.lastAuditEvent();
    assertThat(ev.get("type").asText()).isEqualTo("agent.attest");
    assertThat(ev.get("outcome").asText()).isEqualTo("deny");
    assertThat(ev.get("reason").asText()).isEqualTo("invalid_join_token");
  }

  @Test
  void joinTokensLiveAtMostAnHour() {
    ServerFixture.Response r = f.admin("POST", "/v1/agent-tokens", "{\"ttl\":\"2h\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).contains("at most 60 minutes");
  }

  @Test
  void agentSyncsOnlyWhatItMayServeAndGetsSvidsForIt() throws Exception {
    JsonNode s = attest();
    String session = s.get("session_token").asText();
    ServerFixture.Response sync = agentCall("GET", "/v1/agent/sync?since=0", session, null);
    assertThat(sync.status()).isEqualTo(200);
    assertThat(sync.json().get("full").asBoolean()).isTrue();
    List<String> ids = new ArrayList<>();
    sync.json().get("entries").forEach(e -> ids.add(e.get("spiffe_id").asText()));
    assertThat(ids).containsExactly(API);
    long rev = sync.json().get("revision").asLong();
    ServerFixture.Response delta = agentCall("GET", "/v1/agent/sync?since=" + rev, session, null);
    assertThat(delta.json().get("full").asBoolean()).isFalse();
    assertThat(delta.json().get("entries")).isEmpty();

    ServerFixture.Response svids =
        agentCall(
            "POST",
            "/v1/agent/x509-svids",
            session,
            "{\"requests\":[{\"spiffe_id\":\""
                + API
                + "\",\"csr\":\""
                + csr()
                + "\"},"
                + "{\"spiffe_id\":\""
                + OTHER
                + "\",\"csr\":\""
                + csr()
                + "\"}]}");
    assertThat(svids.status()).isEqualTo(200);
    JsonNode ok = svids.json().get("svids").get(0);
    assertThat(
            SvidVerifier.verify(chain(ok.get("chain")), bundleAuthorities(), Instant.now())
                .toString())
        .isEqualTo(API);
    JsonNode refused = svids.json().get("svids").get(1);
    assertThat(refused.get("error").asText()).isEqualTo("agent_not_authorized");
    assertThat(f.lastAuditEvent().get("type").asText()).isEqualTo("svid.denied");
  }

  @Test
  void jwtSvidVerifiesWithTheBundlesJwtAuthorityAndNeedsAnAudience() throws Exception {
    String session = attest().get("session_token").asText();
    ServerFixture.Response r =
        agentCall(
            "POST",
            "/v1/agent/jwt-svids",
            session,
            "{\"spiffe_id\":\"" + API + "\",\"audience\":[\"https://db.example.org\"]}");
    assertThat(r.status()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(r.json().get("token").asText());
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(API);
    JWKSet set = JWKSet.parse(f.get("/v1/bundle").json().toString());
    JWK key = set.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key.getKeyUse().identifier()).isEqualTo("jwt-svid");
    assertThat(jwt.verify(new ECDSAVerifier(key.toECKey()))).isTrue();

    ServerFixture.Response noAud =
        agentCall(
            "POST",
            "/v1/agent/jwt-svids",
            session,
            "{\"spiffe_id\":\"" + API + "\",\"audience\":[]}");
    assertThat(noAud.status()).isEqualTo(400);
    assertThat(noAud.json().get("field").asText()).isEqualTo("audience");
  }

  @Test
  void
      aJwtSvidForThisServerAuthenticatesItsWorkloadAtTheTokenEndpointAndOneForAnotherAudienceDoesNot()
          throws Exception {
    // authenticating to Warden with a JWT-SVID is itself a grant: a resource for Warden's issuer
    f.apply(
        """
        kind: Resource
        metadata: {name: warden-itself}
        spec: {audience: "%s"}
        ---
        kind: AccessPolicy
        metadata: {name: api-to-warden}
        spec: {workloads: {spiffeIds: ["%s"]}, resources: [warden-itself]}
        """
            .formatted(f.base, API));
    String session = attest().get("session_token").asText();
    String forWarden =
        agentCall(
                "POST",
                "/v1/agent/jwt-svids",
                session,
                "{\"spiffe_id\":\"" + API + "\",\"audience\":[\"" + f.base + "\"]}")
            .json()
            .get("token")
            .asText();
    String forDb =
        agentCall(
                "POST",
                "/v1/agent/jwt-svids",
                session,
                "{\"spiffe_id\":\"" + API + "\",\"audience\":[\"https://db.example.org\"]}")
            .json()
            .get("token")
            .asText();

    ServerFixture.Response ok =
        f.token(
            java.util.Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                forWarden,
                "resource",
                "https://db.example.org"));
    assertThat(ok.status()).as(ok.json().toString()).isEqualTo(200);
    assertThat(
            SignedJWT.parse(ok.json().get("access_token").asText()).getJWTClaimsSet().getSubject())
        .isEqualTo(API);
    assertThat(f.lastAuditEvent().path("details").path("provider").asText()).isEqualTo("jwt-svid");

    ServerFixture.Response wrong =
        f.token(
            java.util.Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                forDb,
                "resource",
                "https://db.example.org"));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_client");
    assertThat(f.lastAuditEvent().path("reason").asText()).isEqualTo("wrong_audience");
  }

  @Test
  void renewingReplacesTheSessionAndTheOldOneStopsWorking() throws Exception {
    String s1 = attest().get("session_token").asText();
    ServerFixture.Response r =
        agentCall("POST", "/v1/agent/renew", s1, "{\"csr\":\"" + csr() + "\"}");
    assertThat(r.status()).isEqualTo(200);
    String s2 = r.json().get("session_token").asText();
    assertThat(s2).isNotEqualTo(s1);
    assertThat(agentCall("GET", "/v1/agent/sync", s1, null).status()).isEqualTo(401);
    assertThat(agentCall("GET", "/v1/agent/sync", s2, null).status()).isEqualTo(200);
    assertThat(agentCall("GET", "/v1/agent/sync", "nonsense", null).status()).isEqualTo(401);
    assertThat(agentCall("GET", "/v1/agent/sync", null, null).status()).isEqualTo(401);
  }

  @Test
  void badCsrsAreRefusedWithTheirReasonAndAudited() throws Exception {
    String session = attest().get("session_token").asText();
    ExtensionsGenerator ca = new ExtensionsGenerator();
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPair weak = rsa.generateKeyPair();
    String weakCsr =
        Base64.getEncoder()
            .encodeToString(
                new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=x"), weak.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate()))
                    .getEncoded());
    ExtensionsGenerator other = new ExtensionsGenerator();
    other.addExtension(
        Extension.subjectAlternativeName,
        false,
        new org.bouncycastle.asn1.x509.GeneralNames(
            new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, OTHER)));
    String[][] cases = {
      {Base64.getEncoder().encodeToString("not a csr".getBytes()), "malformed_csr"},
      {csr(ec(), other), "csr_rejected"},
      {csr(ec(), ca), "csr_rejected"},
      {weakCsr, "weak_key"},
    };
    for (String[] c : cases) {
      ServerFixture.Response r =
          agentCall(
              "POST",
              "/v1/agent/x509-svids",
              session,
              "{\"requests\":[{\"spiffe_id\":\"" + API + "\",\"csr\":\"" + c[0] + "\"}]}");
      assertThat(r.json().get("svids").get(0).get("error").asText()).isEqualTo(c[1]);
      JsonNode ev = f.lastAuditEvent();
      assertThat(ev.get("type").asText()).isEqualTo("svid.denied");
      assertThat(ev.get("reason").asText()).isEqualTo(c[1]);
    }
    ServerFixture.Response attest =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"" + joinToken() + "\",\"csr\":\"" + weakCsr + "\"}",
            null);
    assertThat(attest.status()).isEqualTo(400);
    assertThat(attest.json().get("error").asText()).isEqualTo("weak_key");
  }

  @Test
  void attestRequiresExactlyOneKindOfEvidence() throws Exception {
    ServerFixture.Response r =
        f.admin("POST", "/v1/agent/attest", "{\"csr\":\"" + csr() + "\"}", null);
    assertThat(r.status()).isEqualTo(400);
    ServerFixture.Response bogus =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"wjt_00.nope\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(bogus.status()).isEqualTo(403);
    assertThat(bogus.json().get("error").asText()).isEqualTo("invalid_join_token");
  }

  @Test
  void adminListsAttestedAgents() throws Exception {
    attest();
    ServerFixture.Response r = f.admin("GET", "/v1/agents", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("agents").get(0).get("node_selectors").toString())
        .contains("node:pool=web");
    assertThat(f.admin("GET", "/v1/agents", null, null).status()).isEqualTo(401);
  }

  static void assertNotCacheable(ServerFixture.Response r, String what) {
    assertThat(r.headers().get("cache-control")).as(what + " Cache-Control").isEqualTo("no-store");
    assertThat(r.headers().get("pragma")).as(what + " Pragma").isEqualTo("no-cache");
  }

  @Test
  void responsesCarryingSessionTokensOrSvidsAreNeverCached() throws Exception {
    ServerFixture.Response join =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"join_token\":\"" + joinToken() + "\",\"csr\":\"" + csr() + "\"}",
            null);
    assertThat(join.status()).isEqualTo(200);
    assertNotCacheable(join, "attest (join token)");
    ServerFixture.Response platform =
        f.admin(
            "POST",
            "/v1/agent/attest",
            "{\"token\":\""
                + cluster.kubernetesToken("kube-system", "warden-agent", "warden-agent-n0c4c")
                + "\",\"csr\":\""
                + csr()
                + "\"}",
            null);
    assertThat(platform.status()).isEqualTo(200);
    assertNotCacheable(platform, "attest (platform token)");
    String session = join.json().get("session_token").asText();
    ServerFixture.Response renew =
        agentCall("POST", "/v1/agent/renew", session, "{\"csr\":\"" + csr() + "\"}");
    assertThat(renew.status()).isEqualTo(200);
    assertNotCacheable(renew, "renew");
    session = renew.json().get("session_token").asText();
    ServerFixture.Response x509 =
        agentCall(
            "POST",
            "/v1/agent/x509-svids",
            session,
            "{\"requests\":[{\"spiffe_id\":\"" + API + "\",\"csr\":\"" + csr() + "\"}]}");
    assertThat(x509.json().get("svids").get(0).has("chain")).isTrue();
    assertNotCacheable(x509, "x509-svids");
    ServerFixture.Response jwt =
        agentCall(
            "POST",
            "/v1/agent/jwt-svids",
            session,
            "{\"spiffe_id\":\"" + API + "\",\"audience\":[\"https://db.example.org\"]}");
    assertThat(jwt.status()).isEqualTo(200);
    assertNotCacheable(jwt, "jwt-svids");
    assertNotCacheable(agentCall("GET", "/v1/agent/sync", session, null), "sync");
    ServerFixture.Response refused =
        agentCall(
            "POST",
            "/v1/agent/jwt-svids",
            session,
            "{\"spiffe_id\":\"" + API + "\",\"audience\":[\"https://elsewhere.example.org\"]}");
    assertThat(refused.status()).isEqualTo(403);
    assertNotCacheable(refused, "a refusal");
    ServerFixture.Response created = f.admin("POST", "/v1/agent-tokens", "{\"ttl\":\"5m\"}");
    assertThat(created.status()).isEqualTo(201);
    assertNotCacheable(created, "agent-tokens");
    assertThat(f.get("/v1/bundle").headers().get("cache-control"))
        .as("the public bundle may be cached")
        .isEqualTo("public, max-age=60");
  }
}
