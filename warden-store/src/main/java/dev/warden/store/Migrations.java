package dev.warden.store;

import dev.warden.core.error.StoreException;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * Brings the schema up to date with Flyway. Flyway takes a database lock while it migrates, so
 * several nodes starting at once on one PostgreSQL apply each migration once.
 */
final class Migrations {
  private Migrations() {}

  /** The migration files this build ships, one per line (checked against the files by a test). */
  static final String INDEX = "db/migration/index.txt";

  static void apply(DataSource ds, Dialect dialect, String redactedUrl) {
    if (upToDate(ds, dialect)) {
      // Flyway's classpath scan and history validation take most of a second; a database that
      // already has exactly this build's migrations needs neither
      return;
    }
    Flyway flyway =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(ds)
            .locations("classpath:db/migration/common", dialect.migrationLocation())
            .failOnMissingLocations(true)
            .cleanDisabled(true)
            .load();
    try {
      // Flyway by default tolerates migrations it does not know ("future" ones). Refuse instead:
      // an older build writing to a newer schema could corrupt it or miss a constraint.
      String future =
          Arrays.stream(flyway.info().all())
              .filter(
                  m ->
                      m.getState() == MigrationState.FUTURE_SUCCESS
                          || m.getState() == MigrationState.FUTURE_FAILED)
              .map(m -> m.getVersion() + " (" + m.getDescription() + ")")
              .collect(Collectors.joining(", "));
      if (!future.isEmpty()) {
        MigrationInfo latest = latestKnown(flyway);
        throw new StoreException(
            "the database at "
                + redactedUrl
                + " has schema migrations newer than this build knows: "
                + future
                + "; this build knows up to version "
                + (latest == null ? "none" : latest.getVersion())
                + ". Run a Warden release at least as new as the one that last upgraded this database.",
            null);
      }
      flyway.migrate();
    } catch (FlywayException e) {
      throw new StoreException(
          "could not bring the schema of " + redactedUrl + " up to date: " + e.getMessage(), e);
    }
  }

  /** The versions this build ships for a dialect, read from {@link #INDEX}. */
  static java.util.Set<String> shippedVersions(Dialect dialect) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    try (java.io.InputStream in = Migrations.class.getClassLoader().getResourceAsStream(INDEX)) {
      if (in == null) {
        return out;
      }
      for (String line :
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        String l = line.trim();
        int slash = l.indexOf('/');
        if (slash < 0) {
          continue;
        }
        String dir = l.substring(0, slash);
        if (dir.equals("common")
            || ("classpath:db/migration/" + dir).equals(dialect.migrationLocation())) {
          String file = l.substring(slash + 1);
          out.add(file.substring(1, file.indexOf("__")));
        }
      }
    } catch (java.io.IOException e) {
      return java.util.Set.of();
    }
    return out;
  }

  /** True when the database has applied, successfully, exactly the migrations this build ships. */
  private static boolean upToDate(DataSource ds, Dialect dialect) {
    java.util.Set<String> shipped = shippedVersions(dialect);
    if (shipped.isEmpty()) {
      return false;
    }
    java.util.Set<String> applied = new java.util.TreeSet<>();
    try (java.sql.Connection c = ds.getConnection();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")) {
      while (rs.next()) {
        if (!rs.getBoolean(2)) {
          return false;
        }
        applied.add(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      return false; // no history table yet: a new database
    }
    return applied.equals(shipped);
  }

  private static @Nullable MigrationInfo latestKnown(Flyway flyway) {
    MigrationInfo latest = null;
    for (MigrationInfo m : flyway.info().all()) {
      if (m.getState().isResolved()
          && m.getVersion() != null
          && (latest == null || m.getVersion().isNewerThan(latest.getVersion().getVersion()))) {
        latest = m;
      }
    }
    return latest;
  }
}
