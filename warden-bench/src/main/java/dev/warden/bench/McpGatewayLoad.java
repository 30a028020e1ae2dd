package dev.warden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.testkit.TestOidcIssuer;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Latency Warden's MCP gateway adds per tool call (issue 13: p50 ≤ 1 ms, p99 ≤ 5 ms). The MCP
 * server is the official MCP Java SDK (streamable HTTP, in Jetty, on loopback) with one tool; the
 * same {@code tools/call} is posted directly to it and through {@code /mcp/<resource>} on a Warden
 * server in this JVM (embedded H2 store), which verifies the agent's token, decides the tool with a
 * CEL condition, opens the brokered secret it injects, writes the call's audit event (group commit,
 * durable) and streams the SDK's SSE answer back. One client, calls paced at 500/s, keep-alive on
 * both paths, each on its own initialised MCP session; direct and gateway alternate in rounds so
 * both see the same machine.
 *
 * <pre>
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.McpGatewayLoad [calls=8000] [auditBeforeForward=true] [h2|postgres]
 * </pre>
 */
public final class McpGatewayLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AGENT = "spiffe://warden.local/ns/ai/sa/agent";

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 8_000;
    String auditBeforeForward = args.length > 1 ? args[1] : "true";
    boolean postgres = args.length > 2 && args[2].equals("postgres");
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
            .mcpEndpoint("/mcp")
            .build();
    McpSyncServer mcp =
        McpServer.sync(transport)
            .serverInfo("bench", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(
                McpServerFeatures.SyncToolSpecification.builder()
                    .tool(
                        McpSchema.Tool.builder()
                            .name("lookup")
                            .description("echo")
                            .inputSchema(Map.of("type", "object"))
                            .build())
                    .callHandler(
                        (ex, req) ->
                            McpSchema.CallToolResult.builder().addTextContent("ok").build())
                    .build())
            .build();
    Server jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.addServlet(new ServletHolder(transport), "/mcp");
    jetty.setHandler(ctx);
    jetty.start();
    String upstream =
        "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/mcp";
    Path dir = Files.createTempDirectory("warden-mcp-bench");
    int port = 21480 + (int) (ProcessHandle.current().pid() % 500);
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.toString());
    flags.put("mcp.auditBeforeForward", auditBeforeForward);
    if (postgres) {
      // the local PostgreSQL (synchronous_commit=on), a database of its own for this run
      String db = "wb_mcp_" + Long.toHexString(System.nanoTime());
      try (java.sql.Connection c =
              java.sql.DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + db);
      }
      flags.put("db.url", "jdbc:postgresql://127.0.0.1:5432/" + db);
      flags.put("db.user", "postgres");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("https://warden.bench").start();
        WardenServer server =
            WardenServer.start(
                ConfigLoader.load(null, Map.of(), flags),
                Clock.systemUTC(),
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String admin = BenchSupport.bootstrapToken(out);
      String base = "http://127.0.0.1:" + port;
      String gateway = base + "/mcp/bench";
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      send(
          http,
          "PUT",
          base + "/v1/secrets/bench-key",
          admin,
          "{\"value\": \"bench-upstream-key\", \"owner\":" + " \"bench@example.org\"}");
      send(
          http,
          "POST",
          base + "/v1/apply",
          admin,
          JSON.writeValueAsString(
              Map.of(
                  "documents",
                  List.of(
                      Map.of(
                          "kind",
                          "TrustProvider",
                          "metadata",
                          Map.of("name", "k8s"),
                          "spec",
                          Map.of(
                              "type",
                              "kubernetes",
                              "issuer",
                              k8s.issuer(),
                              "audiences",
                              List.of("https://warden.bench"),
                              "algorithms",
                              List.of("RS256"))),
                      Map.of(
                          "kind",
                          "Workload",
                          "spec",
                          Map.of(
                              "spiffeId",
                              AGENT,
                              "selectors",
                              List.of("k8s:ns=ai", "k8s:sa=agent"),
                              "owner",
                              "bench@example.org")),
                      Map.of(
                          "kind",
                          "Resource",
                          "metadata",
                          Map.of("name", "bench"),
                          "spec",
                          Map.of(
                              "audience",
                              gateway,
                              "kind",
                              "mcp",
                              "mcp",
                              Map.of(
                                  "url", upstream, "credential", Map.of("secret", "bench-key")))),
                      Map.of(
                          "kind",
                          "AccessPolicy",
                          "metadata",
                          Map.of("name", "bench"),
                          "spec",
                          Map.of(
                              "workloads",
                              Map.of("spiffeIds", List.of(AGENT)),
                              "resources",
                              List.of("bench"),
                              "maxTtl",
                              "1h",
                              "condition",
                              "request.mcp.method != \"tools/call\" || request.mcp.tool in [\"lookup\", \"search\"]"))))));
      String form =
          "grant_type=client_credentials&client_assertion_type="
              + BenchSupport.enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
              + "&client_assertion="
              + BenchSupport.enc(k8s.kubernetesToken("ai", "agent", "agent-pod"))
              + "&resource="
              + BenchSupport.enc(gateway);
      String token =
          JSON.readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                              .header("Content-Type", "application/x-www-form-urlencoded")
                              .POST(HttpRequest.BodyPublishers.ofString(form))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .path("access_token")
              .asText();

      Route direct = new Route(http, URI.create(upstream), null);
      Route viaGateway = new Route(http, URI.create(gateway), token);
      direct.initialize();
      viaGateway.initialize();
      direct.run(2000);
      viaGateway.run(2000); // warm-up
      long[] d = new long[0];
      long[] g = new long[0];
      for (int round = 0; round < 4; round++) {
        d = BenchSupport.concat(d, direct.run(calls / 4));
        g = BenchSupport.concat(g, viaGateway.run(calls / 4));
      }
      Arrays.sort(d);
      Arrays.sort(g);
      System.out.printf(
          Locale.ROOT,
          "%d tools/call each, paced at 500/s, one client, keep-alive, store %s,"
              + " mcp.auditBeforeForward=%s%n",
          calls,
          postgres ? "PostgreSQL" : "embedded H2",
          auditBeforeForward);
      System.out.printf(
          Locale.ROOT,
          "direct:  p50 %.0f us  p90 %.0f us  p99 %.0f us%n",
          pct(d, 50),
          pct(d, 90),
          pct(d, 99));
      System.out.printf(
          Locale.ROOT,
          "gateway: p50 %.0f us  p90 %.0f us  p99 %.0f us  (added: p50 %.0f us, p99 %.0f us)%n",
          pct(g, 50),
          pct(g, 90),
          pct(g, 99),
          pct(g, 50) - pct(d, 50),
          pct(g, 99) - pct(d, 99));
    } finally {
      mcp.close();
      jetty.stop();
    }
    // the SDK's client and server leave non-daemon threads behind: end the run explicitly
    System.exit(0);
  }

  /** One way to the MCP server, with its own session. */
  private static final class Route {
    private final HttpClient http;
    private final URI uri;
    private final String bearer;
    private String session;
    private int id;

    Route(HttpClient http, URI uri, String bearer) {
      this.http = http;
      this.uri = uri;
      this.bearer = bearer;
    }

    void initialize() throws Exception {
      HttpResponse<String> r =
          post(
              "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                  + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}",
              "initialize",
              null);
      session =
          r.headers()
              .firstValue("Mcp-Session-Id")
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no session from " + uri + ": HTTP " + r.statusCode() + " " + r.body()));
      post(
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
          "notifications/initialized",
          null);
    }

    long[] run(int n) throws Exception {
      long[] t = new long[n];
      long next = System.nanoTime();
      for (int i = 0; i < n; i++) {
        next += 2_000_000; // 500 calls per second
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String body =
            "{\"jsonrpc\":\"2.0\",\"id\":"
                + (++id)
                + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"lookup\",\"arguments\":{\"q\":\""
                + i
                + "\"}}}";
        long s = System.nanoTime();
        HttpResponse<String> r = post(body, "tools/call", "lookup");
        t[i] = System.nanoTime() - s;
        if (i % 500 == 499) {
          System.err.printf(
              Locale.ROOT,
              "%s: %d calls, last %d us%n",
              bearer == null ? "direct" : "gateway",
              i + 1,
              t[i] / 1000);
        }
        if (r.statusCode() != 200 || !r.body().contains("\"ok\"")) {
          throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
      }
      return t;
    }

    private HttpResponse<String> post(String body, String method, String name) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .header("Mcp-Method", method)
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (name != null) {
        b.header("Mcp-Name", name);
      }
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      if (session != null) {
        b.header("Mcp-Session-Id", session);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static String send(HttpClient http, String method, String url, String admin, String json)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          method + " " + url + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static double pct(long[] sorted, int p) {
    return BenchSupport.percentile(sorted, p) / 1e3;
  }
}
