package dev.warden.core.database;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.document.Documents;
import dev.warden.core.model.DatabaseTarget;
import java.util.Map;
import java.util.Optional;

/**
 * A database target as the reaper knows it from a lease: parsed from the lease's target record,
 * keyed by what identifies its users (address, admin user, marker role) and named for logs.
 */
final class ReaperTargets {
  private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());

  private ReaperTargets() {}

  static Optional<DatabaseTarget> parse(String json) {
    try {
      return Optional.of(Documents.databaseTarget(new ObjectMapper().readTree(json)));
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "a lease's target record cannot be read: " + e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  static String key(DatabaseTarget t) {
    return t.url() + "|" + t.adminUser() + "|" + t.markerRole();
  }

  static String where(DatabaseTarget t) {
    Map<String, String> c = DatabaseUserProvider.connection(t);
    return c.get("host") + ":" + c.get("port") + "/" + c.get("database");
  }
}
