package dev.warden.bench;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.testkit.TestOidcIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Load driver for token grants over HTTP on loopback. Starts a test OIDC issuer and a Warden server
 * (embedded H2, audit group commit on, every grant audited and leased) in this JVM, registers a
 * Kubernetes trust provider, a workload, a resource and a policy, mints {@code tokens} distinct
 * platform tokens (one per simulated pod), then runs {@code wrk} (a separate process) against
 * {@code /oauth2/token} and, in the same run, against {@code /healthz} as the baseline of what the
 * HTTP stack alone does on this machine.
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl warden-bench -am
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.GrantLoad [seconds=30] [connections=16] [tokens=1000] [alg=ES256] [jdbc-url]
 * </pre>
 */
public final class GrantLoad {
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    String alg = args.length > 3 ? args[3] : "ES256";
    String dbUrl = args.length > 4 ? args[4] : null;
    Path dir = Files.createTempDirectory("warden-grant-load");
    int port = 18080 + (int) (ProcessHandle.current().pid() % 1000);
    try (Target warden = Target.start(dir, port, tokens, alg, dbUrl)) {
      System.out.printf(
          "warmup (10 s), then grants: %d s, %d connections, %d distinct platform tokens, %s%n",
          seconds, connections, tokens, alg);
      Wrk.Result warm = wrk(warden.tokenUrl(), warden.lua(), 10, connections);
      System.out.println("=== /oauth2/token");
      Wrk.Result grants = wrk(warden.tokenUrl(), warden.lua(), seconds, connections);
      Path file = dir.resolve("warden.mv.db");
      if (dbUrl == null && Files.exists(file)) {
        // the embedded file should stay near its live data, not grow by a chunk per grant
        long n = warm.requests() + grants.requests();
        System.out.printf(
            "embedded store file: %.1f MB after %,d grants (%.1f KB per grant)%n",
            Files.size(file) / 1e6, n, Files.size(file) / 1e3 / Math.max(1, n));
      }
      System.out.println("=== baseline: GET /healthz, same connections");
      wrk(warden.base() + "/healthz", null, Math.max(10, seconds / 3), connections);
    }
  }

  /**
   * A running Warden set up for the grant load: a test OIDC issuer and a Warden server in this JVM,
   * the trust provider, workload, resource and CEL policy registered, one grant probed, and the
   * {@code wrk} script that cycles through {@code tokens} distinct platform tokens. Shared with
   * {@link KeycloakLoad} so both drivers measure exactly the same Warden grant.
   */
  static final class Target implements AutoCloseable {
    private final TestOidcIssuer k8s;
    private final WardenServer server;
    private final String base;
    private final Path lua;

    private Target(TestOidcIssuer k8s, WardenServer server, String base, Path lua) {
      this.k8s = k8s;
      this.server = server;
      this.base = base;
      this.lua = lua;
    }

    String base() {
      return base;
    }

    String tokenUrl() {
      return base + "/oauth2/token";
    }

    Path lua() {
      return lua;
    }

    /**
     * @param dbUrl a PostgreSQL JDBC URL, or null for the embedded H2 store under {@code dir}
     * @throws IllegalStateException when the server does not start or the probe grant is refused
     */
    static Target start(Path dir, int port, int tokens, String alg, String dbUrl)
        throws IOException, InterruptedException {
      TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").start();
      WardenServer server = null;
      try {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("server.port", Integer.toString(port));
        flags.put("server.dataDir", dir.toString());
        flags.put("keys.algorithm", alg);
        if (dbUrl != null) {
          flags.put("db.url", dbUrl);
          flags.put("db.user", System.getProperty("db.user", "postgres"));
        }
        ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server =
            WardenServer.start(
                cfg, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8));
        Path lua = setUp(k8s, "http://127.0.0.1:" + port, out, dir, tokens);
        return new Target(k8s, server, "http://127.0.0.1:" + port, lua);
      } catch (IOException | InterruptedException | RuntimeException e) {
        if (server != null) {
          server.close();
        }
        k8s.close();
        throw e;
      }
    }

    private static Path setUp(
        TestOidcIssuer k8s, String base, ByteArrayOutputStream out, Path dir, int tokens)
        throws IOException, InterruptedException {
      String bootstrap = BenchSupport.bootstrapToken(out);
      apply(
          base,
          bootstrap,
          """
          {"documents": [
            {"kind": "TrustProvider", "metadata": {"name": "cluster"}, "spec": {"type": "kubernetes", "issuer": "%s",
              "audiences": ["warden"], "algorithms": ["RS256"]}},
            {"kind": "Workload", "spec": {"spiffeId": "spiffe://bench.test/ns/payments/sa/api",
              "selectors": ["k8s:ns=payments", "k8s:sa=api"], "owner": "bench@acme.test"}},
            {"kind": "Resource", "metadata": {"name": "ledger"}, "spec": {"audience": "https://ledger.bench.test"}},
            {"kind": "AccessPolicy", "metadata": {"name": "payments-to-ledger"}, "spec": {
              "workloads": {"selectors": ["k8s:ns=payments"]}, "resources": ["ledger"], "maxTtl": "5m",
              "condition": "request.sourceAddress.startsWith(\\"127.\\") || request.sourceAddress.startsWith(\\"10.\\")"}}
          ]}"""
              .formatted(k8s.issuer()));
      Path lua = dir.resolve("grants.lua");
      StringBuilder sb = new StringBuilder("local bodies = {\n");
      Instant exp = Instant.now().plus(Duration.ofHours(2));
      for (int i = 0; i < tokens; i++) {
        String t = k8s.kubernetes("payments", "api", "api-" + i).expiresAt(exp).mint();
        sb.append("  \"grant_type=client_credentials&client_assertion_type=")
            .append(enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            .append("&resource=")
            .append(enc("https://ledger.bench.test"))
            .append("&client_assertion=")
            .append(t)
            .append("\",\n");
      }
      sb.append(
              "}\nlocal i = 0\nwrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n")
          .append(
              "request = function()\n  i = i + 1\n  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n")
          .append("done = function(summary, latency, requests)\n")
          .append("  io.write(string.format(\"non-2xx: %d\\n\", summary.errors.status))\nend\n");
      Files.writeString(lua, sb.toString());
      // one grant first, so a wrong setup fails loudly instead of measuring errors
      HttpResponse<String> probe =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              sb.substring(sb.indexOf("\"") + 1, sb.indexOf("\","))))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (probe.statusCode() != 200) {
        throw new IllegalStateException("probe grant failed: " + probe.body());
      }
      return lua;
    }

    @Override
    public void close() {
      server.close();
      k8s.close();
    }
  }

  static String enc(String s) {
    return BenchSupport.enc(s);
  }

  /** Runs {@code wrk} (2 threads, with latency) against {@code url}, with a Lua script or none. */
  static Wrk.Result wrk(String url, Path lua, int seconds, int connections)
      throws IOException, InterruptedException {
    return Wrk.run(url, lua, seconds, connections);
  }

  /** {@code POST /v1/apply} with an admin token; fails loudly when refused. */
  static void apply(String base, String token, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/apply"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("apply failed: " + r.body());
    }
  }
}
