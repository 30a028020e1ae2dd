package dev.warden.store;

import dev.warden.core.error.StoreException;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * Brings the schema up to date with Flyway. Flyway takes a database lock while it migrates, so
 * several nodes starting at once on one PostgreSQL apply each migration once.
 */
final class Migrations {
  private Migrations() {}

  static void apply(DataSource ds, Dialect dialect, String redactedUrl) {
    Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(ds)
        .locations("classpath:db/migration/common", dialect.migrationLocation())
        .failOnMissingLocations(true)
        .cleanDisabled(true)
        .load();
    try {
      // Flyway by default tolerates migrations it does not know ("future" ones). Refuse instead:
      // an older build writing to a newer schema could corrupt it or miss a constraint.
      String future = Arrays.stream(flyway.info().all())
          .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
          .map(m -> m.getVersion() + " (" + m.getDescription() + ")")
          .collect(Collectors.joining(", "));
      if (!future.isEmpty()) {
        MigrationInfo latest = latestKnown(flyway);
        throw new StoreException("the database at " + redactedUrl + " has schema migrations newer than this build knows: "
            + future + "; this build knows up to version " + (latest == null ? "none" : latest.getVersion())
            + ". Run a Warden release at least as new as the one that last upgraded this database.", null);
      }
      flyway.migrate();
    } catch (FlywayException e) {
      throw new StoreException("could not bring the schema of " + redactedUrl + " up to date: " + e.getMessage(), e);
    }
  }

  private static MigrationInfo latestKnown(Flyway flyway) {
    MigrationInfo latest = null;
    for (MigrationInfo m : flyway.info().all()) {
      if (m.getState().isResolved() && m.getVersion() != null
          && (latest == null || m.getVersion().isNewerThan(latest.getVersion().getVersion()))) {
        latest = m;
      }
    }
    return latest;
  }
}
