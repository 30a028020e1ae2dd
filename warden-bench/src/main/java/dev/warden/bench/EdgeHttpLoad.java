package dev.warden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.EdgeProxies;
import dev.warden.core.edge.ProxySpec;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
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

/**
 * Latency the agent's HTTP egress proxy adds (issue 12): the same destination (a JDK HTTP server on
 * loopback answering 200) called directly and through the proxy, which replaces the application's
 * Authorization with a brokered key on every request. One client, requests paced at 1,000/s,
 * keep-alive on both paths; direct and proxied alternate in rounds so both see the same machine.
 *
 * <pre>
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.EdgeHttpLoad [requests=20000]
 * </pre>
 */
public final class EdgeHttpLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    HttpServer dest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    dest.createContext(
        "/",
        ex -> {
          byte[] b =
              ("auth=" + ex.getRequestHeaders().getFirst("Authorization"))
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    dest.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    dest.start();
    int destPort = dest.getAddress().getPort();
    Path dir = Files.createTempDirectory("warden-edge-http");
    Map<String, String> flags = new LinkedHashMap<>();
    int port = 20480 + (int) (ProcessHandle.current().pid() % 500);
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.put("tls.selfIssued", "true");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String bootstrap = BenchSupport.bootstrapToken(out);
      String base = "https://localhost:" + port;
      EdgeLoad.Admin api = new EdgeLoad.Admin(base, bootstrap, dir.resolve("server-ca.pem"));
      int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      api.send(
          "PUT",
          "/v1/secrets/billing-key",
          "{\"value\": \"bench-billing-key\", \"owner\": \"bench@example.org\"}");
      api.send(
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
                              "spiffe://warden.local/bench/app",
                              "selectors",
                              List.of("unix:uid=" + uid),
                              "owner",
                              "bench@example.org",
                              "nodeSelectors",
                              List.of("node:pool=bench"))),
                      Map.of(
                          "kind",
                          "Resource",
                          "metadata",
                          Map.of("name", "billing-api"),
                          "spec",
                          Map.of(
                              "audience",
                              "https://localhost/billing",
                              "kind",
                              "secret",
                              "secret",
                              Map.of("name", "billing-key"))),
                      Map.of(
                          "kind",
                          "AccessPolicy",
                          "metadata",
                          Map.of("name", "bench"),
                          "spec",
                          Map.of(
                              "workloads",
                              Map.of("spiffeIds", List.of("spiffe://warden.local/bench/app")),
                              "resources",
                              List.of("billing-api"),
                              "credentialKind",
                              "brokered_secret",
                              "maxTtl",
                              "1h"))))));
      AgentOptions o = api.benchAgent(dir);
      int proxyPort = port + 1;
      try (AgentRuntime agent = new AgentRuntime(o, Clock.systemUTC())) {
        agent.start();
        try (EdgeProxies edge =
            EdgeProxies.start(
                List.of(
                    ProxySpec.parse(
                        "http:listen=127.0.0.1:"
                            + proxyPort
                            + ",route=localhost:"
                            + destPort
                            + "=resource:billing-api;plaintext")),
                o,
                agent,
                Clock.systemUTC())) {
          HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          HttpClient proxied =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
                  .build();
          URI uri = URI.create("http://localhost:" + destPort + "/charge");
          String check =
              proxied
                  .send(
                      HttpRequest.newBuilder(uri).header("Authorization", "Bearer app-own").build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
          if (!check.contains("bench-billing-key")) {
            throw new IllegalStateException("the proxy did not inject the key: " + check);
          }
          run(direct, uri, 3000);
          run(proxied, uri, 3000); // warm-up
          long[] d = new long[0];
          long[] p = new long[0];
          for (int round = 0; round < 4; round++) {
            d = BenchSupport.concat(d, run(direct, uri, requests / 4));
            p = BenchSupport.concat(p, run(proxied, uri, requests / 4));
          }
          Arrays.sort(d);
          Arrays.sort(p);
          System.out.printf(
              Locale.ROOT,
              "%d requests each, paced at 1,000/s, one client, keep-alive%n",
              requests);
          System.out.printf(
              Locale.ROOT, "direct:  p50 %.0f us  p99 %.0f us%n", pct(d, 50), pct(d, 99));
          System.out.printf(
              Locale.ROOT,
              "proxied: p50 %.0f us  p99 %.0f us  (added: p50 %.0f us, p99 %.0f us)%n",
              pct(p, 50),
              pct(p, 99),
              pct(p, 50) - pct(d, 50),
              pct(p, 99) - pct(d, 99));
        }
      }
    } finally {
      dest.stop(0);
    }
  }

  static long[] run(HttpClient c, URI uri, int n) throws Exception {
    long[] t = new long[n];
    long next = System.nanoTime();
    for (int i = 0; i < n; i++) {
      next += 1_000_000; // 1,000 requests per second
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      long s = System.nanoTime();
      HttpResponse<String> r =
          c.send(
              HttpRequest.newBuilder(uri).header("Authorization", "Bearer app-own").build(),
              HttpResponse.BodyHandlers.ofString());
      t[i] = System.nanoTime() - s;
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
      }
    }
    return t;
  }

  static double pct(long[] sorted, int p) {
    return BenchSupport.percentile(sorted, p) / 1e3;
  }
}
