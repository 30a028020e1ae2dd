package dev.warden.server.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.BaseConnection;

/**
 * Roles on a PostgreSQL server as the admin sees them: look-ups in the catalog that {@link
 * PostgresUsers} decides on (which users carry the marker, own objects, may be signalled; what the
 * admin may grant), and the marker role, created once.
 */
final class PgRoles {
  private PgRoles() {}

  /** Creates the NOLOGIN marker role once; a concurrent creator's win is as good as ours. */
  static void ensureMarker(Connection c, String marker) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, marker);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          PostgresUsers.ident(new StringBuilder("CREATE ROLE "), marker)
              .append(" NOLOGIN")
              .toString());
    } catch (SQLException e) {
      // 42710 duplicate_object, 23505 unique_violation: another request created it meanwhile
      if (!"42710".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Whether {@code username} is a member of the marker role: a user Warden issued. */
  static boolean marked(Connection c, String username, String marker) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ? AND g.rolname = ?")) {
      ps.setString(1, username);
      ps.setString(2, marker);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * True when the user owns objects or holds privileges anywhere on the server (shared
   * dependencies).
   */
  static boolean ownsAnything(Connection c, String role) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_shdepend d JOIN pg_roles r"
                + " ON r.oid = d.refobjid WHERE d.refclassid = 'pg_authid'::regclass AND r.rolname = ?)")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** A superuser, or a member of pg_signal_backend, may end any non-superuser's sessions. */
  static boolean maySignalAnyBackend(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolsuper OR pg_has_role(current_user,"
                    + " 'pg_signal_backend', 'MEMBER') FROM pg_roles WHERE rolname = current_user")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** Whether the admin is a member of {@code role}, which lets it act on the role's sessions. */
  static boolean isMember(Connection c, String role) throws SQLException {
    return currentUserHas(c, role, "MEMBER");
  }

  /** Whether the admin may grant {@code role} (PostgreSQL 16 and later require ADMIN OPTION). */
  static boolean hasAdminOption(Connection c, String role) throws SQLException {
    return currentUserHas(c, role, "MEMBER WITH ADMIN OPTION");
  }

  /** Whether the admin holds {@code role} in {@code mode}, a {@code pg_has_role} privilege. */
  private static boolean currentUserHas(Connection c, String role, String mode)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(current_user, ?, ?)")) {
      ps.setString(1, role);
      ps.setString(2, mode);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** The server's {@code server_version_num}, e.g. 160002. */
  static int serverVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1).trim());
    }
  }

  /** Whether the session's string literals treat backslashes literally (quoting depends on it). */
  static boolean standardStrings(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getStandardConformingStrings();
  }
}
