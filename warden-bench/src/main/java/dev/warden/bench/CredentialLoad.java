package dev.warden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Load driver for dynamic PostgreSQL users over HTTP (issue 11), with token grants as the baseline
 * in the same run. Starts a test OIDC issuer and a Warden server in this JVM (its store on
 * PostgreSQL, so every lease and audit event is durable before the answer), creates a target
 * database on the same PostgreSQL with a CREATEROLE-only admin, and then:
 *
 * <ol>
 *   <li>runs {@code wrk} against {@code POST /v1/credentials} (each request creates a real
 *       PostgreSQL role: intent record, CREATE ROLE + GRANTs in one transaction, activation with
 *       its audit event) and, in the same run, against {@code POST /oauth2/token};
 *   <li>measures token-grant latency with the reaper idle, then again while the reaper removes
 *       every issued user as its lease expires, and reports how long the removal of all of them
 *       took after the last one expired and the reaper's throughput.
 * </ol>
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl warden-bench -am
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.CredentialLoad [seconds=30] [connections=16] [ttlSeconds=90] [reapParallelism=8]
 * </pre>
 */
public final class CredentialLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WORKLOADS = 50;
  private static final int TOKENS = 1000;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int ttl = args.length > 2 ? Integer.parseInt(args[2]) : 90;
    int parallelism = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    String sfx =
        UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
    String store = "wb_store_" + sfx;
    String target = "wb_ledger_" + sfx;
    String admin = "wb_admin_" + sfx;
    String app = "wb_app_" + sfx;
    String marker = "wb_marker_" + sfx;
    BenchSupport.sql(
        "postgres",
        "CREATE DATABASE " + store,
        "CREATE DATABASE " + target,
        "CREATE ROLE " + admin + " LOGIN CREATEROLE PASSWORD 'bench-admin-password'",
        "GRANT pg_signal_backend TO " + admin,
        "CREATE ROLE " + app + " NOLOGIN");
    BenchSupport.sql(
        target, "CREATE TABLE ledger (id INT PRIMARY KEY)", "GRANT SELECT ON ledger TO " + app);
    Path dir = Files.createTempDirectory("warden-credential-load");
    int port = 19080 + (int) (ProcessHandle.current().pid() % 1000);
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").start()) {
      Map<String, String> flags = new LinkedHashMap<>();
      flags.put("server.port", Integer.toString(port));
      flags.put("server.dataDir", dir.toString());
      flags.put("db.url", BenchSupport.PG + store);
      flags.put("db.user", "postgres");
      flags.put("databases.reapInterval", "1s");
      flags.put("databases.reapParallelism", Integer.toString(parallelism));
      ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (WardenServer server =
          WardenServer.start(
              cfg, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String base = "http://127.0.0.1:" + port;
        String token = BenchSupport.bootstrapToken(out);
        BenchSupport.send(
            base,
            token,
            "PUT",
            "/v1/target-secrets/ledger-admin",
            "{\"value\": \"bench-admin-password\"}");
        StringBuilder docs = new StringBuilder("{\"documents\": [");
        docs.append(
            """
            {"kind": "TrustProvider", "metadata": {"name": "cluster"}, "spec": {"type": "kubernetes", "issuer": "%s",
              "audiences": ["warden"], "algorithms": ["RS256"]}},
            {"kind": "Resource", "metadata": {"name": "ledger-db"}, "spec": {"audience": "postgres://ledger",
              "kind": "postgres", "database": {"url": "%s", "adminUser": "%s", "adminPasswordSecret": "ledger-admin",
              "roles": ["%s"], "markerRole": "%s", "maxLeasesPerWorkload": 1000}}},
            {"kind": "Resource", "metadata": {"name": "ledger-api"}, "spec": {"audience": "https://ledger.bench.test"}},
            {"kind": "AccessPolicy", "metadata": {"name": "db"}, "spec": {"workloads": {"selectors": ["k8s:sa=api"]},
              "resources": ["ledger-db"], "credentialKind": "database_user", "maxTtl": "%ds"}},
            {"kind": "AccessPolicy", "metadata": {"name": "api"}, "spec": {"workloads": {"selectors": ["k8s:sa=api"]},
              "resources": ["ledger-api"], "maxTtl": "5m"}}"""
                .formatted(k8s.issuer(), BenchSupport.PG + target, admin, app, marker, ttl));
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

        Instant exp = Instant.now().plus(Duration.ofHours(2));
        StringBuilder creds = new StringBuilder("local bodies = {\n");
        StringBuilder grants = new StringBuilder("local bodies = {\n");
        for (int i = 0; i < TOKENS; i++) {
          String t =
              k8s.kubernetes("team" + (i % WORKLOADS), "api", "api-" + i).expiresAt(exp).mint();
          String auth =
              "client_assertion_type="
                  + BenchSupport.enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                  + "&client_assertion="
                  + t;
          creds.append("  \"").append(auth).append("&resource=ledger-db\",\n");
          grants
              .append("  \"grant_type=client_credentials&")
              .append(auth)
              .append("&resource=")
              .append(BenchSupport.enc("https://ledger.bench.test"))
              .append("\",\n");
        }
        Path credLua = lua(dir.resolve("credentials.lua"), creds);
        Path grantLua = lua(dir.resolve("grants.lua"), grants);

        Instant firstIssue = Instant.now();
        System.out.printf(
            Locale.ROOT,
            "warmup (5 s), then %d s of /v1/credentials, %d connections, %d workloads,"
                + " lease TTL %d s%n",
            seconds,
            connections,
            WORKLOADS,
            ttl);
        wrk(base + "/v1/credentials", credLua, 5, connections);
        System.out.println("=== POST /v1/credentials (a new PostgreSQL role per request)");
        wrk(base + "/v1/credentials", credLua, seconds, connections);
        Instant lastIssue = Instant.now();
        System.out.println("=== baseline, same run: POST /oauth2/token");
        wrk(base + "/oauth2/token", grantLua, Math.max(10, seconds / 2), connections);
        JsonNode counts = counts(base, token);
        long issued = counts.path("active").asLong();
        System.out.printf(
            Locale.ROOT,
            "issued and active: %d users (issuance window %s)%n",
            issued,
            Duration.between(firstIssue, lastIssue));

        Instant firstExpiry = firstIssue.plusSeconds(ttl);
        System.out.println(
            "=== token grants with the reaper idle (before the first lease expires)");
        if (Instant.now().plusSeconds(12).isAfter(firstExpiry)) {
          System.out.println("(skipped: the leases expire too soon; raise ttlSeconds)");
        } else {
          wrk(base + "/oauth2/token", grantLua, 10, connections);
        }
        sleepUntil(firstExpiry);
        Instant lastExpiry = lastIssue.plusSeconds(ttl);
        long window = Math.max(20, Duration.between(Instant.now(), lastExpiry).toSeconds() + 20);
        System.out.printf(
            Locale.ROOT,
            "=== token grants while the reaper removes %d expired users (%d s)%n",
            issued,
            window);
        Process load = wrkProcess(base + "/oauth2/token", grantLua, (int) window, connections);
        Instant done = null;
        while (done == null) {
          Thread.sleep(250);
          JsonNode c = counts(base, token);
          if (Instant.now().isAfter(lastExpiry)
              && c.path("active").asLong() == 0
              && c.path("revoking").asLong() == 0
              && c.path("issuing").asLong() == 0) {
            done = Instant.now();
          }
          if (Instant.now().isAfter(lastExpiry.plusSeconds(600))) {
            throw new IllegalStateException(
                "users still not removed 10 minutes after the last expiry: " + c);
          }
        }
        load.waitFor();
        JsonNode end = counts(base, token);
        System.out.printf(
            Locale.ROOT,
            "removed: %d users; all gone %.1f s after the first expiry, %.1f s after the"
                + " last; reaper throughput %.0f users/s; irrevocable %d%n",
            end.path("revoked").asLong(),
            Duration.between(firstExpiry, done).toMillis() / 1000.0,
            Duration.between(lastExpiry, done).toMillis() / 1000.0,
            end.path("revoked").asLong()
                * 1000.0
                / Math.max(1, Duration.between(firstExpiry, done).toMillis()),
            end.path("irrevocable").asLong());
      }
    } finally {
      BenchSupport.sql(
          "postgres",
          "DROP DATABASE IF EXISTS " + store + " WITH (FORCE)",
          "DROP DATABASE IF EXISTS " + target + " WITH (FORCE)");
      // anything the reaper did not drop, then the bench's own roles
      BenchSupport.sql(
          "postgres",
          "DO $$ DECLARE r record; BEGIN FOR r IN SELECT u.rolname FROM pg_auth_members a"
              + " JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles u ON u.oid = a.member WHERE g.rolname = '"
              + marker
              + "' LOOP EXECUTE format('DROP ROLE %I', r.rolname); END LOOP; END $$",
          "DROP ROLE IF EXISTS " + marker,
          "DROP ROLE IF EXISTS " + app,
          "DROP ROLE IF EXISTS " + admin);
    }
  }

  private static JsonNode counts(String base, String token)
      throws IOException, InterruptedException {
    return JSON.readTree(BenchSupport.send(base, token, "GET", "/v1/database-leases?limit=1", null))
        .path("counts");
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

  private static void wrk(String url, Path lua, int seconds, int connections)
      throws IOException, InterruptedException {
    int rc = wrkProcess(url, lua, seconds, connections).waitFor();
    if (rc != 0) {
      throw new IllegalStateException(
          "wrk failed (exit " + rc + "); install it with: apt-get install wrk");
    }
  }

  private static Process wrkProcess(String url, Path lua, int seconds, int connections)
      throws IOException {
    return new ProcessBuilder(
            "wrk",
            "-t2",
            "-c" + connections,
            "-d" + seconds + "s",
            "--latency",
            "-s",
            lua.toString(),
            url)
        .inheritIO()
        .start();
  }

  private static void sleepUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}
