package dev.warden.bench;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.testkit.TestOidcIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Load driver for brokered secret reads over HTTP (issue 11), with token grants as the baseline in
 * the same run. Starts a test OIDC issuer and a Warden server in this JVM (its store on PostgreSQL,
 * so every read's audit event and lease are durable before the answer), writes one brokered secret,
 * and runs {@code wrk} against {@code POST /v1/credentials} (each request: platform token checked,
 * policy decided, the current version read and opened, the read audited) and then against {@code
 * POST /oauth2/token}, with 1,000 distinct platform tokens of 50 workloads.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl warden-bench -am
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.SecretReadLoad [seconds=20] [connections=16]
 * </pre>
 */
public final class SecretReadLoad {
  private static final int WORKLOADS = 50;
  private static final int TOKENS = 1000;
  private static final int WARMUP_SECONDS = 10;

  private static void row(String name, Wrk.Result r, double cpuMicros) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %,.0f | %.1f / %.1f / %.1f | %.0f µs | %d |%n",
        name,
        r.perSecond(),
        r.p50Ms(),
        r.p90Ms(),
        r.p99Ms(),
        cpuMicros,
        r.errors());
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    String sfx =
        UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
    String store = "wb_secrets_" + sfx;
    BenchSupport.sql("postgres", "CREATE DATABASE " + store);
    Path dir = Files.createTempDirectory("warden-secret-read-load");
    int port = 19080 + (int) (ProcessHandle.current().pid() % 1000);
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").start()) {
      Map<String, String> flags = new LinkedHashMap<>();
      flags.put("server.port", Integer.toString(port));
      flags.put("server.dataDir", dir.toString());
      flags.put("db.url", BenchSupport.PG + store);
      flags.put("db.user", "postgres");
      ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (WardenServer server =
          WardenServer.start(
              cfg, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String base = "http://127.0.0.1:" + port;
        String token = BenchSupport.bootstrapToken(out);
        StringBuilder docs = new StringBuilder("{\"documents\": [");
        docs.append(
            """
            {"kind": "TrustProvider", "metadata": {"name": "cluster"}, "spec": {"type": "kubernetes", "issuer": "%s",
              "audiences": ["warden"], "algorithms": ["RS256"]}},
            {"kind": "Resource", "metadata": {"name": "stripe-api"}, "spec": {"audience": "https://stripe.bench.test",
              "kind": "secret", "secret": {"name": "stripe"}}},
            {"kind": "Resource", "metadata": {"name": "ledger-api"}, "spec": {"audience": "https://ledger.bench.test"}},
            {"kind": "AccessPolicy", "metadata": {"name": "stripe"}, "spec": {"workloads": {"selectors": ["k8s:sa=api"]},
              "resources": ["stripe-api"], "credentialKind": "brokered_secret", "maxTtl": "10m"}},
            {"kind": "AccessPolicy", "metadata": {"name": "api"}, "spec": {"workloads": {"selectors": ["k8s:sa=api"]},
              "resources": ["ledger-api"], "maxTtl": "5m"}}"""
                .formatted(k8s.issuer()));
        for (int i = 0; i < WORKLOADS; i++) {
          docs.append(
                  ",\n{\"kind\": \"Workload\", \"spec\": {\"spiffeId\": \"spiffe://bench.test/ns/team")
              .append(i)
              .append("/sa/api\", \"selectors\": [\"k8s:ns=team")
              .append(i)
              .append("\", \"k8s:sa=api\"],")
              .append(" \"owner\": \"bench@acme.test\"}}");
        }
        BenchSupport.send(base, token, "POST", "/v1/apply", docs.append("]}").toString());
        BenchSupport.send(
            base,
            token,
            "PUT",
            "/v1/secrets/stripe",
            "{\"value\": \"sk_live_bench_"
                + sfx
                + "\", \"cas\": 0,"
                + " \"owner\": \"pay@acme.test\"}");

        Instant exp = Instant.now().plus(Duration.ofHours(2));
        StringBuilder reads = new StringBuilder("local bodies = {\n");
        StringBuilder grants = new StringBuilder("local bodies = {\n");
        for (int i = 0; i < TOKENS; i++) {
          String t =
              k8s.kubernetes("team" + (i % WORKLOADS), "api", "api-" + i).expiresAt(exp).mint();
          String auth =
              "client_assertion_type="
                  + BenchSupport.enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                  + "&client_assertion="
                  + t;
          reads
              .append("  \"")
              .append(auth)
              .append("&resource=")
              .append(BenchSupport.enc("https://stripe.bench.test"))
              .append("\",\n");
          grants
              .append("  \"grant_type=client_credentials&")
              .append(auth)
              .append("&resource=")
              .append(BenchSupport.enc("https://ledger.bench.test"))
              .append("\",\n");
        }
        Path readLua = lua(dir.resolve("reads.lua"), reads);
        Path grantLua = lua(dir.resolve("grants.lua"), grants);

        System.out.printf(
            Locale.ROOT,
            "warmup (%d s of each), then %d s of brokered secret reads and %d s of token grants,"
                + " %d connections, %d workloads%n",
            WARMUP_SECONDS,
            seconds,
            seconds,
            connections,
            WORKLOADS);
        // both paths warm, so that neither measured run pays for the JIT compiling the other
        Wrk.run(base + "/v1/credentials", readLua, WARMUP_SECONDS, connections);
        Wrk.run(base + "/oauth2/token", grantLua, WARMUP_SECONDS, connections);
        System.out.println(
            "=== POST /v1/credentials (brokered_secret: policy, current version, audited read)");
        ProcessCpu cpu = ProcessCpu.start();
        Wrk.Result read = Wrk.run(base + "/v1/credentials", readLua, seconds, connections);
        double readCpu = cpu.microsPer(read.requests());
        System.out.println("=== baseline, same run: POST /oauth2/token");
        cpu = ProcessCpu.start();
        Wrk.Result grant = Wrk.run(base + "/oauth2/token", grantLua, seconds, connections);
        double grantCpu = cpu.microsPer(grant.requests());
        System.out.printf(
            Locale.ROOT,
            "%n| run | per s | p50 / p90 / p99 ms | server CPU per request | errors |%n"
                + "| --- | --- | --- | --- | --- |%n");
        row("brokered reads", read, readCpu);
        row("token grants", grant, grantCpu);
        System.out.printf(
            Locale.ROOT,
            "reads as share of grants: %.0f %% of the rate, %.0f %% of the CPU per request%n",
            100 * read.perSecond() / grant.perSecond(),
            100 * readCpu / grantCpu);
        if (read.errors() + grant.errors() > 0) {
          throw new IllegalStateException("a run had errors: it did not measure what it claims");
        }
      }
    } finally {
      BenchSupport.sql("postgres", "DROP DATABASE IF EXISTS " + store + " WITH (FORCE)");
    }
  }

  private static Path lua(Path file, StringBuilder bodies) throws IOException {
    bodies
        .append("}\nlocal i = 0\nwrk.method = \"POST\"\n")
        .append("wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n")
        .append(
            "request = function()\n  i = i + 1\n  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n")
        .append("done = function(summary, latency, requests)\n")
        .append("  io.write(string.format(\"non-2xx: %d\\n\", summary.errors.status))\nend\n");
    Files.writeString(file, bodies.toString());
    return file;
  }
}
