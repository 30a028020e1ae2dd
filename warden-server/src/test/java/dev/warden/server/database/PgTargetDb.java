package dev.warden.server.database;

import dev.warden.core.database.UserDatabase;
import dev.warden.core.model.DatabaseTarget;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** {@link PgTarget} as the provider contract sees it. */
final class PgTargetDb implements TargetDb {
  final PgTarget pg = PgTarget.create();
  final PostgresUsers users = new PostgresUsers(Duration.ofSeconds(3), Duration.ofSeconds(20));

  @Override
  public UserDatabase users() {
    return users;
  }

  @Override
  public DatabaseTarget target(String secretName, int maxLeases) {
    return pg.target(secretName, maxLeases);
  }

  @Override
  public String kind() {
    return "postgres";
  }

  @Override
  public Session connectAs(String user, String password) throws SQLException {
    Connection c = pg.connectAs(user, password);
    return new Session() {
      @Override
      public void use() throws SQLException {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1 FROM ledger");
        }
      }

      @Override
      public void close() {
        try {
          c.close();
        } catch (SQLException ignored) {
          // already ended by the server
        }
      }
    };
  }

  @Override
  public boolean checksPasswords() {
    return false;
  }

  /** The test server trusts local logins: check the SCRAM verifier PostgreSQL would check. */
  @Override
  public boolean passwordMatches(String user, String password) {
    return pg.scramMatches(user, password);
  }

  @Override
  public boolean userExists(String user) {
    return pg.roleExists(user);
  }

  @Override
  public List<String> tagged() {
    return pg.tagged();
  }

  @Override
  public int sessionsOf(String user) {
    return pg.sessionsOf(user);
  }

  @Override
  public void createForeignUser(String name, boolean tagged) {
    pg.sql("CREATE ROLE " + name + " LOGIN");
    if (tagged) {
      pg.sql("GRANT " + pg.marker + " TO " + name);
    }
    pg.ownRole(name);
  }

  @Override
  public void createStaticAccount(String name, String password) {
    pg.sql("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
    pg.ownRole(name);
  }

  @Override
  public void dropForeignUser(String name) {
    pg.sql("DROP ROLE IF EXISTS " + name);
  }

  @Override
  public void close() {
    pg.close();
  }
}
