package dev.warden.store;

import dev.warden.core.crypto.EnvelopeCipher.Envelope;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.secret.PendingRotation;
import dev.warden.core.secret.RotationSpec;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The SQL that the brokered-secret store and its pending rotations share: the columns and row
 * mapping of a secret and of a version, inserting a version, pruning old ones, and the reason a
 * write guarded by the current version changed nothing. Static, on the caller's connection, so that
 * each caller keeps its own transaction.
 */
final class SecretSql {
  static final String META =
      "SELECT s.name, s.owner, s.description, s.rotation_interval_s, s.max_versions,"
          + " s.rotation_connector, s.rotation_resource, s.rotation_account, s.current_version, s.created_at,"
          + " s.created_by, s.updated_at, s.updated_by, s.last_rotated_at, s.last_read_at, s.last_read_by,"
          + " s.rotation_notice_at, s.pending_version, s.pending_claimed_at, s.pending_attempts, s.pending_failed_at,"
          + " s.pending_error";

  /** Clears every pending_* column. */
  static final String NO_PENDING =
      "pending_version = NULL, pending_claimed_at = NULL, pending_attempts = 0,"
          + " pending_failed_at = NULL, pending_error = NULL";

  static final String VERSION =
      "SELECT v.name, v.version, v.state, v.wrapped_key, v.ciphertext,"
          + " v.fingerprint, v.created_at, v.created_by, v.deleted_at, v.destroyed_at";

  private SecretSql() {}

  /** Why a write guarded by the current version (and no pending rotation) changed nothing. */
  static RuntimeException notAt(Connection c, String name, long expectedCurrent)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_version, pending_version FROM brokered_secrets WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new NotFoundException("brokered secret", name);
        }
        long current = rs.getLong(1);
        long pending = rs.getLong(2);
        if (!rs.wasNull()) {
          return new ConflictException(
              "secret '" + name + "' has a rotation pending (version " + pending + ")");
        }
        return new ConflictException(
            "secret '" + name + "' is at version " + current + ", not " + expectedCurrent);
      }
    }
  }

  /**
   * Removes the oldest versions beyond the secret's max_versions (the current one is always kept).
   */
  static void prune(Connection c, String name) throws SQLException {
    long current;
    int max;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_version, max_versions FROM brokered_secrets WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        current = rs.getLong(1);
        max = rs.getInt(2);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM brokered_secret_versions WHERE name = ? AND version <= ?")) {
      ps.setString(1, name);
      ps.setLong(2, current - max);
      ps.executeUpdate();
    }
  }

  /**
   * Inserts the version that follows the current one just checked; a writer that got there first
   * with the same version number is a conflict, not an error.
   */
  static void insertFollowingVersion(Connection c, String name, SecretVersion v)
      throws SQLException {
    try {
      insertVersion(c, v);
    } catch (SQLException e) {
      if (Db.isUniqueViolation(e)) {
        throw new ConflictException(
            "version " + v.version() + " of secret '" + name + "' exists already");
      }
      throw e;
    }
  }

  static void insertVersion(Connection c, SecretVersion v) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO brokered_secret_versions (name, version, state,"
                + " wrapped_key, ciphertext, fingerprint, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, v.name());
      ps.setLong(2, v.version());
      ps.setString(3, v.state().wire());
      if (v.envelope() == null) {
        ps.setNull(4, Types.BINARY);
        ps.setNull(5, Types.BINARY);
      } else {
        ps.setBytes(4, v.envelope().wrappedKey());
        ps.setBytes(5, v.envelope().ciphertext());
      }
      ps.setString(6, v.fingerprint());
      ps.setLong(7, Micros.of(v.createdAt()));
      ps.setString(8, v.createdBy());
      ps.executeUpdate();
    }
  }

  static int settings(PreparedStatement ps, int i, SecretSettings s) throws SQLException {
    ps.setString(i++, s.owner());
    ps.setString(i++, s.description());
    if (s.rotationInterval() == null) {
      ps.setNull(i++, Types.BIGINT);
    } else {
      ps.setLong(i++, s.rotationInterval().toSeconds());
    }
    ps.setInt(i++, s.maxVersions());
    RotationSpec r = s.rotation();
    ps.setString(i++, r == null ? null : r.connector());
    ps.setString(i++, r == null ? null : r.resource());
    ps.setString(i++, r == null ? null : r.account());
    return i;
  }

  static SecretMetadata metadata(ResultSet rs, int i) throws SQLException {
    String name = rs.getString(i);
    String owner = rs.getString(i + 1);
    String description = rs.getString(i + 2);
    long interval = rs.getLong(i + 3);
    Duration rotationInterval = rs.wasNull() ? null : Duration.ofSeconds(interval);
    int max = rs.getInt(i + 4);
    String connector = rs.getString(i + 5);
    RotationSpec rotation =
        connector == null
            ? null
            : new RotationSpec(connector, rs.getString(i + 6), rs.getString(i + 7));
    return new SecretMetadata(
        name,
        new SecretSettings(owner, description, rotationInterval, max, rotation),
        rs.getLong(i + 8),
        Micros.toInstant(rs.getLong(i + 9)),
        rs.getString(i + 10),
        Micros.toInstant(rs.getLong(i + 11)),
        rs.getString(i + 12),
        Micros.toInstant(rs.getLong(i + 13)),
        instant(rs, i + 14),
        rs.getString(i + 15),
        instant(rs, i + 16),
        pending(rs, i + 17));
  }

  static @Nullable PendingRotation pending(ResultSet rs, int i) throws SQLException {
    long version = rs.getLong(i);
    if (rs.wasNull()) {
      return null;
    }
    return new PendingRotation(
        version, instant(rs, i + 1), rs.getInt(i + 2), instant(rs, i + 3), rs.getString(i + 4));
  }

  static SecretVersion version(ResultSet rs, int i) throws SQLException {
    byte[] key = rs.getBytes(i + 3);
    byte[] ciphertext = rs.getBytes(i + 4);
    return new SecretVersion(
        rs.getString(i),
        rs.getLong(i + 1),
        VersionState.fromWire(rs.getString(i + 2)),
        ciphertext == null ? null : new Envelope(key, ciphertext),
        rs.getString(i + 5),
        Micros.toInstant(rs.getLong(i + 6)),
        rs.getString(i + 7),
        instant(rs, i + 8),
        instant(rs, i + 9));
  }

  static @Nullable Instant instant(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : Micros.toInstant(v);
  }
}
