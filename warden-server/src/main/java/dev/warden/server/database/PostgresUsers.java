package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.UserDatabase;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.postgresql.core.Utils;
import org.postgresql.util.PasswordUtil;

/**
 * Dynamic users in PostgreSQL, through its JDBC driver.
 *
 * <p>Design note. Every identifier is quoted with the driver's own {@link Utils#escapeIdentifier}
 * and every literal with {@link Utils#escapeLiteral}; nothing is concatenated unquoted, so a role
 * name with quotes or semicolons is just a name. A password travels only as a SCRAM-SHA-256
 * verifier computed here ({@link PasswordUtil#encodeScramSha256}), so neither the wire nor the
 * server's statement log ever sees it. A user is created in one transaction (CREATE ROLE with
 * LOGIN, its verifier and VALID UNTIL; GRANT of the target's roles and of the marker role). The
 * admin is not made a member of each user: with thousands of live users every privilege check would
 * walk them all. At removal ({@link PgRemoval}) it takes membership only when it needs it (the user
 * owns objects, or the admin lacks pg_signal_backend to end the sessions). Removal first makes the
 * user NOLOGIN, then ends its sessions, then drops it with whatever it owns reassigned to the admin
 * — and only ever a user carrying the marker. Errors name the SQLSTATE and never quote a statement.
 *
 * <p>Why it is over 400 lines: one method per operation of the {@code UserDatabase} contract, each
 * with PostgreSQL's own statements; removal, roles and errors are apart already ({@link PgRemoval},
 * {@link PgRoles}, {@link PgErrors}).
 */
public final class PostgresUsers implements UserDatabase {
  private static final DateTimeFormatter VALID_UNTIL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

  /** SCRAM iterations of an issued user's verifier: see {@link #issuedVerifier}. */
  static final int ISSUED_ITERATIONS = 128;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final AdminConnections pool =
      new AdminConnections(8, Duration.ofSeconds(60), Duration.ofMinutes(5));

  /** Targets whose marker role is known to exist, so an issuance does not look it up each time. */
  private final java.util.Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param connectTimeout how long a target that does not answer may hold up a request
   */
  public PostgresUsers(Duration connectTimeout, Duration socketTimeout) {
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
  }

  @Override
  public void verify(DatabaseTarget t, Secret adminPassword) {
    try (Connection c = connect(t, adminPassword)) {
      boolean superuser;
      boolean createRole;
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        superuser = rs.getBoolean(1);
        createRole = rs.getBoolean(2);
      }
      if (!superuser && !createRole) {
        throw new ValidationException(
            "spec.database.adminUser",
            "'"
                + t.adminUser()
                + "' may not create roles;"
                + " give it CREATEROLE (ALTER ROLE ... CREATEROLE), which is all Warden needs");
      }
      boolean adminOptionNeeded = !superuser && PgRoles.serverVersion(c) >= 160000;
      for (String role : t.roles()) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = ?")) {
          ps.setString(1, role);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw EngineFailures.missingRole(t, role, "NOLOGIN");
            }
            if (rs.getBoolean(1)) {
              throw new ValidationException(
                  "spec.database.roles",
                  "role '"
                      + role
                      + "' is a superuser; Warden never grants superuser to issued users");
            }
          }
        }
        if (adminOptionNeeded && !PgRoles.hasAdminOption(c, role)) {
          throw EngineFailures.cannotGrant(
              t,
              role,
              " (PostgreSQL 16 and later need ADMIN OPTION: GRANT ... TO ... WITH ADMIN OPTION)");
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ?")) {
        ps.setString(1, t.markerRole());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && (rs.getBoolean(1) || rs.getBoolean(2))) {
            throw new ValidationException(
                "spec.database.markerRole",
                "role '"
                    + t.markerRole()
                    + "' exists and can log in or is a superuser; the marker must be a NOLOGIN role of its own");
          }
        }
      }
    } catch (SQLException e) {
      throw EngineFailures.cannotManage(t, PgErrors.field(e), PgErrors.reason(e));
    }
  }

  @Override
  public void createUser(
      DatabaseTarget t,
      Secret adminPassword,
      String username,
      Secret password,
      Instant validUntil) {
    Connection c = open(t, adminPassword);
    boolean commitSent = false;
    try (c) {
      if (!markers.contains(t.url() + " " + t.markerRole())) {
        PgRoles.ensureMarker(c, t.markerRole());
        markers.add(t.url() + " " + t.markerRole());
      }
      boolean std = PgRoles.standardStrings(c);
      StringBuilder create = new StringBuilder("CREATE ROLE ");
      ident(create, username);
      create.append(
          " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ");
      literal(create, issuedVerifier(password), std);
      create.append(" VALID UNTIL ");
      literal(create, VALID_UNTIL.format(validUntil), std);
      StringBuilder grant = new StringBuilder("GRANT ");
      List<String> roles = new ArrayList<>(t.roles());
      roles.add(t.markerRole());
      for (int i = 0; i < roles.size(); i++) {
        if (i > 0) {
          grant.append(", ");
        }
        ident(grant, roles.get(i));
      }
      ident(grant.append(" TO "), username);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // A creation need not survive a crash of the database: a user lost with its commit is a
        // credential that fails closed, and the reaper finds it ABSENT. Not waiting for the WAL
        // flush shortens the time GRANT holds the lock on the shared roles (marker, grants), which
        // every concurrent issuance waits for. Removals keep synchronous commits.
        s.execute("SET LOCAL synchronous_commit TO OFF");
        s.execute(create.toString());
        s.execute(grant.toString());
      }
      commitSent = true;
      c.commit();
    } catch (SQLException e) {
      if ("42704".equals(e.getSQLState())) {
        markers.remove(
            t.url()
                + " "
                + t.markerRole()); // dropped behind Warden's back: create it again next time
      }
      throw EngineFailures.createFailed(
          t, PgErrors.reason(e), commitSent ? " (during commit: it may exist)" : null, e);
    }
  }

  @Override
  public void extendUser(
      DatabaseTarget t, Secret adminPassword, String username, Instant validUntil) {
    Connection conn = open(t, adminPassword);
    try (Connection c = conn;
        Statement s = c.createStatement()) {
      if (!PgRoles.marked(c, username, t.markerRole())) {
        throw unmarked(t, username, "");
      }
      StringBuilder sql = ident(new StringBuilder("ALTER ROLE "), username).append(" VALID UNTIL ");
      literal(sql, VALID_UNTIL.format(validUntil), PgRoles.standardStrings(c));
      s.execute(sql.toString());
    } catch (SQLException e) {
      throw new TargetException(
          "could not extend user '" + username + "' on " + where(t) + ": " + PgErrors.reason(e),
          true,
          e);
    }
  }

  @Override
  public Removal removeUser(DatabaseTarget t, Secret adminPassword, String username) {
    Connection conn = open(t, adminPassword);
    try (Connection c = conn) {
      return PgRemoval.one(c, t, username);
    } catch (SQLException e) {
      String hint =
          "2BP01".equals(e.getSQLState())
              ? " (it owns objects or holds privileges in another database of the server; reassign or drop them there)"
              : "";
      throw EngineFailures.removeFailed(t, username, PgErrors.reason(e) + hint, e);
    }
  }

  /** {@link #removeUser} for many users, in a handful of round trips ({@link PgRemoval#all}). */
  @Override
  public Map<String, Removal> removeUsers(
      DatabaseTarget t, Secret adminPassword, List<String> usernames) {
    if (usernames.size() < 2) {
      return UserDatabase.super.removeUsers(t, adminPassword, usernames);
    }
    Connection conn = open(t, adminPassword);
    try (Connection c = conn) {
      return PgRemoval.all(c, t, usernames);
    } catch (SQLException e) {
      SQLException cause =
          e.getNextException() != null ? e.getNextException() : e; // a batch's own error
      String hint =
          "2BP01".equals(cause.getSQLState())
              ? " (one owns objects or holds privileges in another database of the server)"
              : "";
      throw EngineFailures.removeAllFailed(t, usernames.size(), PgErrors.reason(cause) + hint, e);
    }
  }

  @Override
  public List<String> markedUsers(DatabaseTarget t, Secret adminPassword) {
    Connection conn = open(t, adminPassword);
    try (Connection c = conn;
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT u.rolname FROM pg_auth_members m"
                    + " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = ?"
                    + " ORDER BY u.rolname")) {
      ps.setString(1, t.markerRole());
      return JdbcRows.strings(ps);
    } catch (SQLException e) {
      throw EngineFailures.listFailed(t, PgErrors.reason(e), e);
    }
  }

  @Override
  public void changeAdminPassword(DatabaseTarget t, Secret current, Secret next) {
    Connection conn;
    try {
      conn = connect(t, current);
    } catch (SQLException e) {
      throw EngineFailures.unreachable(t, PgErrors.reason(e), e);
    }
    try (Connection c = conn;
        Statement s = c.createStatement()) {
      StringBuilder sql = new StringBuilder("ALTER ROLE CURRENT_USER PASSWORD ");
      literal(
          sql,
          PasswordUtil.encodeScramSha256(next.reveal().toCharArray()),
          PgRoles.standardStrings(c));
      s.execute(sql.toString());
    } catch (SQLException e) {
      throw EngineFailures.adminPasswordFailed(t, PgErrors.reason(e), e);
    }
  }

  @Override
  public void setPassword(DatabaseTarget t, Secret adminPassword, String account, Secret password) {
    if (account.equals(t.adminUser())) {
      throw new ValidationException(
          "rotation.account",
          "'"
              + account
              + "' is the admin of "
              + where(t)
              + "; Warden sets only the passwords of other accounts");
    }
    Connection conn = open(t, adminPassword);
    boolean sent = false;
    try (Connection c = conn) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?")) {
        ps.setString(1, account);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw EngineFailures.noSuchAccount(t, "role", account);
          }
          if (!rs.getBoolean(1)) {
            throw new ValidationException(
                "rotation.account",
                "role '"
                    + account
                    + "' on "
                    + where(t)
                    + " cannot log in (NOLOGIN), so a password would be of no use");
          }
        }
      }
      if (PgRoles.marked(c, account, t.markerRole())) {
        throw new ValidationException(
            "rotation.account",
            "role '"
                + account
                + "' carries the marker role '"
                + t.markerRole()
                + "': it is a user Warden issued and removes itself, not a static account");
      }
      StringBuilder sql = ident(new StringBuilder("ALTER ROLE "), account).append(" PASSWORD ");
      literal(
          sql,
          PasswordUtil.encodeScramSha256(password.reveal().toCharArray()),
          PgRoles.standardStrings(c));
      try (Statement s = c.createStatement()) {
        sent = true;
        s.execute(sql.toString());
      } catch (SQLException e) {
        // one statement in autocommit: an error the server answered with means it was rolled back;
        // only a connection lost on the way (class 08, or no SQLSTATE) may hide a commit
        throw EngineFailures.setPasswordFailed(
            t, account, PgErrors.reason(e), !PgErrors.answeredByServer(e), e);
      }
    } catch (SQLException e) {
      // the look-ups before ALTER ROLE change nothing; after it (closing the connection) it may
      // have
      throw EngineFailures.setPasswordFailed(t, account, PgErrors.reason(e), sent, e);
    }
  }

  /**
   * A kept or new admin connection ({@link AdminConnections}), failing as {@link
   * TargetException#unreachable}.
   */
  private Connection open(DatabaseTarget t, Secret password) {
    try {
      return pool.borrow(t.url(), t.adminUser(), password, () -> connect(t, password));
    } catch (SQLException e) {
      throw EngineFailures.unreachable(t, PgErrors.reason(e), e);
    }
  }

  private Connection connect(DatabaseTarget t, Secret password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", t.adminUser());
    p.setProperty("password", password.reveal());
    p.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    p.setProperty("loginTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    p.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
    p.setProperty("ApplicationName", "warden");
    // keep row values out of exception messages, which may be logged
    p.setProperty("logServerErrorDetail", "false");
    p.setProperty("tcpKeepAlive", "true");
    // no driver-side statement cache of the statements that carry verifiers
    p.setProperty("prepareThreshold", "0");
    Connection c = DRIVER.connect(t.url(), p);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL", "08001");
    }
    return c;
  }

  /**
   * A user Warden did not tag, which it therefore leaves alone; nothing changed.
   *
   * @param consequence what follows the refusal, or empty
   */
  static TargetException unmarked(DatabaseTarget t, String username, String consequence) {
    return new TargetException(
        "user '"
            + username
            + "' on "
            + where(t)
            + " does not carry the marker role '"
            + t.markerRole()
            + "'"
            + consequence,
        false,
        null);
  }

  /**
   * The SCRAM-SHA-256 verifier of an issued user's password, with {@link #ISSUED_ITERATIONS}
   * iterations. Iterations slow down guessing a low-entropy password from a stolen verifier; an
   * issued password is 32 random letters and digits (about 190 bits), which no number of guesses
   * reaches, while 4096 iterations cost every issuance and every login of the user milliseconds of
   * CPU on both sides. Admin and static-account passwords keep the default.
   */
  static String issuedVerifier(Secret password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return PasswordUtil.encodeScramSha256(password.reveal().toCharArray(), ISSUED_ITERATIONS, salt);
  }

  /** Appends {@code name} as a quoted identifier, by the driver's rules. */
  static StringBuilder ident(StringBuilder sb, String name) throws SQLException {
    return Utils.escapeIdentifier(sb, name);
  }

  /** Appends {@code value} as a quoted string literal, by the driver's rules. */
  static StringBuilder literal(StringBuilder sb, String value, boolean standardConformingStrings)
      throws SQLException {
    sb.append('\'');
    Utils.escapeLiteral(sb, value, standardConformingStrings);
    return sb.append('\'');
  }

  /** host:port/database of the target: its URL has no credentials (DatabaseTarget refuses them). */
  static String where(DatabaseTarget t) {
    return t.where();
  }
}
