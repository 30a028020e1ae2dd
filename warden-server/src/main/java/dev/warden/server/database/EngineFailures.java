package dev.warden.server.database;

import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import org.jspecify.annotations.Nullable;

/**
 * The failures every engine reports in the same words, so that an operator reads one message
 * whichever engine a target runs. Each takes the engine's own reason phrase, which never quotes a
 * statement or a secret.
 */
final class EngineFailures {
  private EngineFailures() {}

  /** The admin could not connect or look around while a target was checked. */
  static ValidationException cannotManage(DatabaseTarget t, String field, String reason) {
    return new ValidationException(
        field, "cannot manage users on " + t.where() + " as '" + t.adminUser() + "': " + reason);
  }

  /**
   * A role the target names does not exist.
   *
   * @param howToCreate what the role must be created as, e.g. {@code NOLOGIN}
   */
  static ValidationException missingRole(DatabaseTarget t, String role, String howToCreate) {
    return new ValidationException(
        "spec.database.roles",
        "role '"
            + role
            + "' does not exist on "
            + t.where()
            + "; create it ("
            + howToCreate
            + ", with the privileges issued users should have) first");
  }

  /**
   * The admin may not grant a role the target names.
   *
   * @param remedy what follows the refusal: how to give the admin that right
   */
  static ValidationException cannotGrant(DatabaseTarget t, String role, String remedy) {
    return new ValidationException(
        "spec.database.roles",
        "'" + t.adminUser() + "' may not grant role '" + role + "'" + remedy);
  }

  /** No admin connection: nothing was done. */
  static TargetException unreachable(DatabaseTarget t, String reason, Exception cause) {
    return TargetException.unreachable("cannot reach " + t.where() + ": " + reason, cause);
  }

  /** What a failed creation says of a user that may exist: the reaper finds it by its name. */
  static final String REAPER_REMOVES_IT = " (it may exist; the reaper removes it)";

  /**
   * Creating a user failed.
   *
   * @param mayExist how the user may have been created after all (a parenthesis, e.g. {@code " (it
   *     may exist; the reaper removes it)"}), or null when nothing was created
   */
  static TargetException createFailed(
      DatabaseTarget t, String reason, @Nullable String mayExist, Exception cause) {
    return new TargetException(
        "could not create the user on "
            + t.where()
            + ": "
            + reason
            + (mayExist != null ? mayExist : "; nothing was created"),
        mayExist != null,
        cause);
  }

  /** Removing a user failed part-way; it may still exist. */
  static TargetException removeFailed(
      DatabaseTarget t, String username, String reason, Exception cause) {
    return new TargetException(
        "could not remove user '" + username + "' from " + t.where() + ": " + reason, true, cause);
  }

  /** Removing several users failed part-way; any of them may still exist. */
  static TargetException removeAllFailed(
      DatabaseTarget t, int users, String reason, Exception cause) {
    return new TargetException(
        "could not remove " + users + " users from " + t.where() + ": " + reason, true, cause);
  }

  /** The users a target holds could not be listed; nothing changed. */
  static TargetException listFailed(DatabaseTarget t, String reason, Exception cause) {
    return new TargetException(
        "cannot list the users of " + t.where() + ": " + reason, false, cause);
  }

  /**
   * Setting a static account's password failed.
   *
   * @param mayHaveChanged whether the target may hold the new password anyway
   */
  static TargetException setPasswordFailed(
      DatabaseTarget t, String account, String reason, boolean mayHaveChanged, Exception cause) {
    return new TargetException(
        "could not set the password of '" + account + "' on " + t.where() + ": " + reason,
        mayHaveChanged,
        cause);
  }

  /** Changing the admin's own password failed; the target may hold the new one anyway. */
  static TargetException adminPasswordFailed(DatabaseTarget t, String reason, Exception cause) {
    return new TargetException(
        "could not change the admin password on " + t.where() + ": " + reason, true, cause);
  }

  /**
   * An account the target does not hold was named for rotation.
   *
   * @param what how the engine calls an account, e.g. {@code "user"}
   */
  static ValidationException noSuchAccount(DatabaseTarget t, String what, String account) {
    return new ValidationException(
        "rotation.account",
        "no "
            + what
            + " named '"
            + account
            + "' exists on "
            + t.where()
            + "; create the account first, or name the right one");
  }
}
