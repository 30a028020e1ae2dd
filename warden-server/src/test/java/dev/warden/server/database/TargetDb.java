package dev.warden.server.database;

import dev.warden.core.database.UserDatabase;
import dev.warden.core.model.DatabaseTarget;
import java.util.List;

/**
 * A real database of one engine set up for one test class: an admin with only the privileges Warden
 * documents, and what issued users may use. What the provider contract needs to watch.
 */
public interface TargetDb extends AutoCloseable {
  /** The admin's password before any rotation. */
  String INITIAL_ADMIN_PASSWORD = "initial-admin-password";

  /** The engine's real implementation. */
  UserDatabase users();

  /** The target as a resource names it, the admin password in secret {@code secretName}. */
  DatabaseTarget target(String secretName, int maxLeases);

  /** The resource kind, e.g. {@code mariadb}. */
  String kind();

  /** A session as {@code user}; fails when the database refuses the login. */
  Session connectAs(String user, String password) throws Exception;

  boolean userExists(String user);

  /** False where the test server trusts local logins without a password (PostgreSQL here). */
  default boolean checksPasswords() {
    return true;
  }

  /**
   * True when the database would accept {@code password} for {@code user} (by a login where it
   * checks passwords).
   */
  default boolean passwordMatches(String user, String password) {
    try (Session s = connectAs(user, password)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Users that carry this target's tag (marker role, or the template's name prefix). */
  List<String> tagged();

  int sessionsOf(String user);

  /**
   * Creates a user outside Warden with this name, tagged the way the engine tags when it can be.
   */
  void createForeignUser(String name, boolean tagged);

  void dropForeignUser(String name);

  /**
   * Creates a static login account (not Warden's) that may connect, with {@code password}; dropped
   * by {@link #dropForeignUser}.
   */
  void createStaticAccount(String name, String password);

  @Override
  void close();

  /** A live connection as an issued user. */
  interface Session extends AutoCloseable {
    /** Does what the user's privileges allow; throws when the session has been ended. */
    void use() throws Exception;

    @Override
    void close();
  }
}
