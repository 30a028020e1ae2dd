package dev.warden.store;

import dev.warden.core.database.TargetSecretStore;
import dev.warden.core.error.ConflictException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sealed target secrets (see V10__target_leases.sql). Versions make a concurrent second writer
 * fail.
 */
final class JdbcTargetSecretStore implements TargetSecretStore {
  private static final String COLUMNS =
      "SELECT name, ciphertext, fingerprint, version, updated_at, updated_by FROM target_secrets";

  private final Db db;

  JdbcTargetSecretStore(Db db) {
    this.db = db;
  }

  @Override
  public Optional<Sealed> get(String name) {
    Objects.requireNonNull(name, "name");
    List<Sealed> found =
        db.run(
            "read target secret '" + name + "'",
            c -> {
              try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE name = ?")) {
                ps.setString(1, name);
                return read(ps);
              }
            });
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
  }

  @Override
  public List<Sealed> list() {
    return db.run(
        "list target secrets",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(COLUMNS + " ORDER BY name")) {
            return read(ps);
          }
        });
  }

  @Override
  public long put(
      String name,
      byte[] ciphertext,
      String fingerprint,
      long expectedVersion,
      Instant at,
      String by) {
    Objects.requireNonNull(name, "name");
    long next = expectedVersion + 1;
    boolean written =
        db.write(
            "store target secret '" + name + "'",
            c -> {
              if (expectedVersion == 0) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "INSERT INTO target_secrets (name, ciphertext, fingerprint,"
                            + " version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?)")) {
                  ps.setString(1, name);
                  ps.setBytes(2, ciphertext);
                  ps.setString(3, fingerprint);
                  ps.setLong(4, Micros.of(at));
                  ps.setString(5, by);
                  ps.executeUpdate();
                  return true;
                } catch (SQLException e) {
                  if (Db.isUniqueViolation(e)) {
                    return false;
                  }
                  throw e;
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE target_secrets SET ciphertext = ?, fingerprint = ?,"
                          + " version = ?, updated_at = ?, updated_by = ? WHERE name = ? AND version = ?")) {
                ps.setBytes(1, ciphertext);
                ps.setString(2, fingerprint);
                ps.setLong(3, next);
                ps.setLong(4, Micros.of(at));
                ps.setString(5, by);
                ps.setString(6, name);
                ps.setLong(7, expectedVersion);
                return ps.executeUpdate() == 1;
              }
            });
    if (!written) {
      throw new ConflictException(
          "target secret '" + name + "' was changed by another request; retry");
    }
    return next;
  }

  private static List<Sealed> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<Sealed> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new Sealed(
                rs.getString(1),
                rs.getBytes(2),
                rs.getString(3),
                rs.getLong(4),
                Micros.toInstant(rs.getLong(5)),
                rs.getString(6)));
      }
      return out;
    }
  }
}
