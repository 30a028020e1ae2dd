package dev.warden.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A new database {@code warden_test_<random>} on the test PostgreSQL server, dropped on close.
 *
 * <p>The server is {@code WARDEN_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/}),
 * user {@code WARDEN_TEST_PG_USER} (default {@code postgres}), password {@code
 * WARDEN_TEST_PG_PASSWORD} (default none). When it cannot be reached the tests are skipped, unless
 * {@code CI} is set: on CI a missing database must fail the build, not pass it quietly.
 */
final class PostgresTestDatabase implements TestDatabase {
  private static final String SERVER =
      env("WARDEN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
  private static final String USER = env("WARDEN_TEST_PG_USER", "postgres");
  private static final String PASSWORD = System.getenv("WARDEN_TEST_PG_PASSWORD");

  private final String name;
  private final StoreConfig config;

  PostgresTestDatabase() {
    name =
        "warden_test_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 16)
                .toLowerCase(Locale.ROOT);
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String message =
          "PostgreSQL is not reachable at "
              + SERVER
              + " as "
              + USER
              + " ("
              + e.getMessage()
              + "). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start,"
              + " or point WARDEN_TEST_PG_URL at another server.";
      if (System.getenv("CI") != null) {
        throw new AssertionError(message + " Failing, not skipping, because CI is set.", e);
      }
      Assumptions.abort("skipped: " + message);
      throw new AssertionError("unreachable", e);
    }
    config = new StoreConfig(SERVER + name, USER, PASSWORD, 8);
  }

  private static Connection admin() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    if (PASSWORD != null) {
      p.setProperty("password", PASSWORD);
    }
    p.setProperty("connectTimeout", "3");
    return DriverManager.getConnection(SERVER + "postgres", p);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  @Override
  public StoreConfig config() {
    return config;
  }

  @Override
  public void execute(String sql) {
    Properties p = new Properties();
    p.setProperty("user", USER);
    if (PASSWORD != null) {
      p.setProperty("password", PASSWORD);
    }
    try (Connection c = DriverManager.getConnection(config.url(), p);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop test database " + name, e);
    }
  }
}
