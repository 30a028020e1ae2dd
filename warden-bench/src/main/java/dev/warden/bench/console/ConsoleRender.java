package dev.warden.bench.console;

import dev.warden.bench.BenchSupport;
import dev.warden.bench.inventory.InventoryScale;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The web console's server time at scale (issue 15: every page in 100 ms or less at 1M inventory
 * items and 10M audit events). Fills a PostgreSQL database the fastest way there is: workloads,
 * resources and policies through the API of a first server; then, with that server stopped, the
 * inventory items by an SQL generator and the audit events (with the leases of their issuances) by
 * {@code COPY}, with the secondary indexes dropped meanwhile and rebuilt after. Every event is
 * hash-linked to the one before exactly as the store does it, so the chain watch verifies the whole
 * history and the integrity badges are real. A second server then starts on the filled database,
 * the bench waits until the posture index is built and the chain watch has verified event 1 to the
 * end, signs in to the console and reads each page {@code requests} times, reporting the server
 * time each response carries in its {@code Server-Timing} header (and the client's wall time).
 *
 * <pre>
 * java -Xmx6g -cp warden-bench/target/warden-bench.jar dev.warden.bench.console.ConsoleRender \
 *     [items=1000000] [events=10000000] [requests=20] [db=NAME] [pg=jdbc:postgresql://127.0.0.1:5432/]
 *     [pages=all|proof] [server.key=value ...]
 * </pre>
 *
 * <p>{@code proofAt=60,150,240} (with {@code pages=proof}) reads the exports again at those seconds
 * after the start instead of once the first pass is done, and stops there: the first pass's whole
 * length, not only its first seconds, when the posture index's first read still runs beside it.
 *
 * <p>An argument whose name has a dot is a configuration flag of the measured server (not of the
 * one that fills), e.g. {@code audit.chainWatch.firstPassPercent=100} to compare the chain watch's
 * first pass at full speed with its default pace on the same code.
 *
 * <p>With {@code pages=proof} only the audit proof export is read (100 and 1,000 events at two
 * sequence ranges): first right after the server starts, while the chain watch's first pass reads
 * the whole history beside it, then again once that pass is done. Each export names how far the
 * server had verified ({@code verifiedThroughOnServer}), printed for the first and last request of
 * each row, so the table says whether the pass was running.
 *
 * <p>With {@code db=NAME} the database is kept, and a later run with the same name measures it
 * again without filling it (a new server version migrates it first); without, a fresh database is
 * dropped at the end. Never run by the tests: filling 10M events takes minutes.
 *
 * <p>Why it is over 400 lines: a benchmark driver, read once from top to bottom; filling ten
 * million hash-linked events by COPY, starting the server and reading each page are steps of one
 * run that share its database and figures, and nothing else calls them.
 */
public final class ConsoleRender {
  private static final String[] DENY_REASONS = {
    "no_matching_policy",
    "no_matching_policy",
    "unknown_workload",
    "token_expired",
    "bad_signature",
    "condition_false"
  };
  private static final String[] ADMINS = {
    "admin:0a1b2c3d4e5f6071", "admin:1b2c3d4e5f607182", "admin:2c3d4e5f60718293"
  };

  /**
   * One event in this many has the rare reason and actor: a filter on them must find it without a
   * full scan.
   */
  private static final int RARE_EVERY = 1_000_000;

  static final String RARE_REASON = "workload_suspended";
  static final String RARE_ACTOR = "admin:ffeeddccbbaa9988";
  private static final int WORKLOADS = 10_000;

  private ConsoleRender() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a =
        new LinkedHashMap<>(
            Map.of(
                "items",
                "1000000",
                "events",
                "10000000",
                "requests",
                "20",
                "pages",
                "all",
                "pg",
                "jdbc:postgresql://127.0.0.1:5432/"));
    a.put("proofAt", "");
    Map<String, String> serverFlags = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq > 0 && arg.substring(0, eq).contains(".")) {
        serverFlags.put(arg.substring(0, eq), arg.substring(eq + 1));
        continue;
      }
      if (eq < 1 || !a.containsKey(arg.substring(0, eq)) && !arg.startsWith("db=")) {
        throw new IllegalArgumentException(
            "arguments are items=N events=N requests=N db=NAME pg=JDBC_URL pages=all|proof"
                + " server.key=value; got "
                + arg);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int items = Integer.parseInt(a.get("items"));
    int events = Integer.parseInt(a.get("events"));
    int requests = Integer.parseInt(a.get("requests"));
    String pg = a.get("pg");
    boolean proofOnly =
        switch (a.get("pages")) {
          case "all" -> false;
          case "proof" -> true;
          default -> throw new IllegalArgumentException("pages must be all or proof");
        };
    boolean keep = a.containsKey("db");
    String db = keep ? a.get("db") : "warden_console_" + ProcessHandle.current().pid();
    if (!db.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("db must be a plain lower-case name");
    }
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "warden-console-bench-" + db);
    boolean exists;
    try (Connection c = DriverManager.getConnection(pg + "postgres", "postgres", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
      exists = rs.next();
      if (!exists) {
        c.createStatement().execute("CREATE DATABASE " + db);
      }
    }
    try {
      if (!exists) {
        Files.createDirectories(dataDir);
        fill(pg, db, dataDir, items, events);
      } else {
        System.out.println("measuring the existing database " + db + " (not filled again)");
      }
      List<Integer> proofAt =
          a.get("proofAt").isBlank()
              ? List.of()
              : Arrays.stream(a.get("proofAt").split(",")).map(Integer::parseInt).toList();
      measure(pg, db, dataDir, requests, proofOnly, proofAt, serverFlags);
    } finally {
      if (!keep) {
        try (Connection c = DriverManager.getConnection(pg + "postgres", "postgres", "")) {
          c.createStatement().execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
      }
    }
  }

  private static Map<String, String> flags(String pg, String db, Path dataDir, int port) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dataDir.toString());
    flags.put("db.url", pg + db);
    flags.put("db.user", "postgres");
    flags.put("server.trustDomain", "acme.test");
    return flags;
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Configuration through a first server's API, then the bulk rows with that server stopped. */
  private static void fill(String pg, String db, Path dataDir, int items, int events)
      throws Exception {
    int port = freePort();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags(pg, db, dataDir, port)),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      String admin = BenchSupport.bootstrapToken(out);
      Files.writeString(dataDir.resolve("admin.token"), admin);
      String base = "http://127.0.0.1:" + port;
      long t = System.nanoTime();
      for (int batch = 0; batch < WORKLOADS / 1000; batch++) {
        StringBuilder docs = InventoryScale.workloadDocuments(batch);
        if (batch == 0) {
          for (int r = 0; r < 50; r++) {
            docs.append(",{\"kind\":\"Resource\",\"metadata\":{\"name\":\"res-")
                .append(r)
                .append("\"},\"spec\":{\"audience\":\"https://res-")
                .append(r)
                .append(".acme.test\"}}");
          }
          docs.append(
                  ",{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"all\"},\"spec\":{\"workloads\":")
              .append(
                  "{\"spiffeIds\":[\"spiffe://acme.test/*\"]},\"resources\":[\"res-0\",\"res-1\",\"res-2\"]}}");
          for (int p = 0; p < 20; p++) {
            docs.append(",{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"team-")
                .append(p)
                .append("\"},\"spec\":")
                .append("{\"workloads\":{\"selectors\":[\"k8s:sa=svc-")
                .append(p)
                .append("\"]},\"resources\":[\"res-")
                .append(3 + p)
                .append("\"],\"condition\":\"request.time.getHours() >= 6\"}}");
          }
        }
        Http.post(base + "/v1/apply", admin, docs.append("]}").toString());
      }
      System.out.printf(
          "%,d workloads, 50 resources, 21 policies applied in %.1f s%n",
          WORKLOADS, (System.nanoTime() - t) / 1e9);
    } finally {
      server.close();
    }
    try (Connection c = DriverManager.getConnection(pg + db, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("SET maintenance_work_mem = '1GB'");
      long t = System.nanoTime();
      s.execute(
          "INSERT INTO inventory_items (id, source, kind, name, owner, team, environment, location, fingerprint,"
              + " created_at, expires_at, rotated_at, last_used_at, attributes, first_imported, last_imported)"
              + " SELECT md5('item' || i), 'bench', (ARRAY['env-var','ci-secret','k8s-secret','k8s-service-account'])[1 + i % 4],"
              + " 'SECRET_' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'owner' || (i % 5000) || '@acme.test' END,"
              + " 'team' || (i % 200), (ARRAY['prod','staging','dev'])[1 + i % 3], 'repo-' || (i % 3000),"
              + " md5('fp' || (i % 900000)) || md5('fq' || (i % 900000)),"
              + " (extract(epoch from now()) * 1000000)::bigint - (i % 400) * 86400000000,"
              + " CASE WHEN i % 3 = 0 THEN NULL ELSE (extract(epoch from now()) * 1000000)::bigint + 86400000000 END,"
              + " NULL, NULL, '{}', (extract(epoch from now()) * 1000000)::bigint,"
              + " (extract(epoch from now()) * 1000000)::bigint FROM generate_series(1, "
              + items
              + ") AS i");
      System.out.printf(
          "%,d inventory items generated in %.1f s%n", items, (System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      // the fastest bulk path: no secondary index maintained row by row; rebuilt once afterwards
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN"
                  + " ('audit_events', 'leases') AND indexname NOT IN (SELECT conname FROM pg_constraint)")) {
        while (rs.next()) {
          indexes.add(rs.getString(2));
          s.getConnection().createStatement().execute("DROP INDEX " + rs.getString(1));
        }
      }
      long seeded = copyEvents(c, events);
      System.out.printf(
          "%,d audit events (hash-linked) and %,d leases copied in %.1f s%n",
          events, seeded, (System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      for (String def : indexes) {
        s.execute(def);
      }
      s.execute("ANALYZE");
      System.out.printf(
          "%d indexes rebuilt and ANALYZE in %.1f s%n",
          indexes.size(), (System.nanoTime() - t) / 1e9);
    }
  }

  /**
   * Appends {@code n} events after the current chain head, as the audit store would: the same
   * canonical form and hash, times in microseconds, lease times in milliseconds. 80 % are issuances
   * (each with its lease), 12 % denials, 6 % revocations, 2 % admin changes, spread over the last
   * 90 days; one in {@link #RARE_EVERY} carries a rare reason and actor.
   *
   * @return how many leases were written
   */
  private static long copyEvents(Connection c, int n) throws Exception {
    long lastSeq;
    byte[] prev;
    try (ResultSet rs =
        c.createStatement()
            .executeQuery("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")) {
      rs.next();
      lastSeq = rs.getLong(1);
      prev = rs.getBytes(2) == null ? AuditChain.GENESIS : rs.getBytes(2);
    }
    Connection leaseConnection =
        DriverManager.getConnection(c.getMetaData().getURL(), "postgres", "");
    CopyIn ev =
        c.unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn(
                "COPY audit_events (seq, event_id, event_time,"
                    + " event_type, outcome, reason, actor, workload, resource, details, lease_id, prev_hash, hash, chain_root,"
                    + " chain_txn, lease_kind, lease_workload, lease_resource, lease_issued_at, lease_expires_at,"
                    + " lease_fingerprint) FROM STDIN WITH (FORMAT csv)");
    CopyIn ls =
        leaseConnection
            .unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn(
                "COPY leases (id, kind, workload,"
                    + " resource, issued_at, expires_at, revoked_at, revoke_reason, fingerprint, state, target, removal_attempts,"
                    + " removal_due, removal_error, removed_at) FROM STDIN WITH (FORMAT csv)");
    Instant end = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofMinutes(1));
    long spanMicros = Duration.ofDays(90).toNanos() / 1000;
    long startMicros = end.getEpochSecond() * 1_000_000L - spanMicros;
    HexFormat hex = HexFormat.of();
    StringBuilder evBuf = new StringBuilder(1 << 20);
    StringBuilder lsBuf = new StringBuilder(1 << 20);
    long leases = 0;
    long t = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long seq = lastSeq + 1 + i;
      // times in whole milliseconds, so that a lease's issue time (kept in ms) equals its event's
      long micros = (startMicros + spanMicros / n * i) / 1000 * 1000;
      Instant time = Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000);
      int w = (int) (seq * 7919 % WORKLOADS);
      String workload = "spiffe://acme.test/svc-" + w;
      String resource = "res-" + (seq % 3);
      String id = uuid(seq);
      int kind = (int) (seq % 100);
      Map<String, String> d = new LinkedHashMap<>();
      Lease lease = null;
      String type;
      String outcome;
      String reason;
      String actor;
      String wl = workload;
      String res = resource;
      if (kind < 80) {
        type = "token.issued";
        outcome = "allow";
        reason = "allowed";
        actor = workload;
        // a handful of database users that could not be removed: the credentials page's irrevocable
        // view
        boolean dbUser = seq % 997_331 == 0;
        String fp = String.format("%016x", seq * 0xC2B2AE3D27D4EB4FL).repeat(4);
        lease =
            new Lease(
                id,
                dbUser ? CredentialKind.DATABASE_USER : CredentialKind.ACCESS_TOKEN,
                workload,
                resource,
                time,
                time.plus(Duration.ofMinutes(10)),
                null,
                null,
                fp);
        d.put("grantType", "client_credentials");
        d.put("sourceAddress", "10.0." + (w % 250) + "." + (1 + seq % 200));
        d.put("provider", "k8s");
        d.put("subject", "system:serviceaccount:apps:svc-" + w);
        d.put("policy", "all");
        d.put("jti", id);
        d.put("expiresAt", lease.expiresAt().toString());
        d.put("fingerprint", fp);
        d.put("credentialKind", lease.kind().wire());
        String state = dbUser ? "irrevocable" : seq % 100 == 1 ? "revoked" : "active";
        csv(
            lsBuf,
            id,
            lease.kind().wire(),
            workload,
            resource,
            Long.toString(micros),
            Long.toString(micros + 600_000_000L),
            state.equals("revoked") ? Long.toString(micros + 60_000_000L) : null,
            state.equals("revoked") ? "revoked" : null,
            fp,
            state,
            dbUser ? "{}" : null,
            dbUser ? "8" : "0",
            dbUser ? Long.toString(micros + 3_600_000_000L * 24 * 365) : null,
            dbUser ? "connection refused" : null,
            null);
        leases++;
      } else if (kind < 92) {
        type = "token.denied";
        outcome = "deny";
        reason = DENY_REASONS[(int) (seq % DENY_REASONS.length)];
        actor =
            reason.equals("bad_signature") || reason.equals("token_expired")
                ? "unauthenticated"
                : workload;
        wl = actor.equals("unauthenticated") ? null : workload;
        d.put("grantType", "client_credentials");
        d.put("sourceAddress", "10.0." + (w % 250) + "." + (1 + seq % 200));
        d.put("message", "refused: " + reason);
      } else if (kind < 98) {
        type = "lease.revoked";
        outcome = "success";
        reason = seq % 2 == 0 ? "expired" : "revoked";
        actor = seq % 2 == 0 ? "system" : ADMINS[(int) (seq % ADMINS.length)];
        d.put("leaseId", uuid(seq - 18));
        d.put("credentialKind", "access_token");
      } else {
        type = "config.updated";
        outcome = "success";
        reason = "";
        actor = ADMINS[(int) (seq % ADMINS.length)];
        wl = null;
        res = null;
        d.put("kind", "Workload");
        d.put("name", workload);
        d.put("version", Long.toString(seq));
      }
      if (i % RARE_EVERY == RARE_EVERY / 2) {
        reason = RARE_REASON;
        actor = RARE_ACTOR;
      }
      AuditEvent e = new AuditEvent(id, time, type, outcome, reason, actor, wl, res, d, lease);
      byte[] hash = AuditChain.link(prev, seq, e);
      csv(
          evBuf,
          Long.toString(seq),
          id,
          Long.toString(micros),
          type,
          outcome,
          reason,
          actor,
          wl,
          res,
          json(e.details()),
          lease == null ? null : id,
          "\\x" + hex.formatHex(prev),
          "\\x" + hex.formatHex(hash),
          null,
          null,
          // the event's own copy of its lease, as the store writes it (V24)
          lease == null ? null : lease.kind().wire(),
          lease == null ? null : lease.workload(),
          lease == null ? null : lease.resource(),
          lease == null ? null : Long.toString(micros),
          lease == null ? null : Long.toString(micros + 600_000_000L),
          lease == null ? null : lease.fingerprint());
      prev = hash;
      if (evBuf.length() > (1 << 20)) {
        flush(ev, evBuf);
        flush(ls, lsBuf);
      }
      if ((i + 1) % 1_000_000 == 0) {
        System.out.printf(
            "  %,d events at %.0f events/s%n", i + 1, (i + 1) / ((System.nanoTime() - t) / 1e9));
      }
    }
    flush(ev, evBuf);
    flush(ls, lsBuf);
    ls.endCopy();
    ev.endCopy();
    leaseConnection.close();
    try (java.sql.PreparedStatement ps =
        c.prepareStatement("UPDATE audit_head SET last_seq = ?, last_hash = ?" + " WHERE id = 1")) {
      ps.setLong(1, lastSeq + n);
      ps.setBytes(2, prev);
      ps.executeUpdate();
    }
    return leases;
  }

  /** A UUID-shaped id that is the same in every run for the same position. */
  private static String uuid(long seq) {
    String h = String.format("%032x", seq * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-4"
        + h.substring(13, 16)
        + "-8"
        + h.substring(17, 20)
        + "-"
        + h.substring(20);
  }

  private static String json(Map<String, String> m) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      // the generated values need no JSON escaping
      b.append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
    }
    return b.append('}').toString();
  }

  /** One CSV line; null is an unquoted empty field (NULL to COPY), anything else quoted. */
  private static void csv(StringBuilder b, String... fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      if (fields[i] != null) {
        b.append('"').append(fields[i].replace("\"", "\"\"")).append('"');
      }
    }
    b.append('\n');
  }

  private static void flush(CopyIn copy, StringBuilder b) throws Exception {
    byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    b.setLength(0);
  }

  /**
   * Starts a server on the filled database, waits for its indexes, and times every console page.
   */
  private static void measure(
      String pg,
      String db,
      Path dataDir,
      int requests,
      boolean proofOnly,
      List<Integer> proofAt,
      Map<String, String> serverFlags)
      throws Exception {
    String admin = Files.readString(dataDir.resolve("admin.token")).trim();
    long maxSeq;
    String someLease;
    String deepLease;
    try (Connection c = DriverManager.getConnection(pg + db, "postgres", "");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT last_seq FROM audit_head")) {
        rs.next();
        maxSeq = rs.getLong(1);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM inventory_items")) {
        rs.next();
        System.out.printf(
            "database %s: %,d audit events, %,d inventory items%n", db, maxSeq, rs.getLong(1));
      }
      try (ResultSet rs =
          s.executeQuery("SELECT id FROM leases ORDER BY issued_at DESC, id DESC LIMIT 1")) {
        someLease = rs.next() ? rs.getString(1) : null;
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT lease_id FROM audit_events WHERE seq >= "
                  + maxSeq / 2
                  + " AND lease_id IS NOT NULL ORDER BY seq LIMIT 1")) {
        deepLease = rs.next() ? rs.getString(1) : someLease;
      }
    }
    int port = freePort();
    Map<String, String> flags = flags(pg, db, dataDir, port);
    flags.putAll(serverFlags);
    if (!serverFlags.isEmpty()) {
      System.out.println("measured server's flags: " + serverFlags);
    }
    long t = System.nanoTime();
    WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      String base = "http://127.0.0.1:" + port;
      System.out.printf("server started in %.1f s%n", (System.nanoTime() - t) / 1e9);
      Http.Console console = Http.Console.signIn(base, admin);
      if (proofOnly) {
        measureProof(console, maxSeq, requests, t, proofAt);
        return;
      }
      // pages measured while the first passes run: the console must not wait for them
      Http.Timed early = console.get("/console/");
      System.out.printf(
          "overview while the chain watch's first pass runs: server %.1f ms, wall %.1f ms%n",
          early.serverMs(), early.wallMs());
      Http.Timed earlyAudit = console.get("/console/audit");
      System.out.printf(
          "audit while the chain watch's first pass runs: server %.1f ms, wall %.1f ms%n",
          earlyAudit.serverMs(), earlyAudit.wallMs());
      Http.Timed earlyWorkloads = console.getAny("/console/workloads");
      System.out.printf(
          "workloads while the posture index is first built: HTTP %d, server %.1f ms%n",
          earlyWorkloads.status(), earlyWorkloads.serverMs());
      for (; ; ) {
        try {
          Http.get(base + "/v1/posture?limit=1", admin);
          break;
        } catch (IllegalStateException e) {
          Thread.sleep(1000);
        }
      }
      System.out.printf("posture index ready %.1f s after start%n", (System.nanoTime() - t) / 1e9);
      for (; ; ) {
        String body = console.get("/console/").body();
        if (body.contains("integrity ok\">Verified from event 1")) {
          break;
        }
        if (body.contains("Broken at event")) {
          throw new IllegalStateException(
              "the chain watch found the generated chain broken: "
                  + body.substring(
                      body.indexOf("Broken at event"),
                      Math.min(body.length(), body.indexOf("Broken at event") + 300)));
        }
        Thread.sleep(2000);
      }
      System.out.printf(
          "chain verified from event 1 to %,d, %.1f s after start%n",
          maxSeq, (System.nanoTime() - t) / 1e9);
      while (console.get("/console/").body().contains("estate-pending")) {
        Thread.sleep(500);
      }
      System.out.printf(
          "estate aggregates ready %.1f s after start%n", (System.nanoTime() - t) / 1e9);
      long deep = maxSeq / 10;
      String day =
          Instant.now()
              .minus(Duration.ofDays(45))
              .truncatedTo(ChronoUnit.DAYS)
              .toString()
              .substring(0, 10);
      String nextDay =
          Instant.now()
              .minus(Duration.ofDays(44))
              .truncatedTo(ChronoUnit.DAYS)
              .toString()
              .substring(0, 10);
      String[][] pages = {
        {"overview", "/console/"},
        {"workloads", "/console/workloads"},
        {"workloads by owner", "/console/workloads?owner=owner42@acme.test"},
        {"workloads search (substring)", "/console/workloads?q=svc-42"},
        {"workloads search (no match)", "/console/workloads?q=nothing-like-this"},
        {
          "workload (policies, graph, activity)",
          "/console/workload?id=" + q("spiffe://acme.test/svc-42")
        },
        {"retire plan", "/console/workload/retire?id=" + q("spiffe://acme.test/svc-42")},
        {"policies", "/console/policies"},
        {"policy with history", "/console/policy?name=all"},
        {"simulator", "/console/simulate"},
        {"credentials", "/console/credentials"},
        {"credentials, deep page", "/console/credentials?before=" + q(deepLease)},
        {
          "credentials by workload",
          "/console/credentials?workload=" + q("spiffe://acme.test/svc-42")
        },
        {"credentials active", "/console/credentials?state=active"},
        {"credentials irrevocable", "/console/credentials?state=irrevocable"},
        {"credentials kind database_user", "/console/credentials?kind=database_user"},
        {"credentials resource (none)", "/console/credentials?resource=res-7"},
        {"audit", "/console/audit"},
        {"audit, deep page (seq < " + deep + ")", "/console/audit?before=" + deep},
        {"audit by workload", "/console/audit?workload=" + q("spiffe://acme.test/svc-42")},
        {
          "audit by workload, deep",
          "/console/audit?workload=" + q("spiffe://acme.test/svc-42") + "&before=" + deep
        },
        {"audit outcome deny", "/console/audit?outcome=deny"},
        {"audit type lease.revoked", "/console/audit?type=lease.revoked"},
        {"audit type lease.revoked, deep", "/console/audit?type=lease.revoked&before=" + deep},
        {"audit type (rare)", "/console/audit?type=credential.forgotten"},
        {"audit reason (common)", "/console/audit?reason=unknown_workload"},
        {"audit reason (common), deep", "/console/audit?reason=unknown_workload&before=" + deep},
        {"audit reason (rare)", "/console/audit?reason=" + RARE_REASON},
        {"audit actor (admin)", "/console/audit?actor=" + q(ADMINS[0])},
        {"audit actor (admin), deep", "/console/audit?actor=" + q(ADMINS[0]) + "&before=" + deep},
        {"audit actor (rare)", "/console/audit?actor=" + q(RARE_ACTOR)},
        {"audit one day, 45 days ago", "/console/audit?from=" + day + "&to=" + nextDay},
        {
          "audit one day + outcome deny",
          "/console/audit?from=" + day + "&to=" + nextDay + "&outcome=deny"
        },
        {
          "audit one day + rare reason",
          "/console/audit?from=" + day + "&to=" + nextDay + "&reason=" + RARE_REASON
        },
        {"audit 30 days from 60 days ago", "/console/audit?from=" + day(60) + "&to=" + day(30)},
        {"audit event", "/console/audit/event?seq=" + deep},
        {
          "audit proof, one page (100 events)",
          "/console/audit/proof?from=" + deep + "&to=" + (deep + 99)
        },
        {
          "audit proof export, 1,000 events",
          "/console/audit/proof?from=" + deep + "&to=" + (deep + 999)
        },
        {"inventory", "/console/inventory"},
        {"inventory by owner", "/console/inventory?owner=owner42@acme.test"},
        {"posture", "/console/inventory?tab=posture"},
        {"posture NHI9, offset 5000", "/console/inventory?tab=posture&rule=NHI9&offset=5000"},
        {"maturity", "/console/inventory?tab=maturity"},
        {"kpi", "/console/inventory?tab=kpi"},
        {"recert", "/console/inventory?tab=recert"},
        {"leaks", "/console/inventory?tab=leaks"},
        {"settings", "/console/settings"},
      };
      System.out.printf(
          "%n%-44s %9s %9s %9s %9s  (%d requests each; ms)%n",
          "page", "srv p50", "srv p95", "srv max", "wall p50", requests);
      List<String> over = new ArrayList<>();
      for (String[] p : pages) {
        console.get(p[1]); // a first request warms this page's code
        double[] server1 = new double[requests];
        double[] wall = new double[requests];
        for (int i = 0; i < requests; i++) {
          Http.Timed r = console.get(p[1]);
          server1[i] = r.serverMs();
          wall[i] = r.wallMs();
        }
        Arrays.sort(server1);
        Arrays.sort(wall);
        double p95 = server1[Math.min(requests - 1, (int) Math.ceil(requests * 0.95) - 1)];
        System.out.printf(
            "%-44s %9.1f %9.1f %9.1f %9.1f%n",
            p[0], server1[requests / 2], p95, server1[requests - 1], wall[requests / 2]);
        if (p95 > 100) {
          over.add(p[0]);
        }
      }
      System.out.println(
          over.isEmpty()
              ? "every page: p95 server time within 100 ms"
              : "over 100 ms at p95: " + over);
    } finally {
      server.close();
    }
  }

  /** The proof exports only, while the chain watch's first pass runs and after it. */
  private static void measureProof(
      Http.Console console, long maxSeq, int requests, long t, List<Integer> proofAt)
      throws Exception {
    long deep = maxSeq / 10;
    long other = 7_000_123;
    String[][] pages = {
      {"100 events, seq " + deep + "…", "/console/audit/proof?from=" + deep + "&to=" + (deep + 99)},
      {
        "1,000 events, seq " + deep + "…",
        "/console/audit/proof?from=" + deep + "&to=" + (deep + 999)
      },
      {
        "100 events, seq " + other + "…",
        "/console/audit/proof?from=" + other + "&to=" + (other + 99)
      },
      {
        "1,000 events, seq " + other + "…",
        "/console/audit/proof?from=" + other + "&to=" + (other + 999)
      },
    };
    Pattern verified = Pattern.compile("\"verifiedThroughOnServer\":([0-9]+)");
    List<String> phases = new ArrayList<>(List.of("first pass running"));
    proofAt.forEach(s -> phases.add("at " + s + " s"));
    if (proofAt.isEmpty()) {
      phases.add("first pass done");
    }
    for (String phase : phases) {
      if (phase.startsWith("at ")) {
        long due = t + Long.parseLong(phase.split(" ")[1]) * 1_000_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000);
        }
      }
      if (phase.equals("first pass done")) {
        // asked of an export, not the overview: the overview would recompute the estate
        // aggregates (seconds of CPU) beside the reads measured next
        for (; ; ) {
          Matcher m = verified.matcher(console.get("/console/audit/proof?from=1&to=1").body());
          if (m.find() && Long.parseLong(m.group(1)) >= maxSeq) {
            break;
          }
          Thread.sleep(2000);
        }
        System.out.printf(
            "chain verified from event 1 to %,d, %.1f s after start%n",
            maxSeq, (System.nanoTime() - t) / 1e9);
      }
      System.out.printf(
          "%n%s (%.1f s after start)%n%-36s %9s %9s %9s %9s  verified through (first, last)%n",
          phase,
          (System.nanoTime() - t) / 1e9,
          "proof export",
          "srv p50",
          "srv p95",
          "srv max",
          "wall p50");
      for (String[] p : pages) {
        console.get(p[1]); // a first request warms this export's code
        double[] server1 = new double[requests];
        double[] wall = new double[requests];
        String first = "";
        String last = "";
        for (int i = 0; i < requests; i++) {
          Http.Timed r = console.get(p[1]);
          server1[i] = r.serverMs();
          wall[i] = r.wallMs();
          Matcher m = verified.matcher(r.body());
          String v = m.find() ? m.group(1) : "?";
          if (i == 0) {
            first = v;
          }
          last = v;
        }
        Arrays.sort(server1);
        Arrays.sort(wall);
        double p95 = server1[Math.min(requests - 1, (int) Math.ceil(requests * 0.95) - 1)];
        System.out.printf(
            "%-36s %9.1f %9.1f %9.1f %9.1f  %s, %s%n",
            p[0],
            server1[requests / 2],
            p95,
            server1[requests - 1],
            wall[requests / 2],
            first,
            last);
      }
    }
  }

  private static String day(int daysAgo) {
    return Instant.now()
        .minus(Duration.ofDays(daysAgo))
        .truncatedTo(ChronoUnit.DAYS)
        .toString()
        .substring(0, 10);
  }

  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  /**
   * HTTP as the bench needs it: the admin API with a bearer token, and the console with a session
   * cookie.
   */
  static final class Http {
    private static final HttpClient CLIENT =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    record Timed(int status, String body, double serverMs, double wallMs) {}

    static String get(String url, String token) throws Exception {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofMinutes(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
      }
      return r.body();
    }

    static String post(String url, String token, String body) throws Exception {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .timeout(Duration.ofMinutes(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
      }
      return r.body();
    }

    /** A signed-in console session. */
    record Console(String base, String cookie) {
      static Console signIn(String base, String adminToken) throws Exception {
        HttpResponse<String> form =
            CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + "/console/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        String loginCookie = cookie(form, "warden-login");
        Matcher m =
            Pattern.compile("name=\"_login\" value=\"([A-Za-z0-9_-]+)\"").matcher(form.body());
        if (!m.find()) {
          throw new IllegalStateException("no sign-in form");
        }
        HttpResponse<String> r =
            CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + "/console/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Cookie", "warden-login=" + loginCookie)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "_login=" + m.group(1) + "&token=" + q(adminToken)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        String session = cookie(r, "warden-session");
        if (r.statusCode() != 303 || session == null) {
          throw new IllegalStateException(
              "console sign-in failed: " + r.statusCode() + " " + r.body());
        }
        return new Console(base, "warden-session=" + session);
      }

      Timed get(String path) throws Exception {
        Timed r = getAny(path);
        if (r.status() != 200) {
          throw new IllegalStateException(path + " -> " + r.status() + " " + r.body());
        }
        return r;
      }

      Timed getAny(String path) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r =
            CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + path))
                    .header("Cookie", cookie)
                    .timeout(Duration.ofMinutes(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        double wall = (System.nanoTime() - t) / 1e6;
        String timing = r.headers().firstValue("server-timing").orElse("");
        Matcher m = Pattern.compile("dur=([0-9.]+)").matcher(timing);
        return new Timed(
            r.statusCode(), r.body(), m.find() ? Double.parseDouble(m.group(1)) : Double.NaN, wall);
      }

      private static String cookie(HttpResponse<?> r, String name) {
        for (String c : r.headers().allValues("set-cookie")) {
          if (c.startsWith(name + "=")) {
            return c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
          }
        }
        return null;
      }
    }
  }
}
