package dev.warden.server.database;

import dev.warden.core.error.TargetException;
import dev.warden.core.model.DatabaseTarget;

/**
 * The tag of engines that have nothing else to tag a user with (MariaDB, Redis): its name. Only
 * names the target's template can make are Warden's to drop (decision 116).
 */
final class NameTag {
  private NameTag() {}

  /** True when {@code username} is a name the target's template makes: a user Warden issued. */
  static boolean matches(DatabaseTarget t, String username) {
    return t.usernameTemplate().pattern().matcher(username).matches();
  }

  /** The names among {@code usernames} the target's template makes: the only ones to remove. */
  static java.util.List<String> ours(DatabaseTarget t, java.util.List<String> usernames) {
    return usernames.stream().filter(u -> matches(t, u)).toList();
  }

  /**
   * Checks an account a brokered secret's rotation names: not the admin, not a user Warden issued.
   *
   * @throws dev.warden.core.error.ValidationException (field {@code rotation.account}) otherwise
   */
  static void requireStatic(DatabaseTarget t, String account) {
    if (account.equals(t.adminUser())) {
      throw new dev.warden.core.error.ValidationException(
          "rotation.account",
          "'"
              + account
              + "' is the admin of "
              + t.where()
              + "; Warden sets only the passwords of other accounts");
    }
    if (matches(t, account)) {
      throw new dev.warden.core.error.ValidationException(
          "rotation.account",
          "'"
              + account
              + "' has the shape of"
              + " the users Warden issues on "
              + t.where()
              + " (spec.database.usernameTemplate): it is not a static account");
    }
  }

  /**
   * @throws TargetException when {@code username} is not a name the target's template makes
   */
  static void require(DatabaseTarget t, String username) {
    if (!matches(t, username)) {
      throw new TargetException(
          "user '"
              + username
              + "' on "
              + t.where()
              + " does not have the shape of spec.database"
              + ".usernameTemplate '"
              + t.usernameTemplate()
              + "'; Warden drops only users it named, so it is left alone",
          false,
          null);
    }
  }
}
