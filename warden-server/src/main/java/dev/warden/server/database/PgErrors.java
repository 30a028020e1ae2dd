package dev.warden.server.database;

import java.sql.SQLException;

/**
 * What a PostgreSQL error means to an operator, from its SQLSTATE alone: a fixed phrase, the target
 * field to correct, and whether the server answered at all. Messages never quote a statement, which
 * may carry a password verifier.
 */
final class PgErrors {
  private PgErrors() {}

  /**
   * An error the server itself answered with (a statement refused), not a connection lost on the
   * way.
   */
  static boolean answeredByServer(SQLException e) {
    String state = e.getSQLState();
    return state != null && !state.isEmpty() && !state.startsWith("08") && !state.startsWith("57P");
  }

  /**
   * What went wrong, from the SQLSTATE: a fixed phrase per class, plus the server's or driver's
   * first line for the classes whose messages are about the connection, never about a statement.
   */
  static String reason(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String phrase =
        switch (state) {
          case "28P01" -> "the password was refused";
          case "28000" -> "the login was refused (unknown role, or no pg_hba.conf entry)";
          case "3D000" -> "the database does not exist";
          case "42501" -> "permission denied";
          case "42704" -> "a role it names does not exist";
          case "42710" -> "the user already exists";
          case "2BP01" -> "objects depend on it";
          case "57014" -> "sessions did not end in time";
          case "57P01", "57P02", "57P03" -> "the server is shutting down or starting up";
          case "53300" -> "too many connections";
          default -> state.startsWith("08") ? "cannot connect" : "the database refused";
        };
    String detail = "";
    if (state.startsWith("08")
        || state.startsWith("28")
        || state.equals("3D000")
        || state.startsWith("57")) {
      String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      detail = m.isEmpty() ? "" : " - " + (m.length() > 200 ? m.substring(0, 200) : m);
    }
    return phrase + " (SQLSTATE " + (state.isEmpty() ? "none" : state) + ")" + detail;
  }

  /** The field of the target to correct when the admin cannot log in or reach the server. */
  static String field(SQLException e) {
    String s = e.getSQLState() == null ? "" : e.getSQLState();
    return s.equals("28P01")
        ? "spec.database.adminPasswordSecret"
        : s.startsWith("28") ? "spec.database.adminUser" : "spec.database.url";
  }
}
