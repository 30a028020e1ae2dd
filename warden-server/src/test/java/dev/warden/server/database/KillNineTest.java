package dev.warden.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.testkit.TestOidcIssuer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real server process while workloads obtain and give back PostgreSQL users as
 * fast as they can, three times over: with dozens of requests in flight, each kill lands between
 * every step of issuance (intent recorded, role created, lease activated, answer sent) and of
 * revocation (revoked, NOLOGIN, sessions ended, dropped, recorded). After the last restart and one
 * sweep, no tagged user exists without an active lease, and no lease is left issuing.
 */
class KillNineTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern TOKEN = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");
  static final int WORKLOADS = 8;

  @TempDir static Path dir;

  static PgTarget pg;
  static TestOidcIssuer k8s;
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static int port;
  static String base;
  static String adminToken;

  @BeforeAll
  static void start() throws Exception {
    pg = PgTarget.create();
    k8s = TestOidcIssuer.builder().audience("warden").start();
    port = dev.warden.testkit.FreePorts.next();
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** Starts the server process on the test's data directory; returns it once it is ready. */
  static Process startServer() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.warden.server.process.ServerProcessMain",
                "server.port=" + port,
                "server.dataDir=" + dir.resolve("data"),
                "databases.reapInterval=200ms",
                "databases.staleIntent=5s",
                "databases.sweepInterval=2s")
            .redirectErrorStream(true);
    Process p = pb.start();
    CompletableFuture<String> token = new CompletableFuture<>();
    StringBuilder log = new StringBuilder();
    Thread.ofPlatform()
        .daemon(true)
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (log) {
                    log.append(line).append('\n');
                  }
                  Matcher m = TOKEN.matcher(line);
                  if (m.find()) {
                    token.complete(m.group(1));
                  }
                }
              } catch (IOException ignored) {
                // the process was killed
              }
            });
    if (adminToken == null) {
      adminToken = token.get(120, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          return p;
        }
      } catch (IOException e) {
        // not yet
      }
      if (System.nanoTime() > deadline || !p.isAlive()) {
        synchronized (log) {
          throw new AssertionError("the server did not become ready:\n" + log);
        }
      }
      Thread.sleep(100);
    }
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return http.send(
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

  static HttpResponse<String> workload(String path, int team) throws Exception {
    String form =
        "client_assertion_type="
            + URLEncoder.encode(
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
            + "&client_assertion="
            + k8s.kubernetesToken("team" + team, "app", "app-0")
            + (path.equals("/v1/credentials") ? "&resource=ledger-db" : "");
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void configure() throws Exception {
    assertThat(
            admin(
                    "PUT",
                    "/v1/target-secrets/ledger-admin",
                    "{\"value\": \"" + TargetDb.INITIAL_ADMIN_PASSWORD + "\"}")
                .statusCode())
        .isEqualTo(200);
    StringBuilder docs = new StringBuilder("{\"documents\": [");
    docs.append(
        "{\"kind\": \"TrustProvider\", \"metadata\": {\"name\": \"cluster\"}, \"spec\": {\"type\": \"kubernetes\","
            + " \"issuer\": \""
            + k8s.issuer()
            + "\", \"audiences\": [\"warden\"], \"algorithms\": [\"RS256\"]}},");
    docs.append(
        "{\"kind\": \"Resource\", \"metadata\": {\"name\": \"ledger-db\"}, \"spec\": {\"audience\":"
            + " \"postgres://ledger\", \"kind\": \"postgres\", \"database\": {\"url\": \""
            + pg.url()
            + "\", \"adminUser\": \""
            + pg.admin
            + "\", \"adminPasswordSecret\": \"ledger-admin\", \"roles\": [\""
            + pg.app
            + "\"], \"markerRole\": \""
            + pg.marker
            + "\", \"maxLeasesPerWorkload\": 1000}}},");
    docs.append(
        "{\"kind\": \"AccessPolicy\", \"metadata\": {\"name\": \"apps\"}, \"spec\": {\"workloads\": {\"selectors\":"
            + " [\"k8s:sa=app\"]}, \"resources\": [\"ledger-db\"], \"credentialKind\": \"database_user\", \"maxTtl\": \"1h\"}}");
    for (int i = 0; i < WORKLOADS; i++) {
      docs.append(",{\"kind\": \"Workload\", \"spec\": {\"spiffeId\": \"spiffe://acme.test/ns/team")
          .append(i)
          .append("/sa/app\", \"selectors\": [\"k8s:ns=team")
          .append(i)
          .append("\", \"k8s:sa=app\"], \"owner\":")
          .append(" \"o@acme.test\"}}");
    }
    HttpResponse<String> r = admin("POST", "/v1/apply", docs.append("]}").toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** Workloads take users and give every other one back, until stopped or the server dies. */
  static List<Thread> load(AtomicBoolean running, AtomicInteger issued) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < WORKLOADS; i++) {
      int team = i;
      threads.add(
          Thread.ofPlatform()
              .daemon(true)
              .start(
                  () -> {
                    int n = 0;
                    while (running.get()) {
                      try {
                        HttpResponse<String> r = workload("/v1/credentials", team);
                        if (r.statusCode() == 200) {
                          issued.incrementAndGet();
                          if (n++ % 2 == 0) {
                            workload(
                                "/v1/credentials/leases/"
                                    + JSON.readTree(r.body()).path("lease_id").asText()
                                    + ":revoke",
                                team);
                          }
                        }
                      } catch (Exception e) {
                        // the server is gone: the test restarts it
                      }
                    }
                  }));
    }
    return threads;
  }

  @Test
  void afterKillNineBetweenEveryStepAndARestartNoTaggedUserLacksAnActiveLease() throws Exception {
    Process server = startServer();
    configure();
    int kills = 0;
    AtomicInteger issued = new AtomicInteger();
    for (int round = 0; round < 3; round++) {
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> threads = load(running, issued);
      int before = issued.get();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (issued.get() < before + 30 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
      server.waitFor(30, TimeUnit.SECONDS);
      kills++;
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
      server = startServer();
    }
    try {
      // the sweep of the last start repairs what the kills left: stale intents, users of revoked
      // leases
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String problem;
      do {
        Thread.sleep(500);
        problem = violation();
      } while (problem != null && System.nanoTime() < deadline);
      assertThat(problem).as("after %d kills and %d issued users", kills, issued.get()).isNull();
      assertThat(issued.get()).as("the load really ran").isGreaterThan(30);
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The lease of {@code id} as the API lists it, for the failure message. */
  static String stateOf(String id) throws Exception {
    for (String state : List.of("issuing", "revoking", "revoked", "irrevocable")) {
      for (JsonNode l :
          JSON.readTree(
                  admin("GET", "/v1/database-leases?state=" + state + "&limit=1000", null).body())
              .path("items")) {
        if (l.path("id").asText().equals(id)) {
          return l.toString();
        }
      }
    }
    return "no lease at all";
  }

  /** What breaks the invariant now, or null. */
  static String violation() throws Exception {
    JsonNode issuing =
        JSON.readTree(admin("GET", "/v1/database-leases?state=issuing&limit=1000", null).body());
    if (issuing.path("items").size() > 0) {
      return issuing.path("items").size() + " leases still issuing";
    }
    Set<String> active = new HashSet<>();
    for (JsonNode l :
        JSON.readTree(admin("GET", "/v1/database-leases?state=active&limit=1000", null).body())
            .path("items")) {
      active.add(l.path("id").asText());
    }
    for (String user : pg.tagged()) {
      if (!active.contains(user)) {
        return "tagged user " + user + " has no active lease: " + stateOf(user);
      }
    }
    return null;
  }
}
