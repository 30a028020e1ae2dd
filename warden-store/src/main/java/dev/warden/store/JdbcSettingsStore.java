package dev.warden.store;

import dev.warden.core.store.SettingsStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * Installation-wide settings. {@link #putIfAbsent} is a plain INSERT that the primary key lets only
 * one node win, which is what the bootstrap marker needs: exactly one node creates the first admin
 * token.
 */
final class JdbcSettingsStore implements SettingsStore {
  private static final int PUT_ATTEMPTS = 8;

  private final Db db;

  JdbcSettingsStore(Db db) {
    this.db = db;
  }

  @Override
  public Optional<byte[]> get(String key) {
    Objects.requireNonNull(key, "key");
    return db.run(
        "read setting '" + key + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT setting_value FROM settings WHERE name = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public boolean putIfAbsent(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return db.write(
        "store setting '" + key + "'",
        c ->
            insert(
                c.prepareStatement("INSERT INTO settings (name, setting_value) VALUES (?, ?)"),
                key,
                value));
  }

  @Override
  public void put(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    // UPDATE, else INSERT; a concurrent first INSERT makes ours fail, and the next UPDATE then
    // wins.
    // Portable on both databases, unlike MERGE or ON CONFLICT.
    db.write(
        "store setting '" + key + "'",
        c -> {
          for (int i = 0; i < PUT_ATTEMPTS; i++) {
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE settings SET setting_value = ? WHERE name = ?")) {
              ps.setBytes(1, value);
              ps.setString(2, key);
              if (ps.executeUpdate() == 1) {
                return null;
              }
            }
            if (insert(
                c.prepareStatement("INSERT INTO settings (name, setting_value) VALUES (?, ?)"),
                key,
                value)) {
              return null;
            }
          }
          throw new SQLException(
              "setting '" + key + "' kept changing during " + PUT_ATTEMPTS + " attempts", "40001");
        });
  }

  /** Runs and closes the INSERT; false if the key already exists. */
  private static boolean insert(PreparedStatement ps, String key, byte[] value)
      throws SQLException {
    try (ps) {
      ps.setString(1, key);
      ps.setBytes(2, value);
      ps.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (Db.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }
}
