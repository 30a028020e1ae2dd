package dev.warden.server.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Results of the JDBC engines' look-ups. */
final class JdbcRows {
  private JdbcRows() {}

  /** The first column of every row the query returns, as strings, in the order returned. */
  static List<String> strings(PreparedStatement ps) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
