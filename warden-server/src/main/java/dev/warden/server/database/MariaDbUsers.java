package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.UserDatabase;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Dynamic users in MariaDB (and servers speaking MySQL's protocol), through MariaDB's JDBC driver.
 *
 * <p>Design note. MariaDB's DDL is not transactional and it has no user comments, so a user's tag
 * is its name: Warden creates and drops only names its template makes (the literal prefix, the
 * workload slug, twelve base32 characters), which exist as such from the first statement — a crash
 * after {@code CREATE USER} leaves a user the reaper recognises. User names and hosts travel as
 * string literals bound by the driver ({@code ?} in a client-side prepared statement, escaped by
 * the driver's rules for the session's SQL mode); role names are backtick-quoted identifiers. A
 * password is sent only as its {@code mysql_native_password} hash. Removal locks the account, kills
 * its connections and drops it; MariaDB has no {@code VALID UNTIL}, so the reaper is the only path
 * to expiry.
 */
public final class MariaDbUsers implements UserDatabase {
  /**
   * Issued users may connect from anywhere the server's network allows, like any application user.
   */
  static final String HOST = "%";

  private static final org.mariadb.jdbc.Driver DRIVER = new org.mariadb.jdbc.Driver();

  private final Duration connectTimeout;
  private final Duration socketTimeout;

  public MariaDbUsers(Duration connectTimeout, Duration socketTimeout) {
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
  }

  @Override
  public void verify(DatabaseTarget t, Secret adminPassword) {
    try (Connection c = connect(t, adminPassword)) {
      Set<String> privileges = MariaDbAccounts.globalPrivileges(c);
      List<String> missing = new ArrayList<>();
      if (!privileges.contains("CREATE USER")) {
        missing.add("CREATE USER");
      }
      if (!privileges.contains("PROCESS") && !privileges.contains("SUPER")) {
        missing.add("PROCESS");
      }
      if (!privileges.contains("CONNECTION ADMIN") && !privileges.contains("SUPER")) {
        missing.add("CONNECTION ADMIN");
      }
      if (!missing.isEmpty()) {
        throw new ValidationException(
            "spec.database.adminUser",
            "'"
                + t.adminUser()
                + "' lacks "
                + missing
                + " on "
                + t.where()
                + "; Warden needs GRANT CREATE USER, PROCESS, CONNECTION ADMIN ON *.* and"
                + " GRANT SELECT ON mysql.user (see docs/credentials.md)");
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mysql.user WHERE 1 = 0")) {
        rs.next();
      } catch (SQLException e) {
        throw new ValidationException(
            "spec.database.adminUser",
            "'"
                + t.adminUser()
                + "' cannot read mysql.user on "
                + t.where()
                + ", which Warden needs to find the users it created; GRANT SELECT ON mysql.user TO it");
      }
      for (String role : t.roles()) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM mysql.user WHERE User = ? AND is_role = 'Y'")) {
          ps.setString(1, role);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw EngineFailures.missingRole(t, role, "CREATE ROLE");
            }
          }
        }
        if (!privileges.contains("SUPER") && !MariaDbAccounts.grantable(c, role)) {
          throw EngineFailures.cannotGrant(
              t, role, "; GRANT " + role + " TO " + t.adminUser() + " WITH ADMIN OPTION");
        }
      }
    } catch (SQLException e) {
      throw EngineFailures.cannotManage(t, MariaDbErrors.field(e), MariaDbErrors.reason(e));
    }
  }

  @Override
  public void createUser(
      DatabaseTarget t,
      Secret adminPassword,
      String username,
      Secret password,
      Instant validUntil) {
    Connection conn = open(t, adminPassword);
    boolean created = false;
    try (Connection c = conn) {
      try (PreparedStatement ps = c.prepareStatement("CREATE USER ?@? IDENTIFIED BY PASSWORD ?")) {
        ps.setString(1, username);
        ps.setString(2, HOST);
        ps.setString(3, nativeHash(password));
        created = true;
        ps.execute();
      }
      for (String role : t.roles()) {
        try (PreparedStatement ps = c.prepareStatement("GRANT " + ident(role) + " TO ?@?")) {
          ps.setString(1, username);
          ps.setString(2, HOST);
          ps.execute();
        }
      }
      if (!t.roles().isEmpty()) {
        setDefaultRoleAsTheUser(t, username, password, t.roles().getFirst());
      }
    } catch (SQLException e) {
      boolean exists = created && !isRefusedCreate(e);
      if (exists) {
        exists = !dropQuietly(t, adminPassword, username);
      }
      throw EngineFailures.createFailed(
          t, MariaDbErrors.reason(e), exists ? EngineFailures.REAPER_REMOVES_IT : null, e);
    }
  }

  @Override
  public Removal removeUser(DatabaseTarget t, Secret adminPassword, String username) {
    NameTag.require(t, username);
    Connection conn = open(t, adminPassword);
    try (Connection c = conn) {
      List<String> hosts = MariaDbAccounts.hosts(c, username);
      if (hosts.isEmpty()) {
        return Removal.ABSENT;
      }
      for (String host : hosts) {
        // no new session from here on, then end the live ones, then drop
        try (PreparedStatement ps = c.prepareStatement("ALTER USER ?@? ACCOUNT LOCK")) {
          ps.setString(1, username);
          ps.setString(2, host);
          ps.execute();
        }
      }
      MariaDbAccounts.killSessions(c, username);
      for (String host : hosts) {
        try (PreparedStatement ps = c.prepareStatement("DROP USER IF EXISTS ?@?")) {
          ps.setString(1, username);
          ps.setString(2, host);
          ps.execute();
        }
      }
      return Removal.DROPPED;
    } catch (SQLException e) {
      throw EngineFailures.removeFailed(t, username, MariaDbErrors.reason(e), e);
    }
  }

  @Override
  public List<String> markedUsers(DatabaseTarget t, Secret adminPassword) {
    Connection conn = open(t, adminPassword);
    try (Connection c = conn;
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT User FROM mysql.user WHERE User LIKE ? ESCAPE '!'"
                    + " AND is_role = 'N' ORDER BY User")) {
      ps.setString(1, likePrefix(t.usernameTemplate().prefix()));
      return JdbcRows.strings(ps);
    } catch (SQLException e) {
      throw EngineFailures.listFailed(t, MariaDbErrors.reason(e), e);
    }
  }

  @Override
  public void setPassword(DatabaseTarget t, Secret adminPassword, String account, Secret password) {
    NameTag.requireStatic(t, account);
    Connection conn = open(t, adminPassword);
    try (Connection c = conn) {
      List<String> hosts = MariaDbAccounts.hosts(c, account);
      if (hosts.isEmpty()) {
        throw EngineFailures.noSuchAccount(t, "user", account);
      }
      for (String host : hosts) {
        try (PreparedStatement ps = c.prepareStatement("ALTER USER ?@? IDENTIFIED BY PASSWORD ?")) {
          ps.setString(1, account);
          ps.setString(2, host);
          ps.setString(3, nativeHash(password));
          ps.execute();
        }
      }
    } catch (SQLException e) {
      throw EngineFailures.setPasswordFailed(t, account, MariaDbErrors.reason(e), true, e);
    }
  }

  @Override
  public void changeAdminPassword(DatabaseTarget t, Secret current, Secret next) {
    Connection conn = open(t, current);
    try (Connection c = conn;
        PreparedStatement ps =
            c.prepareStatement("ALTER USER CURRENT_USER() IDENTIFIED BY PASSWORD ?")) {
      ps.setString(1, nativeHash(next));
      ps.execute();
    } catch (SQLException e) {
      throw EngineFailures.adminPasswordFailed(t, MariaDbErrors.reason(e), e);
    }
  }

  /**
   * Makes the granted role the user's default by logging in as the user: {@code SET DEFAULT ROLE
   * ... FOR user} would need write access to the {@code mysql} schema, far more than the admin
   * should hold, while every user may set its own default role.
   */
  private void setDefaultRoleAsTheUser(
      DatabaseTarget t, String username, Secret password, String role) throws SQLException {
    Properties p = properties(t, username, password);
    try (Connection c = DRIVER.connect("jdbc:mariadb://" + t.hostPort() + "/", p);
        Statement s = c.createStatement()) {
      s.execute("SET DEFAULT ROLE " + ident(role));
    }
  }

  /**
   * {@link #removeUser} for many users over one connection: one query finds their accounts, one
   * {@code ALTER USER ... ACCOUNT LOCK} locks them all, their connections are killed, and one
   * {@code DROP USER} drops them all. A name the template does not make is left out (and
   * untouched): removing it alone reports it.
   */
  @Override
  public Map<String, Removal> removeUsers(
      DatabaseTarget t, Secret adminPassword, List<String> usernames) {
    List<String> ours = NameTag.ours(t, usernames);
    if (ours.size() < 2) {
      return UserDatabase.super.removeUsers(t, adminPassword, usernames);
    }
    Connection conn = open(t, adminPassword);
    try (Connection c = conn) {
      Map<String, Removal> out = new LinkedHashMap<>();
      ours.forEach(u -> out.put(u, Removal.ABSENT));
      List<String[]> accounts = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT User, Host FROM mysql.user WHERE is_role = 'N' AND User IN ("
                  + String.join(", ", java.util.Collections.nCopies(ours.size(), "?"))
                  + ")")) {
        for (int i = 0; i < ours.size(); i++) {
          ps.setString(i + 1, ours.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            accounts.add(new String[] {rs.getString(1), rs.getString(2)});
          }
        }
      }
      if (accounts.isEmpty()) {
        return out;
      }
      String list = String.join(", ", java.util.Collections.nCopies(accounts.size(), "?@?"));
      // no new session from here on, then end the live ones, then drop
      MariaDbAccounts.accountStatement(c, "ALTER USER " + list + " ACCOUNT LOCK", accounts);
      Set<String> names = new HashSet<>();
      accounts.forEach(a -> names.add(a[0]));
      for (String user : names) {
        MariaDbAccounts.killSessions(c, user);
      }
      MariaDbAccounts.accountStatement(c, "DROP USER IF EXISTS " + list, accounts);
      names.forEach(u -> out.put(u, Removal.DROPPED));
      return out;
    } catch (SQLException e) {
      throw EngineFailures.removeAllFailed(t, ours.size(), MariaDbErrors.reason(e), e);
    }
  }

  /** Removes a user whose creation did not finish; false when it could not (the reaper will). */
  private boolean dropQuietly(DatabaseTarget t, Secret adminPassword, String username) {
    try (Connection c = connect(t, adminPassword);
        PreparedStatement ps = c.prepareStatement("DROP USER IF EXISTS ?@?")) {
      ps.setString(1, username);
      ps.setString(2, HOST);
      ps.execute();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** CREATE USER refused by the server (not lost on the way): nothing was created. */
  private static boolean isRefusedCreate(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return !state.startsWith("08") && e.getErrorCode() != 0;
  }

  private Connection connect(DatabaseTarget t, Secret password) throws SQLException {
    Properties p = properties(t, t.adminUser(), password);
    // no database: users are server-wide, and the admin needs no privilege on any database
    String url = "jdbc:mariadb://" + t.hostPort() + "/";
    Connection c = DRIVER.connect(url, p);
    if (c == null) {
      throw new SQLException("not a MariaDB JDBC URL", "08001");
    }
    return c;
  }

  private Properties properties(DatabaseTarget t, String user, Secret password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password.reveal());
    p.setProperty("connectTimeout", Long.toString(Math.max(1000, connectTimeout.toMillis())));
    p.setProperty("socketTimeout", Long.toString(Math.max(1000, socketTimeout.toMillis())));
    // client-side prepared statements: '?' becomes a literal escaped by the driver, which DDL needs
    p.setProperty("useServerPrepStmts", "false");
    p.setProperty("connectionAttributes", "program_name:warden");
    p.setProperty("tcpKeepAlive", "true");
    String ssl = t.parameter("sslMode");
    if (ssl != null) {
      p.setProperty("sslMode", ssl);
    }
    return p;
  }

  private Connection open(DatabaseTarget t, Secret password) {
    try {
      return connect(t, password);
    } catch (SQLException e) {
      throw EngineFailures.unreachable(t, MariaDbErrors.reason(e), e);
    }
  }

  /**
   * {@code mysql_native_password}'s stored form: '*' and the upper-case hex of
   * SHA1(SHA1(password)).
   */
  static String nativeHash(Secret password) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] once = sha1.digest(password.reveal().getBytes(StandardCharsets.UTF_8));
      return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  /** A backtick-quoted identifier: backticks inside are doubled, as MariaDB reads them. */
  static String ident(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * A LIKE pattern matching names that start with {@code prefix}, with '!' as the escape character.
   */
  static String likePrefix(String prefix) {
    return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
  }
}
