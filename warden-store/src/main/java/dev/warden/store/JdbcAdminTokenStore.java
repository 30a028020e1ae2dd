package dev.warden.store;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.admin.AdminTokenStore;
import dev.warden.core.error.ConflictException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** Admin tokens; only the hash of each secret is stored. Scopes are a sorted JSON array. */
final class JdbcAdminTokenStore implements AdminTokenStore {
  private static final String COLUMNS =
      "SELECT id, name, secret_hash, scopes, created_at, expires_at, revoked_at, created_by FROM admin_tokens";

  private final Db db;

  JdbcAdminTokenStore(Db db) {
    this.db = db;
  }

  @Override
  public void insert(AdminToken t) {
    Objects.requireNonNull(t.id(), "id");
    Objects.requireNonNull(t.secretHash(), "secretHash");
    Objects.requireNonNull(t.createdAt(), "createdAt");
    db.write(
        "insert admin token '" + t.id() + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO admin_tokens (id, name, secret_hash, scopes, created_at, expires_at, revoked_at, created_by)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            Db.setText(ps, 2, t.name());
            ps.setBytes(3, t.secretHash());
            ps.setString(4, JsonColumns.write(new TreeSet<>(t.scopes())));
            ps.setLong(5, Micros.of(t.createdAt()));
            Db.setMicros(ps, 6, t.expiresAt());
            Db.setMicros(ps, 7, t.revokedAt());
            Db.setText(ps, 8, t.createdBy());
            ps.executeUpdate();
            return null;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException(
                  "admin token '" + t.id() + "' already exists; generate a new id");
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<AdminToken> get(String id) {
    Objects.requireNonNull(id, "id");
    return db.run(
        "read admin token '" + id + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE id = ?")) {
            ps.setString(1, id);
            List<AdminToken> found = read(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
          }
        });
  }

  @Override
  public List<AdminToken> list() {
    return db.run(
        "list admin tokens",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(COLUMNS + " ORDER BY created_at, id")) {
            return read(ps);
          }
        });
  }

  @Override
  public boolean revoke(String id, Instant at) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    return db.write(
        "revoke admin token '" + id + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  private static List<AdminToken> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<AdminToken> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new AdminToken(
                rs.getString(1),
                rs.getString(2),
                rs.getBytes(3),
                JsonColumns.stringSet(rs.getString(4)),
                Micros.toInstant(rs.getLong(5)),
                Db.getMicros(rs, 6),
                Db.getMicros(rs, 7),
                rs.getString(8)));
      }
      return out;
    }
  }
}
