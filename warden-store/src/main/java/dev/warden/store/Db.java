package dev.warden.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.warden.core.error.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The connection pool plus the three ways the stores use it: reads ({@link #run}), auto-committed
 * writes ({@link #write}) and transactions ({@link #inTransaction}). A write or transaction returns
 * only once its changes are durable (see {@link Dialect#syncAfterCommit}). Every {@link
 * SQLException} leaves as a {@link StoreException} naming what was being done; Warden's own
 * exceptions (a conflict decided inside a transaction) pass through after the rollback.
 */
final class Db {
  /** SQLSTATE of a unique or primary-key violation, the same on H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  @FunctionalInterface
  interface Work<R extends @Nullable Object> {
    R run(Connection c) throws SQLException;
  }

  private final HikariDataSource pool;
  private final String where;
  private final @Nullable String syncAfterCommit;
  private final Dialect dialect;

  Db(HikariDataSource pool, String redactedUrl, Dialect dialect) {
    this.pool = pool;
    this.where = redactedUrl;
    this.syncAfterCommit = dialect.syncAfterCommit();
    this.dialect = dialect;
  }

  HikariDataSource pool() {
    return pool;
  }

  Dialect dialect() {
    return dialect;
  }

  /**
   * The condition "{@code column} equals {@code value}" for a column that holds outside input of
   * any length, with its arguments added to {@code args}. PostgreSQL indexes only {@code
   * left(column, 200)} (a B-tree entry may not exceed about 2,700 bytes): for a value shorter than
   * 200 characters {@code left(column, 200) = value} alone is exact and uses the index; a longer
   * value also compares the whole column. (Both terms for every value made the planner multiply
   * their selectivities as if independent, expect a handful of rows, and sort thousands: 0.5 s for
   * an actor deep in ten million events.) H2 indexes whole columns.
   */
  String equalsLong(String column, String value, java.util.List<Object> args) {
    if (dialect == Dialect.H2) {
      args.add(value);
      return column + " = ?";
    }
    if (value.codePointCount(0, value.length()) < 200) {
      args.add(value);
      return "left(" + column + ", 200) = ?";
    }
    args.add(value);
    args.add(value);
    return "left(" + column + ", 200) = left(?, 200) AND " + column + " = ?";
  }

  /** Runs {@code work}, which only reads, on a connection in auto-commit mode. */
  <R extends @Nullable Object> R run(String what, Work<R> work) {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Runs {@code work}, auto-committed statements that write, and returns once they are durable. */
  <R extends @Nullable Object> R write(String what, Work<R> work) {
    try (Connection c = pool.getConnection()) {
      R result = work.run(c);
      sync(c);
      return result;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Runs {@code work} in one transaction: commits if it returns, rolls back if it throws. */
  <R extends @Nullable Object> R inTransaction(String what, Work<R> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        R result = work.run(c);
        c.commit();
        sync(c);
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      } finally {
        // a broken connection fails here too; the pool then evicts it
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Runs {@code work}, which only reads, in one repeatable-read transaction: every statement sees
   * the same committed state.
   */
  <R extends @Nullable Object> R snapshot(String what, Work<R> work) {
    try (Connection c = pool.getConnection()) {
      int isolation = c.getTransactionIsolation();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return work.run(c);
      } finally {
        c.rollback();
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Makes everything committed so far durable; a no-op where a commit already is. */
  void sync(Connection c) throws SQLException {
    if (syncAfterCommit != null) {
      try (java.sql.Statement s = c.createStatement()) {
        s.execute(syncAfterCommit);
      }
    }
  }

  StoreException failure(String what, SQLException e) {
    if (dialect.closedItself(e)) {
      // H2 closes a database whose file it could not write (disk full): every pooled connection is
      // dead from then on. Evicted, they are replaced by connections that open the file again,
      // which
      // works once there is space, so the store recovers without a restart.
      pool.getHikariPoolMXBean().softEvictConnections();
    }
    String io = ioCause(e);
    return new StoreException(
        "could not "
            + what
            + " (database "
            + where
            + ", SQLSTATE "
            + e.getSQLState()
            + (io == null ? "" : ", " + io)
            + ")",
        e);
  }

  /**
   * The message of an I/O error under {@code e} ("No space left on device"): what an operator must
   * fix. I/O messages name files, never row values, so they may be shown.
   */
  static @Nullable String ioCause(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof java.io.IOException io && io.getMessage() != null) {
        return io.getMessage();
      }
      // an UncheckedIOException always has its IOException cause (its constructors require one)
      if (t instanceof java.io.UncheckedIOException u
          && u.getCause() instanceof java.io.IOException io
          && io.getMessage() != null) {
        return u.getCause().getMessage();
      }
    }
    return null;
  }

  static boolean isUniqueViolation(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        for (SQLException n = s; n != null; n = n.getNextException()) {
          if (UNIQUE_VIOLATION.equals(n.getSQLState())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  static void setMicros(PreparedStatement ps, int i, @Nullable Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, Micros.of(t));
    }
  }

  static @Nullable Instant getMicros(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : Micros.toInstant(v);
  }

  static void setText(PreparedStatement ps, int i, @Nullable String s) throws SQLException {
    if (s == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, s);
    }
  }
}
