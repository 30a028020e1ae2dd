package dev.warden.server.database;

import dev.warden.core.error.TargetException;
import dev.warden.core.model.DatabaseTarget;

/**
 * The tag of engines that have nothing else to tag a user with (MariaDB, Redis): its name. Only
 * names the target's template can make are Warden's to drop (decision 116).
 */
final class NameTag {
  private NameTag() {}

  /** @throws TargetException when {@code username} is not a name the target's template makes */
  static void require(DatabaseTarget t, String username) {
    if (!t.usernameTemplate().pattern().matcher(username).matches()) {
      throw new TargetException("user '" + username + "' on " + t.where() + " does not have the shape of spec.database"
          + ".usernameTemplate '" + t.usernameTemplate() + "'; Warden drops only users it named, so it is left alone",
          false, null);
    }
  }
}
