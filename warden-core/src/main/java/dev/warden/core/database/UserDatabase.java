package dev.warden.core.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one thing Warden needs from a kind of database: create, find and remove the users it issues.
 * Implementations (PostgreSQL, MariaDB and Redis, in warden-server) quote every identifier by the
 * database's own rules, send a password only as the verifier or hash the database stores, and never
 * put a password or a statement's text in an error.
 */
public interface UserDatabase {

  /** What a removal found and did. */
  enum Removal {
    /** The user existed, carried the marker, and is gone; its sessions were ended. */
    DROPPED,
    /** No such user: nothing to do (it was never created, or is already gone). */
    ABSENT
  }

  /**
   * Checks that Warden can manage users at {@code target} as its admin: connects, and checks the
   * privileges and the roles the target names.
   *
   * @throws ValidationException naming the field that is wrong, with what to do
   */
  void verify(DatabaseTarget target, Secret adminPassword);

  /**
   * Creates a login user: its password (sent only as the verifier or hash the database stores), its
   * privileges (roles, ACL rules) and its tag — in one transaction or one atomic command where the
   * database has them; PostgreSQL also gets the expiry ({@code VALID UNTIL}).
   *
   * @throws TargetException when it could not; {@link TargetException#maybeChanged()} is false when
   *     nothing was created
   */
  void createUser(
      DatabaseTarget target,
      Secret adminPassword,
      String username,
      Secret password,
      Instant validUntil);

  /**
   * Moves the end of an issued user's logins to {@code validUntil}, for a renewed lease, where the
   * database has such an end (PostgreSQL's VALID UNTIL); nothing elsewhere, where the reaper alone
   * ends a user.
   *
   * @throws TargetException when the target cannot be reached or refuses
   */
  default void extendUser(
      DatabaseTarget target, Secret adminPassword, String username, Instant validUntil) {}

  /**
   * Removes a user Warden created: blocks its logins, ends its live sessions, and drops it — only
   * when it carries the target's tag (PostgreSQL: the marker role; MariaDB and Redis: a name the
   * template makes). Idempotent.
   *
   * @throws TargetException when the target cannot be reached, refuses, or the user exists without
   *     the marker (then it is not Warden's to drop)
   */
  Removal removeUser(DatabaseTarget target, Secret adminPassword, String username);

  /**
   * Removes several users of one target, each as {@link #removeUser} would, with fewer round trips
   * and commits where the database allows (the reaper removes a backlog of thousands). This default
   * removes them one at a time.
   *
   * @return what the removal found for each user it removed or found absent; a user missing from
   *     the map was not removed (it failed on its own, say it lacks the marker): removing it alone
   *     with {@link #removeUser} says why
   * @throws TargetException when the batch failed as a whole: with {@link
   *     TargetException#unreachable} the target cannot be reached; otherwise some users may be gone
   *     and some not, and the caller removes them one by one
   */
  default Map<String, Removal> removeUsers(
      DatabaseTarget target, Secret adminPassword, List<String> usernames) {
    Map<String, Removal> out = new LinkedHashMap<>();
    for (String u : usernames) {
      try {
        out.put(u, removeUser(target, adminPassword, u));
      } catch (TargetException e) {
        if (e.unreachable()) {
          throw e;
        }
        // left out: the caller tries it alone and records its error
      }
    }
    return out;
  }

  /**
   * Every user carrying the target's tag (for name-tagged engines: every name with the template's
   * prefix; the caller checks the whole shape).
   *
   * @throws TargetException when the target cannot be reached or refuses
   */
  List<String> markedUsers(DatabaseTarget target, Secret adminPassword);

  /**
   * Sets a new password for the admin user itself (the connection's own role).
   *
   * @throws TargetException when the target cannot be reached or refuses
   */
  void changeAdminPassword(DatabaseTarget target, Secret current, Secret next);

  /**
   * Sets a new password for an existing login account that Warden does not manage (a static account
   * a brokered secret holds the password of), as the admin. The account must exist, must not be the
   * admin itself and must not carry the target's marker role (Warden's own users); nothing else
   * about it changes. The password never appears in a statement's text or an error (PostgreSQL:
   * sent only as a SCRAM verifier).
   *
   * @throws ValidationException (field {@code rotation.account}) when the account does not exist,
   *     is the admin, or carries the marker; nothing was changed
   * @throws TargetException when the target cannot be reached or refuses; {@link
   *     TargetException#maybeChanged()} is false when the password certainly did not change
   */
  void setPassword(DatabaseTarget target, Secret adminPassword, String account, Secret password);
}
