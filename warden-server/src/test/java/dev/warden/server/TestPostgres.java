package dev.warden.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** A fresh database on the machine's PostgreSQL for tests that run server nodes on it. */
final class TestPostgres {
  static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  private TestPostgres() {}

  /**
   * Creates {@code <prefix><random>} and returns its name. Without PostgreSQL the test is skipped,
   * except under CI, where a missing database must fail the build rather than pass it quietly.
   */
  static String createDatabase(String prefix) {
    String database = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(ADMIN_URL, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      if (System.getenv("CI") != null) {
        throw new AssertionError(
            "PostgreSQL at 127.0.0.1:5432 is required under CI: " + e.getMessage(), e);
      }
      Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable: " + e.getMessage());
    }
    return database;
  }
}
