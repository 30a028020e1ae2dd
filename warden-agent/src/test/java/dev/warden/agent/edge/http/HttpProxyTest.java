package dev.warden.agent.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.agent.edge.EdgeFixture;
import dev.warden.core.edge.ProxySpec;
import dev.warden.testkit.TestTlsCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP(S) egress proxy end to end, nothing faked: a Warden server over HTTPS holding brokered
 * secrets and issuing access tokens, the agent joined with a token, destinations that are real HTTP
 * and HTTPS servers (the JDK's, with certificates from a test CA given to the agent as {@code
 * upstream-ca}) echoing what they received, and two real clients that hold no credential of their
 * own — the JDK's HttpClient with a ProxySelector and curl with {@code -x} — trusting Warden's
 * bundle for the intercepted TLS.
 */
class HttpProxyTest {
  static final String BILLING_KEY = "sk_live_billing_5f2c";
  static final String API_KEY = "k-123-api";
  static final String QUERY_KEY = "q-456/+&=";
  static final String BASIC = "svc:pa55 word";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static TestTlsCertificates destinationCa;
  static Path destinationCaPem;
  static EchoServer billingTls;
  static EchoServer wardenTls;
  static EchoServer billingPlain;
  static EchoServer keyed;
  static EchoServer query;
  static EchoServer basic;
  static EchoServer other;
  static EchoServer badCert;
  static int down;
  static int proxy;
  static int refusing;
  static int undeclared;
  static int impatient;
  static java.net.ServerSocket silent;
  static ForgetfulServer forgetful;

  @BeforeAll
  static void start() throws Exception {
    destinationCa = TestTlsCertificates.newCa("destinations");
    destinationCaPem = dir.resolve("destination-ca.pem");
    Files.writeString(destinationCaPem, destinationCa.pem());
    billingTls = EchoServer.tls(destinationCa);
    billingPlain = EchoServer.plain();
    keyed = EchoServer.plain();
    query = EchoServer.plain();
    basic = EchoServer.plain();
    other = EchoServer.plain();
    badCert = EchoServer.tls(TestTlsCertificates.newCa("someone else"));
    down = EdgeFixture.freePort();

    warden = EdgeFixture.start(dir);
    wardenTls = EchoServer.tls(destinationCa, warden.bundle()); // asks for the client's certificate
    secret("billing-key", BILLING_KEY);
    secret("api-key", API_KEY);
    secret("query-key", QUERY_KEY);
    secret("basic-cred", BASIC);
    warden.apply(
        List.of(
            EdgeFixture.workload(),
            secretResource("billing-api", "https://localhost/billing", "billing-key"),
            secretResource("keyed-api", "https://localhost/keyed", "api-key"),
            secretResource("query-api", "https://localhost/query", "query-key"),
            secretResource("basic-api", "https://localhost/basic", "basic-cred"),
            secretResource("bad-cert-api", "https://localhost/bad", "billing-key"),
            secretResource("down-api", "https://localhost/down", "billing-key"),
            secretResource("other-api", "https://localhost/other", "billing-key"),
            Map.of(
                "kind",
                "Resource",
                "metadata",
                Map.of("name", "warden-api"),
                "spec",
                Map.of("audience", "https://localhost/warden", "kind", "http")),
            Map.of(
                "kind",
                "AccessPolicy",
                "metadata",
                Map.of("name", "api-reads-secrets"),
                "spec",
                Map.of(
                    "workloads",
                    Map.of("spiffeIds", List.of(EdgeFixture.WORKLOAD)),
                    "resources",
                    List.of(
                        "billing-api",
                        "keyed-api",
                        "query-api",
                        "basic-api",
                        "bad-cert-api",
                        "down-api"),
                    "credentialKind",
                    "brokered_secret",
                    "maxTtl",
                    "10m")),
            Map.of(
                "kind",
                "AccessPolicy",
                "metadata",
                Map.of("name", "api-calls-warden-api"),
                "spec",
                Map.of(
                    "workloads",
                    Map.of("spiffeIds", List.of(EdgeFixture.WORKLOAD)),
                    "resources",
                    List.of("warden-api"),
                    "credentialKind",
                    "access_token",
                    "maxTtl",
                    "10m"))));
    proxy = EdgeFixture.freePort();
    refusing = EdgeFixture.freePort();
    undeclared = EdgeFixture.freePort();
    impatient = EdgeFixture.freePort();
    silent =
        new java.net.ServerSocket(
            0, 50, java.net.InetAddress.getLoopbackAddress()); // accepts, never answers
    forgetful = new ForgetfulServer();
    String ca = ",upstream-ca=" + destinationCaPem;
    warden.startAgent(
        List.of(
            ProxySpec.parse(
                "http:listen=127.0.0.1:"
                    + proxy
                    + ca
                    + ",route=localhost:"
                    + billingTls.port()
                    + "=resource:billing-api"
                    + ",route=localhost:"
                    + wardenTls.port()
                    + "=resource:warden-api"
                    + ",route=localhost:"
                    + billingPlain.port()
                    + "=resource:billing-api;plaintext"
                    + ",route=localhost:"
                    + keyed.port()
                    + "=resource:keyed-api;header=X-Api-Key;plaintext"
                    + ",route=localhost:"
                    + query.port()
                    + "=resource:query-api;query=api_key;plaintext"
                    + ",route=localhost:"
                    + basic.port()
                    + "=resource:basic-api;plaintext;basic"
                    + ",route=localhost:"
                    + other.port()
                    + "=resource:other-api;plaintext"
                    + ",route=localhost:"
                    + badCert.port()
                    + "=resource:bad-cert-api"
                    + ",route=localhost:"
                    + down
                    + "=resource:down-api;plaintext"
                    + ",route=localhost:"
                    + forgetful.port()
                    + "=resource:billing-api;plaintext"),
            ProxySpec.parse(
                "http:listen=127.0.0.1:"
                    + refusing
                    + ca
                    + ",unlisted=refuse"
                    + ",route=localhost:"
                    + billingPlain.port()
                    + "=resource:billing-api;plaintext"
                    + ",route=localhost:"
                    + keyed.port()
                    + "=resource:keyed-api;header=X-Api-Key"),
            // a database proxy pointed at a resource whose credential is an HTTP one
            ProxySpec.parse(
                "postgres:resource=billing-api,listen=unix:" + dir.resolve("pg/.s.PGSQL.5432")),
            // a route to a host the resource does not declare: the server issues no certificate for
            // it
            ProxySpec.parse("http:listen=127.0.0.1:" + impatient + ",response-timeout=1s"),
            ProxySpec.parse(
                "http:listen=127.0.0.1:"
                    + undeclared
                    + ca
                    + ",route=127.0.0.1:"
                    + billingTls.port()
                    + "=resource:billing-api")));
  }

  static void secret(String name, String value) throws Exception {
    warden.admin(
        "PUT",
        "/v1/secrets/" + name,
        EdgeFixture.JSON.writeValueAsString(
            Map.of("value", value, "owner", "payments@example.org")));
  }

  static Map<String, Object> secretResource(String name, String audience, String secret) {
    return Map.of(
        "kind",
        "Resource",
        "metadata",
        Map.of("name", name),
        "spec",
        Map.of("audience", audience, "kind", "secret", "secret", Map.of("name", secret)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (warden != null) {
      warden.close();
    }
    if (silent != null) {
      silent.close();
    }
    if (forgetful != null) {
      forgetful.close();
    }
    for (EchoServer s :
        new EchoServer[] {
          billingTls, wardenTls, billingPlain, keyed, query, basic, other, badCert
        }) {
      if (s != null) {
        s.close();
      }
    }
  }

  // ---- clients ----

  /**
   * The JDK's client, its proxy the agent, trusting only the PEM given (Warden's bundle, or the
   * destinations' CA).
   */
  static HttpClient jdk(int proxyPort, Path trust) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(trust)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
        .sslContext(ctx)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  static HttpResponse<String> get(HttpClient c, String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * curl with {@code -x}: its output, then a line with the status (or the CONNECT status) it saw.
   */
  static EdgeFixture.Result curl(List<String> args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of("curl", "-sS", "--max-time", "20", "-w", "\n%{http_code} %{http_connect}"));
    cmd.addAll(args);
    return run(cmd);
  }

  static EdgeFixture.Result run(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    for (String v :
        List.of(
            "http_proxy",
            "https_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "no_proxy",
            "NO_PROXY",
            "all_proxy",
            "ALL_PROXY",
            "CURL_CA_BUNDLE",
            "SSL_CERT_FILE")) {
      pb.environment().remove(v);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new EdgeFixture.Result(p.exitValue(), out);
  }

  static String proxyUrl(int port) {
    return "http://127.0.0.1:" + port;
  }

  /** One request written by hand: what the proxy answered (the status line and body). */
  static String raw(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** The proxy's answer to a CONNECT (its status line, or its whole refusal). */
  static String connect(int port, String authority) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      byte[] buf = new byte[4096];
      int n = s.getInputStream().read(buf);
      String head = new String(buf, 0, Math.max(0, n), StandardCharsets.ISO_8859_1);
      return head.startsWith("HTTP/1.1 200 ")
          ? head
          : head + new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  // ---- injection ----

  @Test
  void jdkClientThroughAnInterceptedTunnelGetsTheBrokeredSecretAndNeverItsOwnAuthorization()
      throws Exception {
    HttpClient c = jdk(proxy, warden.bundle());
    HttpResponse<String> r =
        get(
            c,
            "https://localhost:" + billingTls.port() + "/charge?amount=5",
            "Authorization",
            "Bearer the-apps-own-token",
            "X-Trace",
            "t1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .contains("authorization: Bearer " + BILLING_KEY)
        .contains("target: /charge?amount=5")
        .contains("x-trace: t1")
        .doesNotContain("the-apps-own-token");
    // the application saw Warden's certificate for the host (it trusts nothing else), and a body
    // goes through
    HttpResponse<String> post =
        c.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + billingTls.port() + "/refund"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": 42}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.body())
        .contains("method: POST")
        .contains("body: {\"id\": 42}")
        .contains("authorization: Bearer " + BILLING_KEY);
    assertThat(billingTls.seen).noneMatch(s -> s.headers().contains("the-apps-own-token"));
  }

  @Test
  void curlThroughAnInterceptedTunnelTrustingWardensBundleGetsTheCredential() throws Exception {
    EdgeFixture.Result r =
        curl(
            List.of(
                "-x",
                proxyUrl(proxy),
                "--cacert",
                warden.bundle().toString(),
                "-H",
                "Authorization: Bearer curl-own",
                "https://localhost:" + billingTls.port() + "/v1/ping"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("authorization: Bearer " + BILLING_KEY)
        .doesNotContain("curl-own")
        .contains("target: /v1/ping")
        .endsWith("200 200");
  }

  @Test
  void aResourceWithAnAccessTokenPolicyGetsAWardenAccessTokenAsBearer() throws Exception {
    assertThat(connect(proxy, "localhost:" + wardenTls.port())).startsWith("HTTP/1.1 200 ");
    HttpResponse<String> r =
        get(jdk(proxy, warden.bundle()), "https://localhost:" + wardenTls.port() + "/orders");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String auth =
        r.body()
            .lines()
            .filter(l -> l.startsWith("authorization: Bearer "))
            .findFirst()
            .orElseThrow();
    String[] jwt = auth.substring("authorization: Bearer ".length()).split("\\.");
    assertThat(jwt).hasSize(3);
    JsonNode claims = EdgeFixture.JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
    assertThat(claims.path("aud").toString()).contains("https://localhost/warden");
    assertThat(claims.path("sub").asText()).isEqualTo(EdgeFixture.WORKLOAD);
    // the token is bound to the workload's SVID (RFC 8705), and that is the certificate the agent
    // presented
    String thumbprint = claims.path("cnf").path("x5t#S256").asText();
    assertThat(thumbprint).isNotBlank();
    assertThat(r.body())
        .contains("client-cert-sha256: " + thumbprint + "\n")
        .contains("client-cert-uri: " + EdgeFixture.WORKLOAD);
    // a brokered secret's destination is not shown the workload's certificate
    assertThat(
            get(jdk(proxy, warden.bundle()), "https://localhost:" + billingTls.port() + "/").body())
        .doesNotContain("client-cert-uri");
  }

  @Test
  void aPlainHttpRequestGetsTheCredentialAndNoHopByHopField() throws Exception {
    EdgeFixture.Result r =
        curl(
            List.of(
                "-x",
                proxyUrl(proxy),
                "-H",
                "Authorization: Basic YXBwOm93bg==",
                "-H",
                "Proxy-Authorization: Basic cHJveHk6cHc=",
                "-H",
                "Connection: X-Hop",
                "-H",
                "X-Hop: secret-hop",
                "-H",
                "Keep-Alive: timeout=5",
                "-H",
                "TE: trailers",
                "-H",
                "Upgrade: h2c",
                "-H",
                "X-Kept: yes",
                "http://localhost:" + billingPlain.port() + "/invoices?page=2"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("authorization: Bearer " + BILLING_KEY)
        .contains("target: /invoices?page=2")
        .contains("x-kept: yes")
        .contains("host: localhost:" + billingPlain.port())
        .doesNotContain("YXBwOm93bg")
        .doesNotContain("proxy-authorization")
        .doesNotContain("secret-hop")
        .doesNotContain("keep-alive")
        .doesNotContain("upgrade")
        .doesNotContain("te: trailers");
    // the JDK's client asks for h2c with Upgrade and HTTP2-Settings: neither reaches the
    // destination
    HttpResponse<String> j =
        get(jdk(proxy, warden.bundle()), "http://localhost:" + billingPlain.port() + "/x");
    assertThat(j.body())
        .contains("authorization: Bearer " + BILLING_KEY)
        .doesNotContain("http2-settings")
        .doesNotContain("upgrade");
  }

  @Test
  void aBrokeredSecretGoesInTheRoutesHeaderQueryParameterOrBasicCredentials() throws Exception {
    HttpClient c = jdk(proxy, warden.bundle());
    HttpResponse<String> h =
        get(
            c,
            "http://localhost:" + keyed.port() + "/k",
            "X-Api-Key",
            "apps-key",
            "Authorization",
            "Bearer apps-token");
    assertThat(h.body())
        .contains("x-api-key: " + API_KEY)
        .contains("authorization: null")
        .doesNotContain("apps-key")
        .doesNotContain("apps-token");
    HttpResponse<String> q =
        get(c, "http://localhost:" + query.port() + "/q?a=1&api_key=apps-own&b=2");
    assertThat(q.body())
        .contains(
            "target: /q?a=1&b=2&api_key="
                + java.net.URLEncoder.encode(QUERY_KEY, StandardCharsets.UTF_8))
        .doesNotContain("apps-own");
    HttpResponse<String> b =
        get(c, "http://localhost:" + basic.port() + "/b", "Authorization", "Basic YXBwOm93bg==");
    assertThat(b.body())
        .contains(
            "authorization: Basic "
                + Base64.getEncoder().encodeToString(BASIC.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aClientKeepsItsConnectionAcrossRequestsAndEachGetsTheCredential() throws Exception {
    var edge =
        warden.edge().proxies().stream()
            .filter(p -> p.spec().listenTcp().getPort() == proxy)
            .findFirst()
            .orElseThrow();
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy)))
            .sslContext(trusting(warden.bundle()))
            .build();
    get(c, "https://localhost:" + billingTls.port() + "/warm");
    long before = edge.accepted();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get(c, "https://localhost:" + billingTls.port() + "/again-" + i);
      assertThat(r.body())
          .contains("authorization: Bearer " + BILLING_KEY)
          .contains("target: /again-" + i);
    }
    assertThat(edge.accepted())
        .as("one intercepted tunnel carries every request")
        .isEqualTo(before);
    // requests pipelined in one write are answered in order on the one connection
    String two =
        raw(
            proxy,
            "GET http://localhost:"
                + billingPlain.port()
                + "/first HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET http://localhost:"
                + billingPlain.port()
                + "/second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(two.indexOf("target: /first"))
        .isPositive()
        .isLessThan(two.indexOf("target: /second"));
    assertThat(two.split("HTTP/1.1 200 ", -1)).hasSize(3);
  }

  @Test
  void aKeptAliveClientsRequestsShareOneDestinationConnectionAndEachGetsTheCredential()
      throws Exception {
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy)))
            .sslContext(trusting(warden.bundle()))
            .build();
    for (String base :
        List.of(
            "http://localhost:" + billingPlain.port(), "https://localhost:" + billingTls.port())) {
      java.util.Set<String> peers = new java.util.HashSet<>();
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r = get(c, base + "/reuse-" + i, "Authorization", "Bearer own");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
            .contains("authorization: Bearer " + BILLING_KEY)
            .contains("target: /reuse-" + i)
            .doesNotContain("connection: close");
        peers.add(r.body().lines().filter(l -> l.startsWith("peer-port: ")).findFirst().get());
      }
      assertThat(peers).as("the destination saw one connection from the agent: " + base).hasSize(1);
    }
  }

  @Test
  void aKeptConnectionTheDestinationClosedIsRetriedForAGetButNeverForAPost() throws Exception {
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy)))
            .build();
    String base = "http://localhost:" + forgetful.port();
    HttpResponse<String> first = get(c, base + "/one");
    // the agent keeps the connection; the destination reads the next request on it and closes
    HttpResponse<String> second = get(c, base + "/two");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("connection 1 GET /one " + "Bearer " + BILLING_KEY);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("connection 2 GET /two " + "Bearer " + BILLING_KEY);
    HttpResponse<String> post =
        c.send(
            HttpRequest.newBuilder(URI.create(base + "/pay"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("amount=5"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).as("a POST is never sent twice").isEqualTo(502);
    assertThat(forgetful.heads)
        .containsExactly("1 GET /one", "1 GET /two", "2 GET /two", "2 POST /pay");
  }

  /**
   * A destination that answers the first request on each connection and then closes the connection
   * on reading the next one without answering it, as a server does whose idle timeout ends just as
   * a request arrives.
   */
  static final class ForgetfulServer implements AutoCloseable {
    final java.util.List<String> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    private final java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();

    ForgetfulServer() throws java.io.IOException {
      Thread.ofVirtual().start(this::accept);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          java.net.Socket s = socket.accept();
          int n = connections.incrementAndGet();
          Thread.ofVirtual().start(() -> serve(s, n));
        } catch (java.io.IOException e) {
          return;
        }
      }
    }

    private void serve(java.net.Socket s, int n) {
      try (s) {
        var in = new java.io.BufferedInputStream(s.getInputStream());
        String[] head = readHead(in);
        if (head == null) {
          return;
        }
        heads.add(n + " " + head[0]);
        byte[] body =
            ("connection " + n + " " + head[0] + " " + head[1]).getBytes(StandardCharsets.UTF_8);
        s.getOutputStream()
            .write(
                ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        String[] next = readHead(in);
        if (next != null) {
          heads.add(n + " " + next[0]);
        }
      } catch (java.io.IOException e) {
        // the test's assertions say what was expected
      }
    }

    /** The request line's method and target, and its Authorization field; null at end of stream. */
    private static String[] readHead(java.io.InputStream in) throws java.io.IOException {
      StringBuilder b = new StringBuilder();
      int ch;
      while (!b.toString().endsWith("\r\n\r\n")) {
        if ((ch = in.read()) < 0) {
          return null;
        }
        b.append((char) ch);
      }
      String[] lines = b.toString().split("\r\n");
      String[] first = lines[0].split(" ");
      String auth = "";
      for (String l : lines) {
        if (l.regionMatches(true, 0, "authorization:", 0, 14)) {
          auth = l.substring(14).trim();
        }
      }
      return new String[] {first[0] + " " + first[1], auth};
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  static SSLContext trusting(Path pem) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(pem)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  // ---- destinations no route names ----

  @Test
  void anUnlistedDestinationIsABlindTunnelOrAPlainPassThrough() throws Exception {
    // 127.0.0.1 is not the routed "localhost": the client must see the destination's own
    // certificate
    HttpResponse<String> r =
        get(
            jdk(proxy, destinationCaPem),
            "https://127.0.0.1:" + billingTls.port() + "/t",
            "Authorization",
            "Bearer apps-own");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("authorization: Bearer apps-own").doesNotContain(BILLING_KEY);
    EdgeFixture.Result p =
        curl(
            List.of(
                "-x",
                proxyUrl(proxy),
                "-H",
                "Authorization: Bearer plain-own",
                "http://127.0.0.1:" + billingPlain.port() + "/p"));
    assertThat(p.output()).contains("authorization: Bearer plain-own").doesNotContain(BILLING_KEY);
  }

  @Test
  void unlistedRefuseAnswers403ForPlainRequestsAndTunnels() throws Exception {
    EdgeFixture.Result p =
        curl(List.of("-x", proxyUrl(refusing), "http://127.0.0.1:" + billingPlain.port() + "/"));
    assertThat(p.output())
        .contains(
            "Warden: 127.0.0.1:"
                + billingPlain.port()
                + " is not a destination of this proxy "
                + "(unlisted=refuse)")
        .endsWith("403 000");
    EdgeFixture.Result t =
        curl(
            List.of(
                "-x",
                proxyUrl(refusing),
                "--cacert",
                destinationCaPem.toString(),
                "https://127.0.0.1:" + billingTls.port() + "/"));
    assertThat(t.exit()).isNotZero();
    assertThat(t.output()).endsWith("000 403");
    // the routed destination still works on this proxy
    EdgeFixture.Result ok =
        curl(List.of("-x", proxyUrl(refusing), "http://localhost:" + billingPlain.port() + "/"));
    assertThat(ok.output()).contains("authorization: Bearer " + BILLING_KEY);
  }

  @Test
  void aRouteWithoutPlaintextNeverSendsItsCredentialOverPlainHttp() throws Exception {
    int before = keyed.seen.size();
    EdgeFixture.Result r =
        curl(List.of("-x", proxyUrl(refusing), "http://localhost:" + keyed.port() + "/leak"));
    assertThat(r.output())
        .contains(
            "Warden: refusing to send the credential of resource keyed-api to localhost:"
                + keyed.port()
                + " over plain http")
        .endsWith("403 000")
        .doesNotContain(API_KEY);
    assertThat(keyed.seen).hasSize(before);
  }

  // ---- refusals ----

  @Test
  void aProcessNoRegistrationMatchesGets403WithTheReason() throws Exception {
    Assumptions.assumeTrue(EdgeFixture.root(), "running a client as another user needs root");
    EdgeFixture.Result r =
        run(
            List.of(
                "runuser",
                "-u",
                "nobody",
                "--",
                "curl",
                "-sS",
                "-w",
                "\n%{http_code}",
                "-x",
                proxyUrl(proxy),
                "http://localhost:" + billingPlain.port() + "/"));
    assertThat(r.output())
        .contains("Warden: no workload registered on this agent matches the calling process")
        .endsWith("403")
        .doesNotContain(BILLING_KEY);
  }

  @Test
  void aResourceThePolicyDoesNotGrantGets403WithTheServersReasonAndNothingIsSent()
      throws Exception {
    HttpResponse<String> r =
        get(jdk(proxy, warden.bundle()), "http://localhost:" + other.port() + "/");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body())
        .startsWith("Warden: Warden refused a credential for other-api to " + EdgeFixture.WORKLOAD)
        .contains("no_matching_policy");
    assertThat(other.seen).isEmpty();
  }

  @Test
  void aDestinationCertificateThatDoesNotVerifyGives502AndNoCredentialIsSent() throws Exception {
    HttpResponse<String> r =
        get(
            jdk(proxy, warden.bundle()),
            "https://localhost:" + badCert.port() + "/",
            "Authorization",
            "Bearer x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body())
        .contains("TLS to localhost:" + badCert.port() + " failed (upstream-tls=verify-full)")
        .contains("nothing was sent");
    assertThat(badCert.seen).isEmpty();
  }

  @Test
  void aDestinationThatIsDownGives502Quickly() throws Exception {
    long start = System.nanoTime();
    EdgeFixture.Result r = curl(List.of("-x", proxyUrl(proxy), "http://localhost:" + down + "/"));
    assertThat(r.output())
        .contains("Warden: cannot connect to localhost:" + down)
        .endsWith("502 000");
    HttpResponse<String> t = get(jdk(proxy, warden.bundle()), "https://localhost:" + down + "/");
    assertThat(t.statusCode()).isEqualTo(502);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
  }

  @Test
  void aDestinationThatNeverAnswersGives504AfterTheResponseTimeout() throws Exception {
    long start = System.nanoTime();
    EdgeFixture.Result r =
        curl(List.of("-x", proxyUrl(impatient), "http://127.0.0.1:" + silent.getLocalPort() + "/"));
    assertThat(r.output())
        .contains("Warden: 127.0.0.1:" + silent.getLocalPort() + " did not answer within 1 s")
        .endsWith("504 000");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
  }

  @Test
  void anApplicationThatDoesNotTrustWardensBundleFailsItsHandshakeAndTheRefusalIsAudited()
      throws Exception {
    HttpClient distrusting = jdk(proxy, destinationCaPem);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> get(distrusting, "https://localhost:" + keyedTlsPort() + "/"))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    JsonNode e =
        warden.awaitEvent(
            "connection.refused",
            x ->
                x.path("details")
                    .path("message")
                    .asText()
                    .contains("does it trust Warden's bundle?"));
    assertThat(e.path("resource").asText()).isEqualTo("billing-api");
    assertThat(e.path("reason").asText()).isEqualTo("protocol_error");
  }

  static int keyedTlsPort() {
    return billingTls.port();
  }

  @Test
  void aHostTheResourceDoesNotDeclareGetsNoCertificate() throws Exception {
    EdgeFixture.Result r =
        curl(
            List.of(
                "-v",
                "-x",
                proxyUrl(undeclared),
                "--cacert",
                warden.bundle().toString(),
                "https://127.0.0.1:" + billingTls.port() + "/"));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).endsWith("000 403");
    assertThat(connect(undeclared, "127.0.0.1:" + billingTls.port()))
        .startsWith("HTTP/1.1 403 ")
        .contains("resource billing-api declares localhost as its destination, not 127.0.0.1");
    JsonNode denied =
        warden.awaitEvent(
            "svid.denied", e -> "edge-egress-tls".equals(e.path("details").path("kind").asText()));
    assertThat(denied.path("details").path("names").asText()).isEqualTo("127.0.0.1");
    assertThat(billingTls.seen).noneMatch(s -> s.target().equals("/") && s.authorization() == null);
  }

  @Test
  void aDatabaseProxyNeverSendsABrokeredSecretAsAPassword() throws Exception {
    EdgeFixture.Result r =
        run(
            List.of(
                "psql",
                "-h",
                dir.resolve("pg").toString(),
                "-p",
                "5432",
                "-U",
                "x",
                "-d",
                "x",
                "-c",
                "select 1"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.output())
        .contains("resource billing-api answers a brokered_secret, not a postgres user")
        .doesNotContain(BILLING_KEY);
  }

  @Test
  void malformedRequestsGet400() throws Exception {
    assertThat(raw(proxy, "GET /origin-form HTTP/1.1\r\nHost: localhost\r\n\r\n"))
        .startsWith("HTTP/1.1 400")
        .contains("this is a forward proxy");
    assertThat(raw(proxy, "NOT-HTTP\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(raw(proxy, "CONNECT localhost HTTP/1.1\r\n\r\n"))
        .startsWith("HTTP/1.1 400")
        .contains("host:port");
    assertThat(raw(proxy, "GET ftp://localhost/ HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(
            raw(
                proxy,
                "GET http://user:pw@localhost:" + billingPlain.port() + "/ HTTP/1.1\r\n\r\n"))
        .startsWith("HTTP/1.1 400")
        .contains("user information");
    assertThat(
            raw(
                proxy,
                "POST http://localhost:"
                    + billingPlain.port()
                    + "/ HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(
            raw(
                proxy,
                "GET http://localhost:"
                    + billingPlain.port()
                    + "/ HTTP/1.1\r\nX: "
                    + "a".repeat(40_000)
                    + "\r\n\r\n"))
        .startsWith("HTTP/1.1 4");
  }

  @Test
  void eachRequestAndRefusalIsInTheServersAuditLogWithItsDestination() throws Exception {
    get(jdk(proxy, warden.bundle()), "https://localhost:" + billingTls.port() + "/audited");
    get(jdk(proxy, warden.bundle()), "http://localhost:" + other.port() + "/");
    String dest = "localhost:" + billingTls.port();
    JsonNode proxied =
        warden.awaitEvent(
            "connection.proxied", e -> dest.equals(e.path("details").path("destination").asText()));
    assertThat(proxied.path("details").path("protocol").asText()).isEqualTo("http");
    assertThat(proxied.path("resource").asText()).isEqualTo("billing-api");
    assertThat(proxied.path("workload").asText()).isEqualTo(EdgeFixture.WORKLOAD);
    assertThat(proxied.path("details").path("leaseId").asText()).isNotBlank();
    JsonNode refused =
        warden.awaitEvent(
            "connection.refused", e -> "other-api".equals(e.path("resource").asText()));
    assertThat(refused.path("reason").asText()).isEqualTo("denied");
    assertThat(refused.path("details").path("destination").asText())
        .isEqualTo("localhost:" + other.port());
  }
}
