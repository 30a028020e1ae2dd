package dev.warden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.EdgeProxies;
import dev.warden.core.edge.ProxySpec;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.testkit.PrivatePostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgbench through the agent's PostgreSQL proxy against pgbench straight to the database, in the
 * same run (issue 12). A private PostgreSQL (TLS on, SCRAM required on TCP) holds a pgbench data
 * set; a Warden server over HTTPS issues the workload's user; the agent runs in this JVM with a
 * proxy on a Unix socket and one on loopback TCP, both reaching the database over verified TLS.
 * Direct runs log in as a static user with the same privileges.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl warden-bench -am
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.EdgeLoad [seconds=15] [clients=16] [connects=500]
 * </pre>
 */
public final class EdgeLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int connects = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    Path dir = Files.createTempDirectory("warden-edge-load");
    try (PrivatePostgres db = PrivatePostgres.start()) {
      db.psql(
          "CREATE ROLE warden_admin LOGIN CREATEROLE PASSWORD 'admin-pw'; GRANT pg_signal_backend TO warden_admin;"
              + " CREATE ROLE bench_rw NOLOGIN; CREATE ROLE bench_direct LOGIN PASSWORD 'direct-pw' IN ROLE bench_rw");
      db.tool("pgbench", "-i", "-q", "-s", "10", "postgres");
      db.psql(
          "GRANT SELECT, INSERT, UPDATE ON pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history"
              + " TO bench_rw");
      Map<String, String> flags = new LinkedHashMap<>();
      int port = 19480 + (int) (ProcessHandle.current().pid() % 500);
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
        Admin admin = new Admin(base, bootstrap, dir.resolve("server-ca.pem"));
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        admin.send("PUT", "/v1/target-secrets/bench-admin", "{\"value\": \"admin-pw\"}");
        admin.send(
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
                            Map.of("name", "bench-db"),
                            "spec",
                            Map.of(
                                "audience",
                                "postgres://bench",
                                "kind",
                                "postgres",
                                "database",
                                Map.of(
                                    "url",
                                    "jdbc:postgresql://127.0.0.1:"
                                        + db.port()
                                        + "/postgres?sslmode=require",
                                    "adminUser",
                                    "warden_admin",
                                    "adminPasswordSecret",
                                    "bench-admin",
                                    "roles",
                                    List.of("bench_rw"),
                                    "maxTtl",
                                    "1h"))),
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
                                List.of("bench-db"),
                                "credentialKind",
                                "database_user",
                                "maxTtl",
                                "1h"))))));
        AgentOptions o = admin.benchAgent(dir);
        int tcp = port + 1;
        try (AgentRuntime agent = new AgentRuntime(o, Clock.systemUTC())) {
          agent.start();
          Path sock = dir.resolve("pg");
          try (EdgeProxies edge =
              EdgeProxies.start(
                  List.of(
                      ProxySpec.parse(
                          "postgres:resource=bench-db,listen=unix:"
                              + sock.resolve(".s.PGSQL.5432")
                              + ",upstream-ca="
                              + db.caFile()),
                      ProxySpec.parse(
                          "postgres:resource=bench-db,listen=127.0.0.1:"
                              + tcp
                              + ",upstream-ca="
                              + db.caFile())),
                  o,
                  agent,
                  Clock.systemUTC())) {
            // dir is root's temp directory: pgbench runs as root, the same uid as the registration
            String directTls =
                "host=127.0.0.1 port="
                    + db.port()
                    + " sslmode=require user=bench_direct dbname=postgres";
            String directUnix =
                "host="
                    + db.socketDirectory()
                    + " port="
                    + db.port()
                    + " user=bench_direct dbname=postgres";
            String proxUnix = "host=" + sock + " port=5432 user=app dbname=app";
            String proxTcp = "host=127.0.0.1 port=" + tcp + " sslmode=disable user=app dbname=app";
            String proxTls =
                "host=127.0.0.1 port="
                    + tcp
                    + " sslmode=verify-full sslrootcert="
                    + admin.ca
                    + " user=app dbname=app";
            pgbench(
                proxUnix,
                List.of("-S", "-T", "3", "-c", "2")); // first connection fetches the credential
            System.out.printf(
                Locale.ROOT,
                "pgbench, %d clients, 2 threads, %d s per run, scale 10%n",
                clients,
                seconds);
            for (String mode : List.of("select-only", "tpc-b")) {
              List<String> a =
                  new ArrayList<>(mode.equals("select-only") ? List.of("-S") : List.of());
              a.addAll(
                  List.of(
                      "-T", Integer.toString(seconds), "-c", Integer.toString(clients), "-j", "2"));
              double dT = pgbench(directTls, a);
              double dU = pgbench(directUnix, a);
              double pU = pgbench(proxUnix, a);
              double pT = pgbench(proxTcp, a);
              double pS = pgbench(proxTls, a);
              System.out.printf(
                  Locale.ROOT,
                  "%-11s direct TCP+TLS %8.0f tps | direct Unix socket (no TLS, trust) %8.0f"
                      + " | proxy Unix socket -> TLS %8.0f (%.0f%% of direct TCP+TLS, %.0f%% of direct Unix)"
                      + " | proxy loopback TCP -> TLS %8.0f (%.0f%% of direct TCP+TLS)"
                      + " | proxy loopback TCP+TLS (verify-full) -> TLS %8.0f (%.0f%% of direct TCP+TLS)%n",
                  mode,
                  dT,
                  dU,
                  pU,
                  100 * pU / dT,
                  100 * pU / dU,
                  pT,
                  100 * pT / dT,
                  pS,
                  100 * pS / dT);
            }
            long[] direct =
                connectTimes(
                    "jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?sslmode=require",
                    "bench_direct",
                    "direct-pw",
                    connects);
            long[] proxied =
                connectTimes(
                    "jdbc:postgresql://127.0.0.1:" + tcp + "/app?sslmode=disable",
                    "app",
                    "",
                    connects);
            System.out.printf(
                Locale.ROOT,
                "connection set-up (JDBC connect, %d sequential): direct TCP+TLS p50 %.2f ms"
                    + " p99 %.2f ms | proxy TCP (credential cached) p50 %.2f ms p99 %.2f ms%n",
                connects,
                pct(direct, 50),
                pct(direct, 99),
                pct(proxied, 50),
                pct(proxied, 99));
            Runtime rt = Runtime.getRuntime();
            System.out.printf(
                Locale.ROOT,
                "proxied connections accepted: %d; JVM heap used %d MB%n",
                edge.proxies().stream().mapToLong(p -> p.accepted()).sum(),
                (rt.totalMemory() - rt.freeMemory()) >> 20);
          }
        }
      }
    }
  }

  static double pgbench(String conninfo, List<String> args) throws Exception {
    List<String> c = new ArrayList<>(List.of("pgbench", "-n"));
    c.addAll(args);
    c.add(conninfo);
    ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", "direct-pw");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("pgbench failed: " + out);
    }
    Matcher m =
        Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no tps in pgbench output: " + out);
    }
    return Double.parseDouble(m.group(1));
  }

  static long[] connectTimes(String url, String user, String password, int n) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    for (int i = 0; i < 50; i++) {
      DriverManager.getConnection(url, p).close(); // warm-up
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      try (Connection c = DriverManager.getConnection(url, p)) {
        t[i] = System.nanoTime() - s;
      }
    }
    Arrays.sort(t);
    return t;
  }

  static double pct(long[] sorted, int p) {
    return BenchSupport.percentile(sorted, p) / 1e6;
  }

  /** The admin API over HTTPS, trusting the server's bundle fetched once. */
  static final class Admin {
    final String base;
    final String token;
    final Path ca;
    final HttpClient http;

    Admin(String base, String token, Path ca) throws Exception {
      this.base = base;
      this.token = token;
      this.ca = ca;
      javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
      trustAll.init(
          null,
          new javax.net.ssl.TrustManager[] {
            new javax.net.ssl.X509TrustManager() {
              @Override
              public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

              @Override
              public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

              @Override
              public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
              }
            }
          },
          null);
      JsonNode b =
          JSON.readTree(
              HttpClient.newBuilder()
                  .sslContext(trustAll)
                  .build()
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/v1/bundle")).build(),
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
      Files.writeString(ca, pem);
      this.http = HttpClient.newBuilder().sslContext(trustAll).build();
    }

    /**
     * Options of an agent that attests with a fresh join token for {@code node:pool=bench}, keeps
     * its state under {@code dir} and trusts the server's bundle.
     */
    AgentOptions benchAgent(Path dir) throws Exception {
      String join =
          JSON.readTree(send("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=bench\"]}"))
              .path("token")
              .asText();
      return new AgentOptions(
          base,
          dir.resolve("agent/workload.sock"),
          dir.resolve("agent-data"),
          join,
          null,
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          List.of(),
          ca);
    }

    String send(String method, String path, String body) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            method + " " + path + ": " + r.statusCode() + " " + r.body());
      }
      return r.body();
    }
  }
}
