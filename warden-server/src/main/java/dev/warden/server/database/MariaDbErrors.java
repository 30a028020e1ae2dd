package dev.warden.server.database;

import java.sql.SQLException;

/**
 * MariaDB's errors in an operator's words, from the error code and SQLSTATE, never a statement's
 * text; and which field of the target a failure points at. The counterpart of {@link PgErrors}.
 */
final class MariaDbErrors {
  private MariaDbErrors() {}

  /** What went wrong, from MariaDB's error code; never a statement's text. */
  static String reason(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String phrase =
        switch (e.getErrorCode()) {
          case 1045 -> "the login was refused (wrong password or unknown user)";
          case 1044 -> "access to the database was denied";
          case 1049 -> "the database does not exist";
          case 1227, 1142, 1370 -> "permission denied";
          case 1396 -> "the user operation failed (the user already exists or does not)";
          case 1040 -> "too many connections";
          case 1094 -> "no such session";
          default ->
              state.startsWith("08") || e.getErrorCode() == 0
                  ? "cannot connect"
                  : "the database refused";
        };
    String detail = "";
    if (state.startsWith("08")
        || e.getErrorCode() == 1045
        || e.getErrorCode() == 1049
        || e.getErrorCode() == 0) {
      String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      detail = m.isEmpty() ? "" : " - " + (m.length() > 200 ? m.substring(0, 200) : m);
    }
    return phrase
        + " (error "
        + e.getErrorCode()
        + (state.isEmpty() ? "" : ", SQLSTATE " + state)
        + ")"
        + detail;
  }

  static String field(SQLException e) {
    return switch (e.getErrorCode()) {
      case 1045 -> "spec.database.adminPasswordSecret";
      case 1044, 1227, 1142 -> "spec.database.adminUser";
      default -> "spec.database.url";
    };
  }
}
