package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.grant.TokenService;
import dev.warden.core.pki.Der;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8705 over a real HTTPS listener: a workload authenticates at the token endpoint with its
 * X.509-SVID and receives a certificate-bound token; certificates that are not SVIDs of a trusted
 * authority never complete the handshake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String API = "spiffe://warden.local/payments/api";
  static final String AUDIENCE = "https://ledger.example.org";

  @TempDir static Path dir;
  WardenServer server;
  String base;
  String adminToken;
  List<X509Certificate> bundle;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(ServerFixture.freePort()));
    flags.put("server.host", "127.0.0.1");
    flags.put("server.dataDir", dir.toString());
    flags.put("tls.selfIssued", "true");
    flags.put("tls.dnsNames", "localhost");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m =
        Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)")
            .matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    adminToken = m.group(1);
    base = "https://localhost:" + server.port();
    assertThat(server.issuer()).startsWith("https://");
    // bootstrap trust the way an operator would: fetch the bundle once out of band (here: from the
    // server's own store through a trust-all client, then never again)
    HttpClient insecure = HttpClient.newBuilder().sslContext(trustAll()).build();
    JsonNode b =
        JSON.readTree(
            insecure
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/bundle")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    bundle = new ArrayList<>();
    for (JsonNode k : b.get("keys")) {
      if (k.get("use").asText().equals("x509-svid")) {
        bundle.add(Der.certificate(Base64.getDecoder().decode(k.get("x5c").get(0).asText())));
      }
    }
    admin(
        "POST",
        "/v1/apply",
        JSON.writeValueAsString(
            Map.of(
                "documents",
                List.of(
                    Map.of(
                        "kind",
                        "Workload",
                        "spec",
                        Map.of(
                            "spiffeId",
                            API,
                            "selectors",
                            List.of("unix:uid=1000"),
                            "owner",
                            "payments@example.org",
                            "nodeSelectors",
                            List.of("node:pool=web"))),
                    Map.of(
                        "kind",
                        "Resource",
                        "metadata",
                        Map.of("name", "ledger"),
                        "spec",
                        Map.of("audience", AUDIENCE)),
                    Map.of(
                        "kind",
                        "AccessPolicy",
                        "metadata",
                        Map.of("name", "api-to-ledger"),
                        "spec",
                        Map.of(
                            "workloads",
                            Map.of("spiffeIds", List.of(API)),
                            "resources",
                            List.of("ledger"),
                            "maxTtl",
                            "5m"))))));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  HttpClient client(SSLContext ctx) {
    return HttpClient.newBuilder().sslContext(ctx).build();
  }

  JsonNode admin(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        client(trusting(null, null))
            .send(
                HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .method(
                        method,
                        body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  /** An SSLContext that trusts the Warden bundle and optionally presents a client chain. */
  SSLContext trusting(List<X509Certificate> clientChain, PrivateKey clientKey) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    for (int i = 0; i < bundle.size(); i++) {
      ts.setCertificateEntry("ca" + i, bundle.get(i));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    KeyManagerFactory kmf = null;
    if (clientChain != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "svid", clientKey, "x".toCharArray(), clientChain.toArray(X509Certificate[]::new));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "x".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }

  static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new javax.net.ssl.TrustManager[] {
          new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            public void checkServerTrusted(X509Certificate[] c, String a) {}

            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        new SecureRandom());
    return ctx;
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  String lastAgentSession;

  static List<X509Certificate> chain(JsonNode der) {
    List<X509Certificate> out = new ArrayList<>();
    der.forEach(n -> out.add(Der.certificate(Base64.getDecoder().decode(n.asText()))));
    return out;
  }

  @Test
  void overHttpsAnAgentSessionTokenAloneIsRefused() throws Exception {
    workloadSvid();
    HttpResponse<String> r =
        client(trusting(null, null))
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/agent/sync"))
                    .header("Authorization", "Bearer " + lastAgentSession)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("X.509-SVID");
  }

  /** A workload SVID obtained the way an agent gets one: join token, attest, request. */
  record Svid(List<X509Certificate> chain, PrivateKey key) {}

  Svid workloadSvid() throws Exception {
    String join =
        admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=web\"]}")
            .get("token")
            .asText();
    HttpClient c = client(trusting(null, null));
    KeyPair agentKey = ec();
    String attest = JSON.writeValueAsString(Map.of("join_token", join, "csr", csr(agentKey)));
    JsonNode s =
        JSON.readTree(
            c.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/agent/attest"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(attest))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    lastAgentSession = s.get("session_token").asText();
    // over HTTPS the agent authenticates with its own SVID (mTLS), as the real agent does
    HttpClient agent = client(trusting(chain(s.get("svid_chain")), agentKey.getPrivate()));
    KeyPair kp = ec();
    String req =
        JSON.writeValueAsString(
            Map.of("requests", List.of(Map.of("spiffe_id", API, "csr", csr(kp)))));
    JsonNode r =
        JSON.readTree(
            agent
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/agent/x509-svids"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(req))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    List<X509Certificate> chain = new ArrayList<>();
    r.get("svids")
        .get(0)
        .get("chain")
        .forEach(n -> chain.add(Der.certificate(Base64.getDecoder().decode(n.asText()))));
    return new Svid(chain, kp.getPrivate());
  }

  static String csr(KeyPair kp) throws Exception {
    return Base64.getEncoder()
        .encodeToString(
            new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=w"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                .getEncoded());
  }

  HttpResponse<String> token(HttpClient c, String form) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void workloadAuthenticatesWithItsSvidAndGetsACertificateBoundToken() throws Exception {
    Svid svid = workloadSvid();
    HttpResponse<String> r =
        token(
            client(trusting(svid.chain(), svid.key())),
            "grant_type=client_credentials&client_id=" + API + "&resource=" + AUDIENCE);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(JSON.readTree(r.body()).get("access_token").asText());
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(API);
    @SuppressWarnings("unchecked")
    Map<String, Object> cnf = (Map<String, Object>) jwt.getJWTClaimsSet().getClaim("cnf");
    assertThat(cnf).containsEntry("x5t#S256", TokenService.thumbprint(svid.chain().getFirst()));
  }

  @Test
  void certificateAuthenticatedRequestWithADpopProofIsRefusedForATokenIsBoundToOneKey()
      throws Exception {
    Svid svid = workloadSvid();
    dev.warden.testkit.TestDpopKey key = dev.warden.testkit.TestDpopKey.generate("ES256");
    HttpResponse<String> r =
        client(trusting(svid.chain(), svid.key()))
            .send(
                HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header(
                        "DPoP",
                        key.proof("POST", server.issuer() + "/oauth2/token", Instant.now())
                            .compact())
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "grant_type=client_credentials&client_id="
                                + API
                                + "&resource="
                                + AUDIENCE))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo("invalid_request");
    assertThat(body.get("error_description").asText())
        .contains("bound to one key")
        .contains("client_assertion");
  }

  @Test
  void discoveryAdvertisesTlsClientAuthAndBoundTokens() throws Exception {
    JsonNode m =
        JSON.readTree(
            client(trusting(null, null))
                .send(
                    HttpRequest.newBuilder(
                            URI.create(base + "/.well-known/oauth-authorization-server"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(m.get("token_endpoint_auth_methods_supported").toString())
        .contains("tls_client_auth");
    assertThat(m.get("tls_client_certificate_bound_access_tokens").asBoolean()).isTrue();
  }

  @Test
  void clientIdThatIsNotTheCertificatesSpiffeIdIsRefused() throws Exception {
    Svid svid = workloadSvid();
    HttpResponse<String> r =
        token(
            client(trusting(svid.chain(), svid.key())),
            "grant_type=client_credentials&client_id=spiffe://warden.local/admin&resource="
                + AUDIENCE);
    // RFC 7521 section 4.2 / RFC 6749 section 5.2: a client_id naming another client is
    // invalid_client
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("invalid_client");
    JsonNode ev = admin("GET", "/v1/audit?limit=1", null).get("events").get(0);
    assertThat(ev.get("type").asText()).isEqualTo("token.denied");
    assertThat(ev.get("reason").asText()).isEqualTo("client_id_mismatch");
  }

  @Test
  void withoutCertificateOrAssertionTheRequestIsRefused() throws Exception {
    HttpResponse<String> r =
        token(
            client(trusting(null, null)),
            "grant_type=client_credentials&client_id=" + API + "&resource=" + AUDIENCE);
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void aCertificateFromAnUnknownCaNeverCompletesTheHandshake() throws Exception {
    KeyPair caKey = ec();
    KeyPair leafKey = ec();
    var b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=rogue"),
            BigInteger.TEN,
            Date.from(Instant.now().minusSeconds(60)),
            Date.from(Instant.now().plusSeconds(3600)),
            new X500Name("O=x"),
            leafKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, API)));
    X509Certificate rogue =
        Der.certificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate()))
                .getEncoded());
    // a standard client would not even offer it (its issuer is not among the server's accepted
    // issuers); force it, as an attacker would
    SSLContext forced = SSLContext.getInstance("TLS");
    SSLContext base0 = trusting(null, null);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", bundle.getFirst());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    forced.init(
        new javax.net.ssl.KeyManager[] {
          new javax.net.ssl.X509ExtendedKeyManager() {
            public String[] getClientAliases(String t, java.security.Principal[] i) {
              return new String[] {"rogue"};
            }

            public String chooseClientAlias(
                String[] t, java.security.Principal[] i, java.net.Socket s) {
              return "rogue";
            }

            public String chooseEngineClientAlias(
                String[] t, java.security.Principal[] i, javax.net.ssl.SSLEngine e) {
              return "rogue";
            }

            public String[] getServerAliases(String t, java.security.Principal[] i) {
              return null;
            }

            public String chooseServerAlias(
                String t, java.security.Principal[] i, java.net.Socket s) {
              return null;
            }

            public X509Certificate[] getCertificateChain(String a) {
              return new X509Certificate[] {rogue};
            }

            public PrivateKey getPrivateKey(String a) {
              return leafKey.getPrivate();
            }
          }
        },
        tmf.getTrustManagers(),
        new SecureRandom());
    assertThat(base0).isNotNull();
    HttpClient c = client(forced);
    assertThatThrownBy(
            () ->
                token(
                    c, "grant_type=client_credentials&client_id=" + API + "&resource=" + AUDIENCE))
        .isInstanceOf(java.io.IOException.class);
    // and a client that does not offer it is simply not authenticated
    HttpResponse<String> plain =
        token(
            client(trusting(List.of(rogue), leafKey.getPrivate())),
            "grant_type=client_credentials&client_id=" + API + "&resource=" + AUDIENCE);
    assertThat(plain.statusCode()).isEqualTo(400);
  }
}
