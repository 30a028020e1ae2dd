package dev.warden.scan.internal.verify;

import dev.warden.scan.Verification;
import dev.warden.scan.Verified;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A test login over JDBC (PostgreSQL, MariaDB/MySQL) to the resource's own URL, so its TLS settings
 * apply. Only an authentication refusal is "not working"; any other failure (network, TLS, a
 * database the user may not open) says nothing about the password and is unknown — except MariaDB's
 * "access denied to database", which comes after the password was accepted.
 */
final class JdbcLogin implements Login {
  private final int timeoutSeconds;

  JdbcLogin(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  @Override
  public Verification attempt(Target t, DatabaseCredential c) {
    Properties p = new Properties();
    p.setProperty("user", c.user());
    p.setProperty("password", c.password());
    Driver driver;
    if (t.engine() == Engine.POSTGRES) {
      driver = new org.postgresql.Driver();
      p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
      p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
      p.setProperty("socketTimeout", Integer.toString(timeoutSeconds * 2));
      p.setProperty("ApplicationName", "warden-scan-verify");
    } else {
      driver = new org.mariadb.jdbc.Driver();
      p.setProperty("connectTimeout", Integer.toString(timeoutSeconds * 1000));
      p.setProperty("socketTimeout", Integer.toString(timeoutSeconds * 2000));
    }
    String where = "test login to resource " + t.resource() + " as " + c.user();
    try (Connection conn = driver.connect(t.url(), p)) {
      if (conn == null) {
        return new Verification(
            Verified.UNKNOWN, where + ": the driver does not accept the resource's URL");
      }
      return new Verification(Verified.TRUE, where + " succeeded");
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.equals("28P01")
          || (t.engine() == Engine.POSTGRES && state.equals("28000"))
          || e.getErrorCode() == 1045) {
        return new Verification(
            Verified.FALSE,
            where + " refused (" + (state.isEmpty() ? e.getErrorCode() : state) + ")");
      }
      if (t.engine() == Engine.MARIADB && e.getErrorCode() == 1044) {
        return new Verification(
            Verified.TRUE, where + " succeeded (the password was accepted; the database was not)");
      }
      return new Verification(
          Verified.UNKNOWN,
          where
              + " failed: "
              + (state.isEmpty() ? "error " + e.getErrorCode() : "SQLSTATE " + state));
    }
  }
}
