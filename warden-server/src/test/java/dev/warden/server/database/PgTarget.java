package dev.warden.server.database;

import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.UsernameTemplate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A target database of its own on the test PostgreSQL (127.0.0.1:5432, user postgres): a new
 * database with a table, a non-superuser admin role with only CREATEROLE, an application role that
 * may read and write the table, and a marker role — all with a random suffix, since roles are
 * shared by the whole server. Dropped on close, with every user that carries the marker. Skipped
 * when PostgreSQL is unreachable, unless CI is set.
 */
public final class PgTarget implements AutoCloseable {
  public static final String SERVER =
      System.getenv().getOrDefault("WARDEN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
  static final String SUPERUSER = System.getenv().getOrDefault("WARDEN_TEST_PG_USER", "postgres");

  public final String suffix =
      UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
  public final String database = "wt_db_" + suffix;
  public final String admin = "wt_admin_" + suffix;
  public final String app = "wt_app_" + suffix;
  public final String marker = "wt_marker_" + suffix;
  private final List<String> extraRoles = new ArrayList<>();

  private PgTarget() {}

  /** A fresh target; the admin may create roles and nothing else. */
  public static PgTarget create() {
    PgTarget t = new PgTarget();
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + t.database);
      s.execute("CREATE ROLE " + t.admin + " LOGIN CREATEROLE PASSWORD 'initial-admin-password'");
      s.execute("CREATE ROLE " + t.app + " NOLOGIN");
    } catch (SQLException e) {
      String message =
          "PostgreSQL is not reachable at " + SERVER + " as " + SUPERUSER + ": " + e.getMessage();
      if (System.getenv("CI") != null) {
        throw new AssertionError(message + " (failing, not skipping, because CI is set)", e);
      }
      Assumptions.abort(message);
    }
    t.sql(
        "CREATE TABLE ledger (id INT PRIMARY KEY, amount INT)",
        "INSERT INTO ledger VALUES (1, 100)",
        "GRANT SELECT, INSERT ON ledger TO " + t.app);
    return t;
  }

  public String url() {
    return SERVER + database;
  }

  /** The target as a resource would name it, admin password in secret {@code secretName}. */
  public DatabaseTarget target(String secretName, int maxLeases) {
    return new DatabaseTarget(
        url(),
        admin,
        secretName,
        List.of(app),
        UsernameTemplate.DEFAULT,
        Duration.ofHours(1),
        maxLeases,
        marker);
  }

  /** The YAML of a postgres resource on this target. */
  public String resourceYaml(String name, String secretName, int maxLeases, String... moreRoles) {
    StringBuilder roles = new StringBuilder("[\"" + app + "\"");
    for (String r : moreRoles) {
      roles.append(", \"").append(r.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    roles.append(']');
    return """
        apiVersion: warden.dev/v1
        kind: Resource
        metadata: {name: %s}
        spec:
          audience: postgres://127.0.0.1/%s
          kind: postgres
          database:
            url: %s
            adminUser: %s
            adminPasswordSecret: %s
            roles: %s
            markerRole: %s
            maxLeasesPerWorkload: %d
        """
        .formatted(name, database, url(), admin, secretName, roles, marker, maxLeases);
  }

  /** Runs statements as the superuser in the target database. */
  public void sql(String... statements) {
    try (Connection c = superuser(database);
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A role this test created besides the standard ones, dropped on close. */
  public void ownRole(String name) {
    extraRoles.add(name);
  }

  public boolean roleExists(String name) {
    return query("SELECT 1 FROM pg_roles WHERE rolname = ?", name) > 0;
  }

  /** Users carrying this target's marker role. */
  public List<String> tagged() {
    try (Connection c = superuser(database);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT u.rolname FROM"
                    + " pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
                    + " WHERE g.rolname = ? ORDER BY 1")) {
      ps.setString(1, marker);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code password} matches the SCRAM-SHA-256 verifier PostgreSQL stores for {@code
   * role}.
   */
  public static boolean scramMatches(String role, String password) {
    String stored;
    try (Connection su = superuser("postgres");
        PreparedStatement ps =
            su.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return false;
        }
        stored = rs.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("SCRAM-SHA-256\\$(\\d+):([^$]+)\\$([^:]+):(.+)")
            .matcher(stored);
    if (!m.matches()) {
      throw new IllegalStateException("not a SCRAM verifier for " + role);
    }
    try {
      byte[] salt = java.util.Base64.getDecoder().decode(m.group(2));
      byte[] salted =
          javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(
                  new javax.crypto.spec.PBEKeySpec(
                      password.toCharArray(), salt, Integer.parseInt(m.group(1)), 256))
              .getEncoded();
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(salted, "HmacSHA256"));
      byte[] clientKey =
          mac.doFinal("Client Key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] storedKey = java.security.MessageDigest.getInstance("SHA-256").digest(clientKey);
      return java.util.Base64.getEncoder().encodeToString(storedKey).equals(m.group(3));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public int sessionsOf(String user) {
    return query("SELECT count(*) FROM pg_stat_activity WHERE usename = ?", user);
  }

  /**
   * A session as {@code user} in the target database (this server trusts 127.0.0.1, so the password
   * is not checked).
   */
  public Connection connectAs(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url(), p);
  }

  private int query(String sql, String arg) {
    try (Connection c = superuser("postgres");
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static Connection superuser(String db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", SUPERUSER);
    p.setProperty("connectTimeout", "5");
    String password = System.getenv("WARDEN_TEST_PG_PASSWORD");
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(SERVER + db, p);
  }

  @Override
  public void close() {
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      List<String> users = tagged();
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      for (String u : users) {
        dropRole(s, u);
      }
      for (String r : extraRoles) {
        dropRole(s, r);
      }
      for (String r : List.of(marker, app, admin)) {
        dropRole(s, r);
      }
    } catch (SQLException | RuntimeException e) {
      throw new IllegalStateException("could not clean up target " + database, e);
    }
  }

  private static void dropRole(Statement s, String role) throws SQLException {
    String q = org.postgresql.core.Utils.escapeIdentifier(new StringBuilder(), role).toString();
    s.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = "
            + org.postgresql.core.Utils.escapeLiteral(new StringBuilder("'"), role, true)
                .append('\''));
    s.execute("DROP ROLE IF EXISTS " + q);
  }
}
