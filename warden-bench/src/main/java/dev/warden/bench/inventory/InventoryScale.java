package dev.warden.bench.inventory;

import dev.warden.bench.BenchSupport;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inventory and posture at scale on PostgreSQL: a fresh database filled by SQL generators with N
 * imported items (some sharing fingerprints, many without owners or expiries) and M token.issued
 * audit events over 90 days for 10,000 workloads, then timed through the server's HTTP API: a full
 * posture recompute, filtered inventory queries, and the posture after one change.
 *
 * <pre>
 * java -Xmx8g -cp warden-bench/target/warden-bench.jar dev.warden.bench.inventory.InventoryScale \
 *     [items=1000000] [events=10000000] [jdbc:postgresql://127.0.0.1:5432/]</pre>
 *
 * The generated audit rows carry placeholder hashes: `warden audit verify` would (rightly) reject
 * this database, which exists only to be measured and is dropped afterwards.
 */
public final class InventoryScale {
  private InventoryScale() {}

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 10_000_000;
    String pg = args.length > 2 ? args[2] : "jdbc:postgresql://127.0.0.1:5432/";
    String db = "warden_scale_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(pg + "postgres", "postgres", "")) {
      c.createStatement().execute("CREATE DATABASE " + db);
    }
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", Files.createTempDirectory("warden-scale").toString());
    flags.put("db.url", pg + db);
    flags.put("db.user", "postgres");
    flags.put("server.trustDomain", "acme.test");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      String admin = BenchSupport.bootstrapToken(out);
      String base = "http://127.0.0.1:" + port;
      long t = System.nanoTime();
      for (int batch = 0; batch < 10; batch++) {
        StringBuilder docs = InventoryScale.workloadDocuments(batch);
        for (int r = 0; r < 50 && batch == 0; r++) {
          docs.append(",{\"kind\":\"Resource\",\"metadata\":{\"name\":\"res-")
              .append(r)
              .append("\"},\"spec\":{\"audience\":\"https://res-")
              .append(r)
              .append(".acme.test\"}}");
        }
        if (batch == 0) {
          docs.append(
                  ",{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"all\"},\"spec\":{\"workloads\":")
              .append(
                  "{\"spiffeIds\":[\"spiffe://acme.test/*\"]},\"resources\":[\"res-0\",\"res-1\",\"res-2\"]}}");
        }
        post(base + "/v1/apply", admin, docs.append("]}").toString());
      }
      System.out.printf(
          "10,000 workloads, 50 resources applied in %.1f s%n", (System.nanoTime() - t) / 1e9);
      try (Connection c = DriverManager.getConnection(pg + db, "postgres", "");
          Statement s = c.createStatement()) {
        t = System.nanoTime();
        s.execute(
            "INSERT INTO inventory_items (id, source, kind, name, owner, team, environment, location, fingerprint,"
                + " created_at, expires_at, rotated_at, last_used_at, attributes, first_imported, last_imported)"
                + " SELECT md5('item' || i), 'bench', (ARRAY['env-var','ci-secret','k8s-secret','k8s-service-account'])[1 + i % 4],"
                + " 'SECRET_' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'owner' || (i % 5000) || '@acme.test' END,"
                + " 'team' || (i % 200), (ARRAY['prod','staging','dev'])[1 + i % 3], 'repo-' || (i % 3000),"
                + " md5('fp' || (i % 900000)) || md5('fq' || (i % 900000)), (extract(epoch from now()) * 1000000)::bigint - (i % 400) * 86400000000,"
                + " CASE WHEN i % 3 = 0 THEN NULL ELSE (extract(epoch from now()) * 1000000)::bigint + 86400000000 END,"
                + " NULL, NULL, '{}', (extract(epoch from now()) * 1000000)::bigint,"
                + " (extract(epoch from now()) * 1000000)::bigint FROM generate_series(1, "
                + items
                + ") AS i");
        System.out.printf(
            "%,d inventory items generated in %.1f s%n", items, (System.nanoTime() - t) / 1e9);
        t = System.nanoTime();
        s.execute(
            "INSERT INTO audit_events (seq, event_id, event_time, event_type, outcome, reason, actor, workload,"
                + " resource, details, lease_id, prev_hash, hash) SELECT 1000000 + i, md5('ev' || i),"
                + " (extract(epoch from now()) * 1000000)::bigint- (i::bigint % 7776000) * 1000000, 'token.issued', 'allow',"
                + " 'allowed', 'spiffe://acme.test/svc-' || (i % 10000), 'spiffe://acme.test/svc-' || (i % 10000),"
                + " 'res-' || (i % 3), '{\"sourceAddress\":\"10.0.' || (i % 250) || '.1\"}', NULL,"
                + " decode(md5('p' || i), 'hex'), decode(md5('h' || i), 'hex') FROM generate_series(1, "
                + events
                + ") AS i");
        s.execute("UPDATE audit_head SET last_seq = (SELECT MAX(seq) FROM audit_events)");
        s.execute("ANALYZE");
        System.out.printf(
            "%,d audit events generated in %.1f s%n", events, (System.nanoTime() - t) / 1e9);
      }
      // full recompute: the posture index reads everything and judges every item (what start-up
      // does)
      for (int i = 0; i < 2; i++) {
        t = System.nanoTime();
        String r = post(base + "/v1/posture:rebuild", admin, "{}");
        System.out.printf(
            "full recompute (rebuild %d): %d ms wall, server says %s%n",
            i + 1, (System.nanoTime() - t) / 1_000_000, r);
      }
      System.gc();
      Runtime rt = Runtime.getRuntime();
      System.out.printf(
          "heap in use after rebuild and GC: %d MB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
      t = System.nanoTime();
      String crit = get(base + "/v1/posture?severity=critical", admin);
      System.out.printf(
          "GET /v1/posture?severity=critical: %d ms (%d bytes)%n",
          (System.nanoTime() - t) / 1_000_000, crit.length());
      String[][] queries = {
        {"owner", "/v1/inventory?limit=100&owner=owner%d@acme.test"},
        {"team", "/v1/inventory?limit=100&team=team%d"},
        {"kind+environment", "/v1/inventory?limit=100&kind=ci-secret&environment=%s"},
        {"team+credentialType", "/v1/inventory?limit=100&credentialType=static&team=team%d"},
        {"team (no such team)", "/v1/inventory?limit=100&team=none%d"},
        {"posture rule NHI9", "/v1/posture?rule=NHI9&limit=100&offset=%d"},
        {"posture severity high", "/v1/posture?severity=high&limit=100&offset=%d"}
      };
      for (String[] q : queries) {
        long[] ms = new long[100];
        for (int i = 0; i < ms.length; i++) {
          Object arg =
              q[1].contains("%s")
                  ? new String[] {"prod", "staging", "dev"}[i % 3]
                  : (Object) (i * 37);
          t = System.nanoTime();
          get(base + String.format(q[1], arg), admin);
          ms[i] = (System.nanoTime() - t) / 100_000;
        }
        Arrays.sort(ms);
        System.out.printf(
            "filtered query %-27s p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            q[0], ms[50] / 10.0, ms[98] / 10.0, ms[99] / 10.0);
      }
      // incremental: one change, then the next read (which catches up with it first)
      changeThenRead(
          "workload owner changed, next posture read",
          base + "/v1/posture?severity=critical&limit=10",
          admin,
          i ->
              post(
                  base + "/v1/apply",
                  admin,
                  "{\"documents\":[{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":"
                      + "\"spiffe://acme.test/svc-1\",\"selectors\":[\"k8s:sa=svc-1\"],\"owner\":\"new"
                      + i
                      + "@acme.test\"}}]}"));
      // a row that shares a fingerprint with generated items: its group is re-judged too
      changeThenRead(
          "one item imported, next posture read",
          base + "/v1/posture?rule=NHI9&limit=10",
          admin,
          i ->
              post(
                  base + "/v1/inventory:import",
                  admin,
                  "{\"format\":\"csv\",\"source\":\"bench\",\"content\":"
                      + "\"name,kind,owner,environment,fingerprint\\nNEW_SECRET_"
                      + i
                      + ",env-var,owner"
                      + i
                      + "@acme.test,prod,"
                      + md5hex("fp" + i)
                      + md5hex("fq" + i)
                      + "\\n\"}"));
      // catch-up throughput: a burst of issuance events written behind the index's back
      try (Connection c = DriverManager.getConnection(pg + db, "postgres", "");
          Statement s = c.createStatement()) {
        int burst = Math.min(500_000, Math.max(10_000, events / 20));
        s.execute(
            "INSERT INTO audit_events (seq, event_id, event_time, event_type, outcome, reason, actor, workload,"
                + " resource, details, lease_id, prev_hash, hash) SELECT h.m + i, md5('burst' || i),"
                + " (extract(epoch from now()) * 1000000)::bigint, 'token.issued', 'allow', 'allowed',"
                + " 'spiffe://acme.test/svc-' || (i % 10000), 'spiffe://acme.test/svc-' || (i % 10000), 'res-' || (i % 3),"
                + " '{\"sourceAddress\":\"10.1.' || (i % 250) || '.1\"}', NULL, decode(md5('p' || i), 'hex'),"
                + " decode(md5('h' || i), 'hex') FROM generate_series(1, "
                + burst
                + ") AS i,"
                + " (SELECT MAX(seq) AS m FROM audit_events) AS h");
        t = System.nanoTime();
        get(base + "/v1/posture?limit=1", admin);
        System.out.printf(
            "%,d new token.issued events, then the next read: %d ms (the server logs the catch-up)%n",
            burst, (System.nanoTime() - t) / 1_000_000);
      }
    } finally {
      server.close();
      try (Connection c = DriverManager.getConnection(pg + "postgres", "postgres", "")) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }

  private static String get(String url, String token) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token)
                    .timeout(java.time.Duration.ofMinutes(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** A change that returns once it is durable. */
  private interface Change {
    void make(int i) throws Exception;
  }

  /** Times the read that follows each of 20 changes (the read catches up with the change first). */
  private static void changeThenRead(String label, String readUrl, String admin, Change change)
      throws Exception {
    long[] ms = new long[20];
    for (int i = 0; i < ms.length; i++) {
      change.make(i);
      long t = System.nanoTime();
      get(readUrl, admin);
      ms[i] = (System.nanoTime() - t) / 100_000;
    }
    Arrays.sort(ms);
    System.out.printf(
        "%s: p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
        label, ms[10] / 10.0, ms[18] / 10.0, ms[19] / 10.0);
  }

  private static String md5hex(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("MD5")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static String post(String url, String token, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(java.time.Duration.ofMinutes(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /**
   * The start of an apply body with the 1,000 workloads of {@code batch} (svc-N, with owners, teams
   * and environments spread over them); the caller appends to it and closes it.
   */
  public static StringBuilder workloadDocuments(int batch) {
    StringBuilder docs = new StringBuilder("{\"documents\":[");
    for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
      docs.append(i % 1000 == 0 ? "" : ",")
          .append("{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":")
          .append("\"spiffe://acme.test/svc-")
          .append(i)
          .append("\",\"selectors\":[\"k8s:sa=svc-")
          .append(i)
          .append("\"],\"owner\":\"owner")
          .append(i % 5000)
          .append("@acme.test\",\"team\":\"team")
          .append(i % 200)
          .append("\",\"environment\":\"")
          .append(i % 3 == 0 ? "prod" : "dev")
          .append("\"}}");
    }
    return docs;
  }
}
