package dev.warden.server.database;

import dev.warden.core.database.UserDatabase;
import dev.warden.core.model.DatabaseTarget;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removing users from PostgreSQL, one or many: only users carrying the marker, first made NOLOGIN
 * (with the admin taking membership only where it must), then their sessions ended, then dropped
 * with what they own handed to the admin. Apart from {@link PostgresUsers} because the order of
 * these steps and their transactions is the part of the engine that must not change by accident;
 * the caller maps a failure to the operator's message.
 */
final class PgRemoval {
  private PgRemoval() {}

  /** Removes {@code username} on the admin connection {@code c}. */
  static UserDatabase.Removal one(Connection c, DatabaseTarget t, String username)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return UserDatabase.Removal.ABSENT;
        }
      }
    }
    if (!PgRoles.marked(c, username, t.markerRole())) {
      throw PostgresUsers.unmarked(
          t, username, "; Warden drops only users it tagged, so it is left alone");
    }
    boolean owns = PgRoles.ownsAnything(c, username);
    // one commit: no new session from here on; then end the live ones; then drop
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(
          PostgresUsers.ident(new StringBuilder("ALTER ROLE "), username)
              .append(" NOLOGIN")
              .toString());
      if ((owns || !PgRoles.maySignalAnyBackend(c)) && !PgRoles.isMember(c, username)) {
        // membership lets a non-superuser admin end the user's sessions and reassign its objects;
        // taken only when needed, since an admin that is a member of every issued user makes each
        // privilege check walk thousands of memberships
        s.execute(
            PostgresUsers.ident(new StringBuilder("GRANT "), username)
                .append(" TO CURRENT_USER")
                .toString());
      }
    }
    endSessionsAfterCommit(c, t, List.of(username));
    try (Statement s = c.createStatement()) {
      for (String sql : dropStatements(username, owns)) {
        s.execute(sql);
      }
    }
    c.commit();
    return UserDatabase.Removal.DROPPED;
  }

  /**
   * The same steps as {@link #one}, each taken for all the users at once: one query finds which
   * exist, carry the marker, own anything and have the admin as a member; one commit makes them
   * NOLOGIN (with membership where needed); one query ends all their sessions; one commit drops
   * them. Statements of a step go as one JDBC batch, so a hundred users cost a handful of round
   * trips. A user without the marker is left out of the answer (and untouched): removing it alone
   * reports it.
   */
  static Map<String, UserDatabase.Removal> all(
      Connection c, DatabaseTarget t, List<String> usernames) throws SQLException {
    Map<String, UserDatabase.Removal> out = new LinkedHashMap<>();
    usernames.forEach(u -> out.put(u, UserDatabase.Removal.ABSENT));
    List<String> drop = new ArrayList<>();
    Set<String> owners = new HashSet<>();
    Set<String> members = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT r.rolname,"
                + " EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid"
                + " AND g.rolname = ?),"
                + " EXISTS (SELECT 1 FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid),"
                + " pg_has_role(current_user, r.oid, 'MEMBER')"
                + " FROM pg_roles r WHERE r.rolname = ANY (?)")) {
      ps.setString(1, t.markerRole());
      ps.setArray(2, c.createArrayOf("text", usernames.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String user = rs.getString(1);
          if (!rs.getBoolean(2)) {
            out.remove(user); // not Warden's to drop
            continue;
          }
          drop.add(user);
          if (rs.getBoolean(3)) {
            owners.add(user);
          }
          if (rs.getBoolean(4)) {
            members.add(user);
          }
        }
      }
    }
    if (drop.isEmpty()) {
      return out;
    }
    boolean maySignal = PgRoles.maySignalAnyBackend(c);
    // one commit: no new session of any of them from here on; then end the live ones; then drop
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (String user : drop) {
        s.addBatch(
            PostgresUsers.ident(new StringBuilder("ALTER ROLE "), user)
                .append(" NOLOGIN")
                .toString());
        if ((owners.contains(user) || !maySignal) && !members.contains(user)) {
          s.addBatch(
              PostgresUsers.ident(new StringBuilder("GRANT "), user)
                  .append(" TO CURRENT_USER")
                  .toString());
        }
      }
      s.executeBatch();
    }
    endSessionsAfterCommit(c, t, drop);
    try (Statement s = c.createStatement()) {
      for (String user : drop) {
        for (String sql : dropStatements(user, owners.contains(user))) {
          s.addBatch(sql);
        }
      }
      s.executeBatch();
    }
    c.commit();
    drop.forEach(u -> out.put(u, UserDatabase.Removal.DROPPED));
    return out;
  }

  /** The statements that drop a user, first handing what it owns to the admin. */
  private static List<String> dropStatements(String user, boolean owns) throws SQLException {
    List<String> sql = new ArrayList<>(3);
    if (owns) {
      sql.add(
          PostgresUsers.ident(new StringBuilder("REASSIGN OWNED BY "), user)
              .append(" TO CURRENT_USER")
              .toString());
      sql.add(PostgresUsers.ident(new StringBuilder("DROP OWNED BY "), user).toString());
    }
    sql.add(PostgresUsers.ident(new StringBuilder("DROP ROLE "), user).toString());
    return sql;
  }

  /**
   * The middle step of a removal: commits the transaction that made the users NOLOGIN, ends their
   * sessions outside any transaction, and opens the one that drops them.
   */
  private static void endSessionsAfterCommit(Connection c, DatabaseTarget t, List<String> usernames)
      throws SQLException {
    c.commit();
    c.setAutoCommit(true); // each look at pg_stat_activity must be a fresh snapshot
    endSessions(c, t, usernames);
    c.setAutoCommit(false);
  }

  /**
   * Ends every session of these users, on every database of the server, and waits until they are
   * gone.
   */
  private static void endSessions(Connection c, DatabaseTarget t, List<String> usernames)
      throws SQLException {
    for (int attempt = 0; attempt < 3; attempt++) {
      int left = 0;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                  + " WHERE usename = ANY (?) AND pid <> pg_backend_pid()")) {
        ps.setArray(1, c.createArrayOf("text", usernames.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (!rs.getBoolean(1)) {
              left++;
            }
          }
        }
      }
      if (left == 0) {
        return;
      }
    }
    throw new SQLException(
        "sessions of "
            + (usernames.size() == 1
                ? "'" + usernames.getFirst() + "'"
                : usernames.size() + " users")
            + " on "
            + t.where()
            + " did not end",
        "57014");
  }
}
