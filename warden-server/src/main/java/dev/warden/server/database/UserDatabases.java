package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.UserDatabase;
import dev.warden.core.model.DatabaseEngine;
import dev.warden.core.model.DatabaseTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Every engine Warden issues users in, each target sent to its own engine's implementation. */
public final class UserDatabases implements UserDatabase {
  private final Map<DatabaseEngine, UserDatabase> engines = new EnumMap<>(DatabaseEngine.class);

  /**
   * @param connectTimeout how long a target that does not answer may hold up a request
   */
  public UserDatabases(Duration connectTimeout, Duration socketTimeout) {
    engines.put(DatabaseEngine.POSTGRES, new PostgresUsers(connectTimeout, socketTimeout));
    engines.put(DatabaseEngine.MARIADB, new MariaDbUsers(connectTimeout, socketTimeout));
    engines.put(DatabaseEngine.REDIS, new RedisUsers(connectTimeout, socketTimeout));
  }

  private UserDatabase of(DatabaseTarget t) {
    // the constructor registers every DatabaseEngine
    return Objects.requireNonNull(engines.get(t.engine()), "engine");
  }

  @Override
  public void verify(DatabaseTarget t, Secret adminPassword) {
    of(t).verify(t, adminPassword);
  }

  @Override
  public void createUser(
      DatabaseTarget t,
      Secret adminPassword,
      String username,
      Secret password,
      Instant validUntil) {
    of(t).createUser(t, adminPassword, username, password, validUntil);
  }

  @Override
  public void extendUser(
      DatabaseTarget t, Secret adminPassword, String username, Instant validUntil) {
    of(t).extendUser(t, adminPassword, username, validUntil);
  }

  @Override
  public Removal removeUser(DatabaseTarget t, Secret adminPassword, String username) {
    return of(t).removeUser(t, adminPassword, username);
  }

  @Override
  public Map<String, Removal> removeUsers(
      DatabaseTarget t, Secret adminPassword, List<String> usernames) {
    return of(t).removeUsers(t, adminPassword, usernames);
  }

  @Override
  public List<String> markedUsers(DatabaseTarget t, Secret adminPassword) {
    return of(t).markedUsers(t, adminPassword);
  }

  @Override
  public void setPassword(DatabaseTarget t, Secret adminPassword, String account, Secret password) {
    of(t).setPassword(t, adminPassword, account, password);
  }

  @Override
  public void changeAdminPassword(DatabaseTarget t, Secret current, Secret next) {
    of(t).changeAdminPassword(t, current, next);
  }
}
