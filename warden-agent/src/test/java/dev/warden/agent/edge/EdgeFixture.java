package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.EdgeProxies;
import dev.warden.core.edge.ProxySpec;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The setting the proxies are tested in, nothing faked: a Warden server over HTTPS (self-issued
 * TLS, its CA fetched once as an operator would), documents applied through the admin API, an agent
 * joined with a token, and the agent's proxies. The test process's uid is the registered workload's
 * selector, so clients the test starts are that workload.
 */
public final class EdgeFixture implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String WORKLOAD = "spiffe://warden.local/payments/api";

  public record Result(int exit, String output) {}

  private final Path dir;
  private WardenServer server;
  private String adminToken;
  private String base;
  private HttpClient adminHttp;
  private Path serverCa;
  private AgentRuntime agent;
  private EdgeProxies edge;
  private dev.warden.agent.runtime.ProxyReconciler declared;

  private EdgeFixture(Path dir) {
    this.dir = dir;
  }

  /** Starts the server and stores a target secret; apply documents, then {@link #startAgent}. */
  public static EdgeFixture start(Path dir) throws Exception {
    return start(dir, Map.of());
  }

  /** With more server settings (they override the defaults above). */
  public static EdgeFixture start(Path dir, Map<String, String> extra) throws Exception {
    EdgeFixture f = new EdgeFixture(dir);
    int port = freePort();
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.put("tls.selfIssued", "true");
    flags.put("databases.reapInterval", "200ms");
    flags.putAll(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    java.io.OutputStream tee =
        new java.io.OutputStream() { // the server's log in the test's output too
          @Override
          public void write(int b) {
            out.write(b);
            System.out.write(b);
          }
        };
    f.server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(tee, true, StandardCharsets.UTF_8));
    Matcher m =
        Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)")
            .matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    f.adminToken = m.group(1);
    f.base = "https://localhost:" + port;
    JsonNode b =
        JSON.readTree(
            HttpClient.newBuilder()
                .sslContext(trustAll())
                .build()
                .send(
                    HttpRequest.newBuilder(URI.create(f.base + "/v1/bundle")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    StringBuilder pem = new StringBuilder();
    for (JsonNode k : b.path("keys")) {
      if (k.path("use").asText().equals("x509-svid")) {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(k.path("x5c").get(0).asText())
            .append("\n-----END CERTIFICATE-----\n");
      }
    }
    f.serverCa = dir.resolve("server-ca.pem");
    Files.writeString(f.serverCa, pem);
    f.adminHttp = HttpClient.newBuilder().sslContext(trusting(f.serverCa)).build();
    return f;
  }

  /** The workload this test process is (by its uid), placed on nodes of pool "test". */
  public static Map<String, Object> workload() throws Exception {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    return Map.of(
        "kind",
        "Workload",
        "spec",
        Map.of(
            "spiffeId",
            WORKLOAD,
            "selectors",
            List.of("unix:uid=" + uid),
            "owner",
            "payments@example.org",
            "nodeSelectors",
            List.of("node:pool=test")));
  }

  public void apply(List<Map<String, Object>> documents) throws Exception {
    admin("POST", "/v1/apply", JSON.writeValueAsString(Map.of("documents", documents)));
  }

  /** Joins an agent and starts these proxies on it. */
  public void startAgent(List<ProxySpec> proxies) throws Exception {
    String join =
        admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=test\"]}")
            .get("token")
            .asText();
    AgentOptions o =
        new AgentOptions(
            base,
            dir.resolve("agent/workload.sock"),
            dir.resolve("agent-data"),
            join,
            null,
            Duration.ofMillis(500),
            Duration.ofSeconds(2),
            List.of(),
            serverCa);
    agent = new AgentRuntime(o, Clock.systemUTC());
    agent.start();
    edge = EdgeProxies.start(proxies, o, agent, Clock.systemUTC());
    declared =
        dev.warden.agent.runtime.ProxyReconciler.follow(
            agent,
            edge,
            () -> {
              throw new IllegalStateException(
                  "the fixture's agent always has its proxies' machinery");
            },
            Clock.systemUTC());
  }

  /** The proxies declared on the server that the agent runs (EdgeProxy documents). */
  public dev.warden.agent.runtime.ProxyReconciler declared() {
    return declared;
  }

  /**
   * Warden's trust bundle (the X.509-SVID CA) as PEM: what applications trust for the agent's TLS.
   */
  public Path bundle() {
    return serverCa;
  }

  public EdgeProxies edge() {
    return edge;
  }

  public JsonNode admin(String method, String path, String body) throws Exception {
    HttpResponse<String> r = adminResponse(method, path, body);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  /** A request to the token endpoint (form-encoded, no admin token): its status and body. */
  public HttpResponse<String> token(Map<String, String> form) throws Exception {
    StringBuilder b = new StringBuilder();
    form.forEach(
        (k, v) ->
            b.append(b.isEmpty() ? "" : "&")
                .append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return adminHttp.send(
        HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An admin call whatever its status, for refusals. */
  public HttpResponse<String> adminResponse(String method, String path, String body)
      throws Exception {
    return adminHttp.send(
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
  }

  @Override
  public void close() {
    for (AutoCloseable c : new AutoCloseable[] {declared, edge, agent, server}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** Waits for an audit event of this type that matches; fails after 15 s. */
  public JsonNode awaitEvent(String type, java.util.function.Predicate<JsonNode> match)
      throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (JsonNode e :
          admin("GET", "/v1/audit?type=" + type + "&limit=200", null).path("events")) {
        if (match.test(e)) {
          return e;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no matching " + type + " event arrived in the audit log");
  }

  public static Result run(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("REDISCLI_AUTH");
    pb.environment().remove("MYSQL_PWD");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  public static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  public static int freePort() {
    return dev.warden.testkit.FreePorts.next();
  }

  static SSLContext trusting(Path pem) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (var in = Files.newInputStream(pem)) {
      for (var c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    return ctx;
  }
}
