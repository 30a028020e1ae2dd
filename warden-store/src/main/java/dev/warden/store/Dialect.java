package dev.warden.store;

import java.util.Map;

/** The two databases the store runs on. SQL is shared; only driver settings and some indexes differ. */
enum Dialect {
  H2("h2", Map.of()),
  POSTGRESQL("postgresql", Map.of(
      // one multi-row INSERT per JDBC batch instead of one round trip per row: the audit hot path
      "reWriteBatchedInserts", "true",
      // keep row values (ids, keys) out of exception messages, which end up in logs
      "logServerErrorDetail", "false",
      "ApplicationName", "warden",
      "connectTimeout", "10",
      "tcpKeepAlive", "true"));

  private final String migrations;
  private final Map<String, String> driverProperties;

  Dialect(String migrations, Map<String, String> driverProperties) {
    this.migrations = migrations;
    this.driverProperties = driverProperties;
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
