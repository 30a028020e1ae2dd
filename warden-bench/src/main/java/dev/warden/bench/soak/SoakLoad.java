package dev.warden.bench.soak;

import dev.warden.testkit.TestOidcIssuer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounded soak of the token endpoint (issue 16): a {@code warden server} process on a fresh
 * PostgreSQL database, its maximum grant rate measured first, then {@code minutes} minutes of
 * grants paced at {@code fraction} of that maximum (open loop, latency from when each request was
 * due) while the signing key is rotated, a policy applied or deleted and leases revoked every
 * minute. Prints a row per minute — requests, errors, p50/p99/max, the server's live heap (a full
 * collection forced with {@code jcmd GC.run} in a 5-second gap after each minute in which no
 * request is due, its pause read from the server's GC log), its resident memory and the CPU the
 * server and PostgreSQL used — then verifies the audit chain with {@code warden audit verify}
 * against the newest signed checkpoint. Exits 1 if any request or change failed or the chain does
 * not verify.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl warden-cli,warden-bench -am
 * flock /tmp/warden-bench.lock java -cp warden-bench/target/warden-bench.jar dev.warden.bench.soak.SoakLoad \
 *     [minutes=10] [fraction=0.7] [connections=32] [maxSeconds=30] [heap=768m]
 * </pre>
 *
 * The server runs from {@code warden-cli/target/warden.jar} (or {@code -Dwarden.jar=}) with the JVM
 * options of the container image and the systemd unit; {@code -Dsoak.histograms=true} keeps the
 * live objects by class at each minute's full collection (in the run's temporary directory, which
 * the output names). PostgreSQL is {@code 127.0.0.1:5432} as user {@code postgres} (or {@code
 * -Dsoak.pg=jdbc:postgresql://host:port}, {@code -Dsoak.pgUser=}). {@code -Dsoak.ttl=30m} sets the
 * granted tokens' lifetime (default 5m, the server's default); {@code -Dsoak.gc=G1} the server's
 * collector (default Serial, as deployed).
 */
public final class SoakLoad {
  private static final Pattern BOOTSTRAP = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");
  private static final String AUDIENCE = "https://ledger.soak.test";

  private SoakLoad() {}

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double fraction = args.length > 1 ? Double.parseDouble(args[1]) : 0.7;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int maxSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    String heap = args.length > 4 ? args[4] : "768m";
    Path jar =
        Path.of(System.getProperty("warden.jar", "warden-cli/target/warden.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing; build it: ./mvnw -q -B -DskipTests package -pl warden-cli,warden-bench -am");
    }
    String pg = System.getProperty("soak.pg", "jdbc:postgresql://127.0.0.1:5432");
    String pgUser = System.getProperty("soak.pgUser", "postgres");
    // the granted tokens' lifetime: with the default 5m, leases start to expire in the soak's sixth
    // minute; a longer one keeps expiry out of the measured minutes (to tell its cost apart)
    String ttl = System.getProperty("soak.ttl", "5m");
    String database =
        "warden_soak_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    try (Connection c = DriverManager.getConnection(pg + "/postgres", pgUser, null);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    Path dir = Files.createTempDirectory("warden-soak");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port;
    System.out.printf(
        Locale.ROOT,
        "soak: %d min at %.0f %% of the measured maximum, %d connections; server heap -Xmx%s;"
            + " database %s; files in %s; load average before: %s%n",
        minutes,
        fraction * 100,
        connections,
        heap,
        database,
        dir,
        loadAverage());
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    int exit;
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").start();
        ServerProcess server =
            ServerProcess.start(
                jar,
                jvmOptions(heap),
                List.of(
                    "--port",
                    Integer.toString(port),
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--db-url",
                    pg + "/" + database,
                    "--db-user",
                    pgUser,
                    "--set",
                    "keys.rotateEvery=manual",
                    "--set",
                    "tokens.defaultTtl=" + ttl),
                dir)) {
      server.awaitReady(http, base);
      Matcher m = BOOTSTRAP.matcher(server.output());
      if (!m.find()) {
        throw new IllegalStateException(
            "no bootstrap token in the server's output:\n" + server.output());
      }
      String admin = m.group(1);
      Churn setup = new Churn(http, base, admin, null, null, 0);
      setup.admin(
          "POST",
          "/v1/apply",
          """
          {"documents": [
            {"kind": "TrustProvider", "metadata": {"name": "cluster"}, "spec": {"type": "kubernetes", "issuer": "%s",
              "audiences": ["warden"], "algorithms": ["RS256"]}},
            {"kind": "Workload", "spec": {"spiffeId": "spiffe://soak.test/ns/payments/sa/api",
              "selectors": ["k8s:ns=payments", "k8s:sa=api"], "owner": "soak@acme.test"}},
            {"kind": "Resource", "metadata": {"name": "ledger"}, "spec": {"audience": "%s"}},
            {"kind": "Resource", "metadata": {"name": "scratch"}, "spec": {"audience": "https://scratch.soak.test"}},
            {"kind": "AccessPolicy", "metadata": {"name": "payments-to-ledger"}, "spec": {
              "workloads": {"selectors": ["k8s:ns=payments"]}, "resources": ["ledger"], "maxTtl": "%s",
              "condition": "request.sourceAddress.startsWith(\\"127.\\")"}}
          ]}"""
              .formatted(k8s.issuer(), AUDIENCE, ttl),
          200);
      String introspect =
          setup
              .admin(
                  "POST",
                  "/v1/admin-tokens",
                  "{\"name\":\"soak-rs\",\"scopes\":[\"introspect\"]}",
                  201)
              .path("token")
              .asText();
      String churnPolicy =
          """
          {"documents": [{"kind": "AccessPolicy", "metadata": {"name": "soak-churn"}, "spec": {
            "workloads": {"selectors": ["k8s:ns=payments"]}, "resources": ["scratch"], "maxTtl": "1m"}}]}""";
      Churn churn = new Churn(http, base, admin, introspect, churnPolicy, 25);

      List<String> bodies = new ArrayList<>();
      Instant exp = Instant.now().plus(Duration.ofMinutes(minutes + 60L));
      for (int i = 0; i < 1000; i++) {
        bodies.add(
            "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode(
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    StandardCharsets.UTF_8)
                + "&resource="
                + URLEncoder.encode(AUDIENCE, StandardCharsets.UTF_8)
                + "&client_assertion="
                + k8s.kubernetes("payments", "api", "api-" + i).expiresAt(exp).mint());
      }
      GrantDriver driver =
          new GrantDriver(
              http, URI.create(base + "/oauth2/token"), bodies, connections, churn::onToken);

      System.out.println("warm-up: 20 s closed loop");
      report("warm-up", driver.closedLoop(Duration.ofSeconds(20)), 20);
      System.out.printf(Locale.ROOT, "maximum: %d s closed loop%n", maxSeconds);
      GrantDriver.Window max = driver.closedLoop(Duration.ofSeconds(maxSeconds));
      double maxRate = max.requests() / (double) maxSeconds;
      report("maximum", max, maxSeconds);
      double rate = Math.floor(maxRate * fraction);
      long liveStart = server.fullGcLiveMb();
      long rssStart = server.rssKb();
      server.gc.sinceLastRead();
      System.out.printf(
          Locale.ROOT,
          "measured maximum %.0f grants/s (%d errors); soak rate %.0f/s; live heap after a full GC %d MB,"
              + " RSS %d MB; load average %s%n",
          maxRate,
          max.errors.sum(),
          rate,
          liveStart,
          rssStart / 1024,
          loadAverage());

      Map<Integer, String> memory = new ConcurrentHashMap<>();
      double[] cpuMark = {
        server.cpuSeconds(), ServerProcess.postgresCpuSeconds(), System.nanoTime()
      };
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      for (int i = 0; i < minutes; i++) {
        // spread over each minute (65 s with its gap), away from its edges: rotate at 10 s, change
        // the
        // policy at 25 s, revoke at 40 s
        timer.schedule(churn::rotateKey, i * 65L + 10, TimeUnit.SECONDS);
        timer.schedule(churn::changePolicy, i * 65L + 25, TimeUnit.SECONDS);
        timer.schedule(churn::revokeAndCheck, i * 65L + 40, TimeUnit.SECONDS);
      }
      System.out.printf(Locale.ROOT, "soak: %.0f grants/s for %d min%n", rate, minutes);
      // each minute is followed by a gap of 5 s with no request due, in which the full collection
      // that measures the live heap runs: it pauses the server, and would otherwise be measured as
      // latency of the next minute's requests
      List<GrantDriver.Window> windows =
          driver.openLoop(
              rate,
              Duration.ofMinutes(1),
              Duration.ofSeconds(5),
              minutes,
              w -> {
                GcLog.Interval gc = server.gc.sinceLastRead();
                long rss = server.rssKb();
                // cores busy over the minute: the server process, and every PostgreSQL process
                double now = System.nanoTime();
                double cpu = server.cpuSeconds();
                double pgCpu = ServerProcess.postgresCpuSeconds();
                double elapsed = (now - cpuMark[2]) / 1e9;
                String cores =
                    String.format(
                        Locale.ROOT,
                        "%.2f | %.2f",
                        (cpu - cpuMark[0]) / elapsed,
                        (pgCpu - cpuMark[1]) / elapsed);
                // the young collections' "after" includes old-generation garbage until the next
                // full
                // collection: a full one at each minute's end gives the live set (its pause is
                // reported)
                long live = -1;
                try {
                  live =
                      server.fullGcLiveMb(
                          Boolean.getBoolean("soak.histograms")
                              ? dir.resolve("histogram-minute-" + (w.index + 1) + ".txt")
                              : null);
                } catch (IOException e) {
                  System.out.println("  jcmd GC.run failed: " + e.getMessage());
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                String mem =
                    String.format(
                        Locale.ROOT,
                        "%d | %d | %.0f ms | %d | %d",
                        gc.collections(),
                        live,
                        server.gc.lastFullPauseMs(),
                        gc.committedMb(),
                        rss / 1024);
                memory.put(w.index, mem + " | " + cores);
                // the forced full collection belongs to no minute's figures: measure from after it
                cpuMark[0] = server.cpuSeconds();
                cpuMark[1] = ServerProcess.postgresCpuSeconds();
                cpuMark[2] = System.nanoTime();
                System.out.printf(
                    Locale.ROOT,
                    "  minute %d done: %d requests so far, %d errors; live heap %d MB, RSS %d MB; load %s%n",
                    w.index + 1,
                    w.requests(),
                    w.errors.sum(),
                    live,
                    rss / 1024,
                    loadAverage());
              });
      timer.shutdownNow();
      Thread.sleep(1500);
      long liveEnd = server.fullGcLiveMb();
      long rssEnd = server.rssKb();

      System.out.println();
      System.out.println(
          "| minute | requests | errors | p50 | p99 | max | young GCs | live heap after full GC | its pause"
              + " | heap committed | RSS | server CPU (cores) | PostgreSQL CPU (cores) |");
      System.out.println(
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      long requests = 0;
      long errors = 0;
      for (GrantDriver.Window w : windows) {
        requests += w.requests();
        errors += w.errors.sum();
        String[] mem = memory.getOrDefault(w.index, "- | - | - | - | - | - | -").split(" \\| ");
        System.out.printf(
            Locale.ROOT,
            "| %d | %,d | %d | %.1f ms | %.1f ms | %.0f ms | %s | %s MB | %s | %s MB | %s MB | %s | %s |%n",
            w.index + 1,
            w.requests(),
            w.errors.sum(),
            w.percentileMillis(0.50),
            w.percentileMillis(0.99),
            w.percentileMillis(1.0),
            mem[0],
            mem[1],
            mem[2],
            mem[3],
            mem[4],
            mem[5],
            mem[6]);
        w.errorKinds.forEach(
            (k, v) ->
                System.out.printf(
                    Locale.ROOT, "    minute %d: %d x %s%n", w.index + 1, v.sum(), k));
      }
      System.out.printf(
          Locale.ROOT,
          "%ntotal: %,d grants at %.0f/s target, %d errors, %d control errors;"
              + " live heap after a full GC: %d MB at the start, %d MB at the end; RSS %d MB -> %d MB; load average after: %s%n",
          requests,
          rate,
          errors,
          churn.errors.sum(),
          liveStart,
          liveEnd,
          rssStart / 1024,
          rssEnd / 1024,
          loadAverage());
      int verify = verifyAudit(jar, base, admin, dir);
      exit = errors == 0 && churn.errors.sum() == 0 && verify == 0 ? 0 : 1;
    }
    try (Connection c = DriverManager.getConnection(pg + "/postgres", pgUser, null);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
    System.exit(exit);
  }

  /** The options the container image and the systemd units run the server with, at a fixed heap. */
  static List<String> jvmOptions(String heap) {
    // the container image's and the systemd unit's collector unless -Dsoak.gc=G1|Parallel says
    // otherwise (to compare pauses: SerialGC's full collections are the soak's p99 stalls)
    String gc = System.getProperty("soak.gc", "Serial");
    if (!List.of("Serial", "G1", "Parallel").contains(gc)) {
      throw new IllegalArgumentException("soak.gc must be Serial, G1 or Parallel, not " + gc);
    }
    List<String> o = new ArrayList<>(List.of("-XX:+Use" + gc + "GC", "-Xss512k", "-Xmx" + heap));
    if (Runtime.version().feature() >= 24) {
      o.add("--sun-misc-unsafe-memory-access=allow");
    }
    return o;
  }

  /** {@code warden audit verify} against the newest signed checkpoint; returns its exit code. */
  static int verifyAudit(Path jar, String base, String admin, Path dir)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Path out = dir.resolve("verify.out");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "audit",
                "verify",
                "--server",
                base,
                "--token",
                admin,
                "--checkpoint",
                base + "/v1/audit/checkpoints/latest",
                "-o",
                "json")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    int rc = p.waitFor();
    System.out.printf(
        Locale.ROOT,
        "warden audit verify --checkpoint <latest> (exit %d, %d s):%n%s%n",
        rc,
        (System.nanoTime() - t0) / 1_000_000_000L,
        Files.readString(out, StandardCharsets.UTF_8).strip());
    return rc;
  }

  static void report(String phase, GrantDriver.Window w, int seconds) {
    System.out.printf(
        Locale.ROOT,
        "  %s: %,d grants in %d s (%.0f/s), %d errors, p50 %.1f ms, p99 %.1f ms%n",
        phase,
        w.requests(),
        seconds,
        w.requests() / (double) seconds,
        w.errors.sum(),
        w.percentileMillis(0.5),
        w.percentileMillis(0.99));
    w.errorKinds.forEach((k, v) -> System.out.printf(Locale.ROOT, "    %d x %s%n", v.sum(), k));
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
