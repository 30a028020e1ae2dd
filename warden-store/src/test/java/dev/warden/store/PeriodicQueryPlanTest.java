package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queries that run every few seconds on a busy server must cost what they return, not what the
 * tables hold. Found in a soak on PostgreSQL: the posture index's catch-up read "seq > ?" with no
 * bound, whose generic plan (the driver prepares a statement on the server after five runs)
 * hash-joined sequential scans of the audit log and the leases — 1 s a call at 500,000 events; and
 * the reaper's expiry query and its metrics count read every one of Warden's own expired token
 * leases to find the few database users among them.
 *
 * <p>Each query is planned generically, as the server-side prepared statement is, and executed on a
 * table of 40,000 expired token leases and their audit events next to 20 database users.
 */
class PeriodicQueryPlanTest {
  private static final int TOKENS = 40_000;
  private static final long NOW = 2_000_000_000_000_000L;
  private static PostgresTestDatabase database;
  private static Connection c;

  @BeforeAll
  static void fill() throws SQLException {
    database = new PostgresTestDatabase();
    // runs the migrations
    JdbcStore.open(database.config()).close();
    c =
        DriverManager.getConnection(
            database.config().url(), database.config().user(), database.config().password());
    try (Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO leases (id, kind, workload, resource, issued_at, expires_at, fingerprint)"
              + " SELECT 'tok-' || i, 'access_token', 'spiffe://t/w', 'ledger', "
              + (NOW - 600_000_000L)
              + " + i, "
              + (NOW - 300_000_000L)
              + " + i, 'fp-' || i FROM generate_series(1, "
              + TOKENS
              + ") i");
      s.execute(
          "INSERT INTO leases (id, kind, workload, resource, issued_at, expires_at, fingerprint,"
              + " state, target) SELECT 'db-' || i, 'database_user', 'spiffe://t/w', 'ledger-db', "
              + (NOW - 600_000_000L)
              + ", "
              + (NOW - 1_000L)
              + " + i, 'dfp-' || i, 'active', '{}' FROM generate_series(1, 20) i");
      s.execute(
          "INSERT INTO audit_events (seq, event_id, event_time, event_type, outcome, reason, actor,"
              + " workload, resource, details, lease_id, prev_hash, hash)"
              + " SELECT i, 'ev-' || i, "
              + (NOW - 600_000_000L)
              + " + i, 'token.issued', 'success', '', '', 'spiffe://t/w', 'ledger', '{}', 'tok-' || i,"
              + " '\\x00'::bytea, '\\x01'::bytea FROM generate_series(1, "
              + TOKENS
              + ") i");
      s.execute("ANALYZE leases");
      s.execute("ANALYZE audit_events");
      s.execute("SET plan_cache_mode = force_generic_plan");
    }
  }

  @AfterAll
  static void drop() throws SQLException {
    if (c != null) {
      c.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void postureCatchUpAtTheHeadOfTheLogReadsOnlyTheNewEvents() throws SQLException {
    List<String> plan =
        explain(
            JdbcInventoryStore.CHANGES, "q_changes", TOKENS - 5L, TOKENS - 5L + 20_000L, 20_000);

    assertThat(plan).noneMatch(l -> l.contains("Seq Scan"));
    assertThat(rowsRemoved(plan)).isZero();
  }

  @Test
  void reaperExpiryQueryReadsOnlyTargetLeases() throws SQLException {
    List<String> plan = explain(JdbcTargetLeaseStore.EXPIRED, "q_expired", NOW, 200);

    assertThat(plan).noneMatch(l -> l.contains("Seq Scan"));
    assertThat(rowsRemoved(plan)).isLessThan(100);
    assertThat(returned(plan)).isEqualTo(20);
  }

  @Test
  void reaperCountByStateReadsOnlyTargetLeases() throws SQLException {
    List<String> plan = explain(JdbcTargetLeaseStore.COUNT_BY_STATE, "q_count");

    assertThat(plan).noneMatch(l -> l.contains("Seq Scan"));
    assertThat(rowsRemoved(plan)).isLessThan(100);
  }

  @Test
  void orphanSweepTargetListReadsOnlyTargetLeases() throws SQLException {
    List<String> plan = explain(JdbcTargetLeaseStore.OPEN_TARGETS, "q_open");

    assertThat(plan).noneMatch(l -> l.contains("Seq Scan"));
    assertThat(rowsRemoved(plan)).isLessThan(100);
  }

  /** EXPLAIN ANALYZE of the statement prepared on the server and planned generically. */
  private static List<String> explain(String sql, String name, Object... args) throws SQLException {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        numbered.append('$').append(++n);
      } else {
        numbered.append(ch);
      }
    }
    assertThat(n).isEqualTo(args.length);
    List<String> plan = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      s.execute("PREPARE " + name + " AS " + numbered);
      StringBuilder exec = new StringBuilder("EXPLAIN (ANALYZE, COSTS OFF) EXECUTE " + name);
      if (args.length > 0) {
        exec.append('(');
        for (int i = 0; i < args.length; i++) {
          exec.append(i == 0 ? "" : ", ").append(args[i]);
        }
        exec.append(')');
      }
      try (PreparedStatement ps = c.prepareStatement(exec.toString());
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.add(rs.getString(1));
        }
      }
      s.execute("DEALLOCATE " + name);
    }
    return plan;
  }

  private static final Pattern REMOVED = Pattern.compile("Rows Removed by Filter: (\\d+)");
  private static final Pattern ROWS = Pattern.compile("actual time=\\S+ rows=(\\d+)");

  private static long rowsRemoved(List<String> plan) {
    long sum = 0;
    for (String l : plan) {
      Matcher m = REMOVED.matcher(l);
      if (m.find()) {
        sum += Long.parseLong(m.group(1));
      }
    }
    return sum;
  }

  private static long returned(List<String> plan) {
    Matcher m = ROWS.matcher(plan.getFirst());
    assertThat(m.find()).as("rows of the top node in %s", plan).isTrue();
    return Long.parseLong(m.group(1));
  }
}
