package dev.warden.store;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The two databases the store runs on. SQL is shared; only driver settings and some indexes differ.
 */
enum Dialect {
  // H2 writes each commit to its file (WRITE_DELAY=0) but never fsyncs it; CHECKPOINT SYNC forces
  // the file to disk, so a commit survives a power loss as it does on PostgreSQL. (H2Compaction
  // relies on that to shorten how long H2 keeps the space of dead chunks.)
  H2("h2", "CHECKPOINT SYNC", Map.of()),
  // PostgreSQL's commit is durable by itself (synchronous_commit=on, the default)
  POSTGRESQL(
      "postgresql",
      null,
      Map.of(
          // one multi-row INSERT per JDBC batch instead of one round trip per row: the audit hot
          // path
          "reWriteBatchedInserts", "true",
          // keep row values (ids, keys) out of exception messages, which end up in logs
          "logServerErrorDetail", "false",
          "ApplicationName", "warden",
          "connectTimeout", "10",
          "tcpKeepAlive", "true"));

  private final String migrations;
  private final @Nullable String syncAfterCommit;
  private final Map<String, String> driverProperties;

  Dialect(
      String migrations, @Nullable String syncAfterCommit, Map<String, String> driverProperties) {
    this.migrations = migrations;
    this.syncAfterCommit = syncAfterCommit;
    this.driverProperties = driverProperties;
  }

  /** A statement that makes what was committed durable, or null when a commit already is. */
  @Nullable String syncAfterCommit() {
    return syncAfterCommit;
  }

  /**
   * True when the database closed itself after {@code e}: H2 does when it cannot write its file
   * (90098 database closed, 90121 closed at shutdown). PostgreSQL never does: its server lives on.
   */
  boolean closedItself(java.sql.SQLException e) {
    if (this != H2) {
      return false;
    }
    for (java.sql.SQLException s = e; s != null; s = s.getNextException()) {
      if ("90098".equals(s.getSQLState()) || "90121".equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  static Dialect of(String url) {
    return url.startsWith("jdbc:postgresql:") ? POSTGRESQL : H2;
  }

  /** Flyway location of this database's own migrations, next to {@code db/migration/common}. */
  String migrationLocation() {
    return "classpath:db/migration/" + migrations;
  }

  Map<String, String> driverProperties() {
    return driverProperties;
  }
}
