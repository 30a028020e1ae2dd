package dev.warden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row per kind in {@code change_counters}, bumped in the same transaction as the change it
 * counts, so every node sees the counter move exactly when the change becomes visible. The row lock
 * also serializes writers of one kind, which is cheap: configuration changes are rare.
 */
final class ChangeCounters {
  static final String SIGNING_KEYS = "signing_keys";
  static final String CA_AUTHORITIES = "ca_authorities";

  /** Lease revocations (V23): what nodes cache of active leases is dropped when it moves. */
  static final String LEASES = "leases";

  /**
   * Brokered secrets whose current version changed, was deleted or destroyed, or which were deleted
   * (V23).
   */
  static final String BROKERED_SECRETS = "brokered_secrets";

  private ChangeCounters() {}

  static void bump(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE change_counters SET counter = counter + 1 WHERE name = ?")) {
      ps.setString(1, name);
      if (ps.executeUpdate() != 1) {
        throw new SQLException(
            "change counter '" + name + "' is missing; the schema is damaged", "55000");
      }
    }
  }

  /** Locks the counter row until the transaction ends and returns its value. */
  static long lock(Connection c, String name) throws SQLException {
    return select(c, name, "SELECT counter FROM change_counters WHERE name = ? FOR UPDATE");
  }

  /** Reads the counter on the caller's connection. */
  static long read(Connection c, String name) throws SQLException {
    return select(c, name, "SELECT counter FROM change_counters WHERE name = ?");
  }

  static long read(Db db, String name) {
    return db.run("read the change counter of " + name, c -> read(c, name));
  }

  private static long select(Connection c, String name, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException(
              "change counter '" + name + "' is missing; the schema is damaged", "55000");
        }
        return rs.getLong(1);
      }
    }
  }
}
