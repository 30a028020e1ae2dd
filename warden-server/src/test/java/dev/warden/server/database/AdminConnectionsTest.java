package dev.warden.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.crypto.Secret;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Kept admin connections, against the real PostgreSQL: reused while they work, never across a
 * password change, never with a transaction left open, and replaced when the server ended them.
 */
class AdminConnectionsTest {
  final AtomicInteger opened = new AtomicInteger();
  final AdminConnections pool =
      new AdminConnections(2, Duration.ofMinutes(1), Duration.ofMinutes(5));

  Connection borrow(String password) throws SQLException {
    return pool.borrow(
        PgTarget.SERVER + "postgres",
        "postgres",
        Secret.of(password),
        () -> {
          opened.incrementAndGet();
          try {
            return PgTarget.superuser("postgres");
          } catch (SQLException e) {
            org.junit.jupiter.api.Assumptions.abort(
                "PostgreSQL is not reachable: " + e.getMessage());
            throw e;
          }
        });
  }

  static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aReturnedConnectionIsReusedForTheSamePasswordAndNeverForAnother() throws Exception {
    int first;
    try (Connection c = borrow("p1")) {
      first = pid(c);
    }
    try (Connection c = borrow("p1")) {
      assertThat(pid(c)).isEqualTo(first);
    }
    try (Connection c = borrow("p2")) {
      assertThat(pid(c)).as("another password: another connection").isNotEqualTo(first);
    }
    assertThat(opened).hasValue(2);
    pool.closeAll();
  }

  @Test
  void aConnectionComesBackWithNoTransactionOpenAndOneTheServerEndedIsReplaced() throws Exception {
    int first;
    try (Connection c = borrow("p3")) {
      first = pid(c);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE kept_tx (x int)");
      }
    }
    try (Connection c = borrow("p3")) {
      assertThat(c.getAutoCommit()).isTrue();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT count(*) FROM pg_class WHERE relname = 'kept_tx'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the open transaction was rolled back").isZero();
      }
    }
    try (Connection killer =
            DriverManager.getConnection(PgTarget.SERVER + "postgres", "postgres", "");
        Statement s = killer.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + first + ")");
    }
    try (Connection c = borrow("p3")) {
      assertThat(pid(c)).as("ended by the server: a new one").isNotEqualTo(first);
    }
    assertThat(opened).hasValue(2);
    pool.closeAll();
  }
}
