package dev.warden.server.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Accounts on a MariaDB server as the admin sees them: the catalog look-ups {@link MariaDbUsers}
 * decides on (an account's hosts, the admin's global privileges, which roles it may grant), the
 * statements over several user@host accounts at once, and ending a user's sessions. Apart from the
 * engine for the same reason as {@link PgRoles}: they are the server's vocabulary, not the
 * lifecycle.
 */
final class MariaDbAccounts {
  private MariaDbAccounts() {}

  static void accountStatement(Connection c, String sql, List<String[]> accounts)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < accounts.size(); i++) {
        ps.setString(2 * i + 1, accounts.get(i)[0]);
        ps.setString(2 * i + 2, accounts.get(i)[1]);
      }
      ps.execute();
    }
  }

  static void killSessions(Connection c, String username) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    for (long id : ids) {
      try (Statement s = c.createStatement()) {
        s.execute("KILL CONNECTION " + id);
      } catch (SQLException e) {
        // 1094 unknown thread: it ended on its own meanwhile
        if (e.getErrorCode() != 1094) {
          throw e;
        }
      }
    }
  }

  /** The hosts of the accounts named {@code user} (not roles): MariaDB keys an account by both. */
  static List<String> hosts(Connection c, String user) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT Host FROM mysql.user WHERE User = ? AND is_role = 'N'")) {
      ps.setString(1, user);
      return JdbcRows.strings(ps);
    }
  }

  static Set<String> globalPrivileges(Connection c) throws SQLException {
    String current;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      current = rs.getString(1);
    }
    int at = current.lastIndexOf('@');
    String grantee = "'" + current.substring(0, at) + "'@'" + current.substring(at + 1) + "'";
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?")) {
      ps.setString(1, grantee);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1).toUpperCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  static boolean grantable(Connection c, String role) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT IS_GRANTABLE FROM information_schema.APPLICABLE_ROLES WHERE ROLE_NAME = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if ("YES".equalsIgnoreCase(rs.getString(1))) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
