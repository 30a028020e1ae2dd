package dev.warden.store;

import dev.warden.core.crypto.EnvelopeCipher.Envelope;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.secret.BrokeredSecretStore;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Brokered secrets (see V11__brokered_secrets.sql and V16__brokered_secret_pending_rotation.sql). A
 * new version and the pruning of old ones happen in one transaction guarded by the current version,
 * so of two writers with the same expected version exactly one wins. A pending rotation is a
 * version row in state 'pending' plus {@code pending_*} columns on the secret; every change of it
 * is one guarded UPDATE of the secret's row, so nodes racing on it serialize on that row.
 */
final class JdbcBrokeredSecretStore implements BrokeredSecretStore {
  private static final String META =
      "SELECT s.name, s.owner, s.description, s.rotation_interval_s, s.max_versions,"
          + " s.rotation_connector, s.rotation_resource, s.rotation_account, s.current_version, s.created_at,"
          + " s.created_by, s.updated_at, s.updated_by, s.last_rotated_at, s.last_read_at, s.last_read_by,"
          + " s.rotation_notice_at, s.pending_version, s.pending_claimed_at, s.pending_attempts, s.pending_failed_at,"
          + " s.pending_error";

  /** Clears every pending_* column. */
  private static final String NO_PENDING =
      "pending_version = NULL, pending_claimed_at = NULL, pending_attempts = 0,"
          + " pending_failed_at = NULL, pending_error = NULL";

  private static final String VERSION =
      "SELECT v.name, v.version, v.state, v.wrapped_key, v.ciphertext,"
          + " v.fingerprint, v.created_at, v.created_by, v.deleted_at, v.destroyed_at";

  private final Db db;
  private final Runnable changed;

  /**
   * @param changed runs after this node committed a change of what {@link #current} returns (a new
   *     current version, a version deleted, undeleted or destroyed, a secret deleted), before the
   *     method returns: it drops what the node caches of opened secrets; other nodes hear of it
   *     through the {@code brokered_secrets} change counter bumped in the same transaction
   */
  JdbcBrokeredSecretStore(Db db, Runnable changed) {
    this.db = db;
    this.changed = changed;
  }

  /** The {@code brokered_secrets} change counter. */
  long changes() {
    return ChangeCounters.read(db, ChangeCounters.BROKERED_SECRETS);
  }

  /** {@code result}, after telling this node's caches when the change happened. */
  private boolean told(boolean result) {
    if (result) {
      changed.run();
    }
    return result;
  }

  @Override
  public Optional<SecretMetadata> get(String name) {
    Objects.requireNonNull(name, "name");
    return db.run(
        "read brokered secret",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(META + " FROM brokered_secrets s WHERE s.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(metadata(rs, 1)) : Optional.<SecretMetadata>empty();
            }
          }
        });
  }

  @Override
  public Optional<Current> current(String name) {
    Objects.requireNonNull(name, "name");
    return db.run(
        "read brokered secret",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  META
                      + ", v.name, v.version, v.state, v.wrapped_key,"
                      + " v.ciphertext, v.fingerprint, v.created_at, v.created_by, v.deleted_at, v.destroyed_at"
                      + " FROM brokered_secrets s LEFT JOIN brokered_secret_versions v"
                      + " ON v.name = s.name AND v.version = s.current_version WHERE s.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<Current>empty();
              }
              SecretMetadata m = metadata(rs, 1);
              rs.getString(23);
              SecretVersion v = rs.wasNull() ? null : version(rs, 23);
              return Optional.of(new Current(m, v));
            }
          }
        });
  }

  @Override
  public List<SecretMetadata> list() {
    return db.run(
        "list brokered secrets",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(META + " FROM brokered_secrets s ORDER BY s.name");
              ResultSet rs = ps.executeQuery()) {
            List<SecretMetadata> out = new ArrayList<>();
            while (rs.next()) {
              out.add(metadata(rs, 1));
            }
            return out;
          }
        });
  }

  @Override
  public Optional<SecretVersion> version(String name, long version) {
    return db.run(
        "read brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  VERSION
                      + " FROM brokered_secret_versions v WHERE v.name = ? AND v.version = ?")) {
            ps.setString(1, name);
            ps.setLong(2, version);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(version(rs, 1)) : Optional.<SecretVersion>empty();
            }
          }
        });
  }

  @Override
  public List<SecretVersion> versions(String name) {
    return db.run(
        "list brokered secret versions",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  VERSION
                      + " FROM brokered_secret_versions v WHERE v.name = ? ORDER BY v.version DESC")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              List<SecretVersion> out = new ArrayList<>();
              while (rs.next()) {
                out.add(version(rs, 1));
              }
              return out;
            }
          }
        });
  }

  @Override
  public void create(SecretMetadata m, SecretVersion first) {
    if (first.version() != 1 || m.currentVersion() != 1) {
      throw new IllegalArgumentException("a new secret starts at version 1");
    }
    boolean created =
        db.inTransaction(
            "create brokered secret",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO brokered_secrets (name, owner, description,"
                          + " rotation_interval_s, max_versions, rotation_connector, rotation_resource, rotation_account,"
                          + " current_version, created_at, created_by, updated_at, updated_by, last_rotated_at)"
                          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)")) {
                ps.setString(1, m.name());
                int i = settings(ps, 2, m.settings());
                ps.setLong(i++, Micros.of(m.createdAt()));
                ps.setString(i++, m.createdBy());
                ps.setLong(i++, Micros.of(m.updatedAt()));
                ps.setString(i++, m.updatedBy());
                ps.setLong(i, Micros.of(m.lastRotatedAt()));
                ps.executeUpdate();
              } catch (SQLException e) {
                if (Db.isUniqueViolation(e)) {
                  return false;
                }
                throw e;
              }
              insertVersion(c, first);
              return true;
            });
    if (!created) {
      throw new ConflictException("secret '" + m.name() + "' exists already");
    }
  }

  @Override
  public void addVersion(
      String name, long expectedCurrent, SecretVersion v, Instant rotatedAt, String by) {
    if (v.version() != expectedCurrent + 1) {
      throw new IllegalArgumentException("the new version must be the expected current one plus 1");
    }
    db.inTransaction(
        "add brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET current_version = ?,"
                      + " last_rotated_at = ?, updated_at = ?, updated_by = ? WHERE name = ? AND current_version = ?"
                      + " AND pending_version IS NULL")) {
            ps.setLong(1, v.version());
            ps.setLong(2, Micros.of(rotatedAt));
            ps.setLong(3, Micros.of(rotatedAt));
            ps.setString(4, by);
            ps.setString(5, name);
            ps.setLong(6, expectedCurrent);
            if (ps.executeUpdate() != 1) {
              throw notAt(c, name, expectedCurrent);
            }
          }
          insertFollowingVersion(c, name, v);
          prune(c, name);
          ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
          return null;
        });
    changed.run();
  }

  @Override
  public void addPending(String name, long expectedCurrent, SecretVersion v, Instant at) {
    if (v.version() != expectedCurrent + 1 || v.state() != VersionState.PENDING) {
      throw new IllegalArgumentException(
          "a pending version is in state pending and follows the expected current one");
    }
    db.inTransaction(
        "add pending brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET pending_version = ?,"
                      + " pending_claimed_at = ?, pending_attempts = 0, pending_failed_at = NULL, pending_error = NULL"
                      + " WHERE name = ? AND current_version = ? AND pending_version IS NULL")) {
            ps.setLong(1, v.version());
            ps.setLong(2, Micros.of(at));
            ps.setString(3, name);
            ps.setLong(4, expectedCurrent);
            if (ps.executeUpdate() != 1) {
              throw notAt(c, name, expectedCurrent);
            }
          }
          insertFollowingVersion(c, name, v);
          return null;
        });
  }

  @Override
  public boolean claimPending(String name, long version, Instant staleBefore, Instant at) {
    return db.write(
        "claim pending brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET pending_claimed_at = ?"
                      + " WHERE name = ? AND pending_version = ? AND (pending_claimed_at IS NULL OR pending_claimed_at < ?)")) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, name);
            ps.setLong(3, version);
            ps.setLong(4, Micros.of(staleBefore));
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean releasePending(
      String name, long version, Instant claimedAt, String error, Instant at) {
    return db.write(
        "release pending brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET pending_claimed_at = NULL,"
                      + " pending_attempts = pending_attempts + 1, pending_failed_at = ?, pending_error = ?"
                      + " WHERE name = ? AND pending_version = ? AND pending_claimed_at = ?")) {
            ps.setLong(1, Micros.of(at));
            ps.setString(
                2, error == null ? null : error.length() > 1024 ? error.substring(0, 1024) : error);
            ps.setString(3, name);
            ps.setLong(4, version);
            ps.setLong(5, Micros.of(claimedAt));
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean promotePending(String name, long version, Instant at, String by) {
    return told(
        db.inTransaction(
            "promote pending brokered secret version",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE brokered_secrets SET current_version = ?,"
                          + " last_rotated_at = ?, updated_at = ?, updated_by = ?, "
                          + NO_PENDING
                          + " WHERE name = ? AND pending_version = ? AND current_version = ?")) {
                ps.setLong(1, version);
                ps.setLong(2, Micros.of(at));
                ps.setLong(3, Micros.of(at));
                ps.setString(4, by);
                ps.setString(5, name);
                ps.setLong(6, version);
                ps.setLong(7, version - 1);
                if (ps.executeUpdate() != 1) {
                  return false;
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE brokered_secret_versions SET state = 'active'"
                          + " WHERE name = ? AND version = ? AND state = 'pending'")) {
                ps.setString(1, name);
                ps.setLong(2, version);
                if (ps.executeUpdate() != 1) {
                  // the secret said pending but the row is not: roll back rather than point at
                  // nothing
                  throw new IllegalStateException(
                      "pending version " + version + " of secret '" + name + "' has no row");
                }
              }
              prune(c, name);
              ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
              return true;
            }));
  }

  @Override
  public boolean dropPending(String name, long version, Instant claimedAt) {
    return db.inTransaction(
        "drop pending brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET "
                      + NO_PENDING
                      + " WHERE name = ? AND pending_version = ? AND pending_claimed_at = ?")) {
            ps.setString(1, name);
            ps.setLong(2, version);
            ps.setLong(3, Micros.of(claimedAt));
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM brokered_secret_versions WHERE name = ? AND version = ? AND state = 'pending'")) {
            ps.setString(1, name);
            ps.setLong(2, version);
            ps.executeUpdate();
          }
          return true;
        });
  }

  @Override
  public boolean updateSettings(String name, SecretSettings s, Instant at, String by) {
    return db.inTransaction(
        "update brokered secret",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET owner = ?, description = ?,"
                      + " rotation_interval_s = ?, max_versions = ?, rotation_connector = ?, rotation_resource = ?,"
                      + " rotation_account = ?, updated_at = ?, updated_by = ? WHERE name = ?")) {
            int i = settings(ps, 1, s);
            ps.setLong(i++, Micros.of(at));
            ps.setString(i++, by);
            ps.setString(i, name);
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          prune(c, name);
          return true;
        });
  }

  @Override
  public boolean changeState(
      String name, long version, VersionState from, VersionState to, Instant at) {
    if (from == VersionState.DESTROYED
        || from == to
        || from == VersionState.PENDING
        || to == VersionState.PENDING) {
      // nothing comes back from destroyed: its ciphertext is gone; pending moves only by its own
      // methods
      return false;
    }
    String set =
        switch (to) {
          case DELETED -> "state = 'deleted', deleted_at = ?";
          case ACTIVE -> "state = 'active', deleted_at = ?";
          case DESTROYED ->
              "state = 'destroyed', wrapped_key = NULL, ciphertext = NULL, destroyed_at = ?";
          case PENDING -> throw new IllegalStateException("unreachable");
        };
    return told(
        db.inTransaction(
            "change brokered secret version",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE brokered_secret_versions SET "
                          + set
                          + " WHERE name = ? AND version = ? AND state = ?")) {
                if (to == VersionState.ACTIVE) {
                  ps.setNull(1, Types.BIGINT);
                } else {
                  ps.setLong(1, Micros.of(at));
                }
                ps.setString(2, name);
                ps.setLong(3, version);
                ps.setString(4, from.wire());
                if (ps.executeUpdate() != 1) {
                  return false;
                }
              }
              ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
              return true;
            }));
  }

  @Override
  public boolean delete(String name) {
    return told(
        db.inTransaction(
            "delete brokered secret",
            c -> {
              // explicit, not only ON DELETE CASCADE: the ciphertexts must be gone whatever the
              // schema
              // says
              for (String t : List.of("brokered_secret_readers", "brokered_secret_versions")) {
                try (PreparedStatement ps =
                    c.prepareStatement("DELETE FROM " + t + " WHERE name = ?")) {
                  ps.setString(1, name);
                  ps.executeUpdate();
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement("DELETE FROM brokered_secrets WHERE name = ?")) {
                ps.setString(1, name);
                if (ps.executeUpdate() != 1) {
                  return false;
                }
              }
              ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
              return true;
            }));
  }

  @Override
  public void recordReads(List<Read> reads) {
    if (reads.isEmpty()) {
      return;
    }
    List<Read> sorted = new ArrayList<>(reads);
    // one order for every node, so two batches never wait on each other's rows
    sorted.sort(Comparator.comparing(Read::name).thenComparing(Read::workload));
    db.inTransaction(
        "record brokered secret reads",
        c -> {
          for (Read r : sorted) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE brokered_secret_readers SET"
                        + " last_read_at = CASE WHEN last_read_at > ? THEN last_read_at ELSE ? END,"
                        + " last_version = CASE WHEN last_read_at > ? THEN last_version ELSE ? END, read_count = read_count + 1"
                        + " WHERE name = ? AND workload = ?")) {
              long at = Micros.of(r.at());
              ps.setLong(1, at);
              ps.setLong(2, at);
              ps.setLong(3, at);
              ps.setLong(4, r.version());
              ps.setString(5, r.name());
              ps.setString(6, r.workload());
              if (ps.executeUpdate() == 0) {
                // the secret may have been deleted meanwhile: insert only while it exists
                try (PreparedStatement ins =
                    c.prepareStatement(
                        "INSERT INTO brokered_secret_readers (name, workload,"
                            + " last_read_at, last_version, read_count) SELECT name, ?, ?, ?, 1 FROM brokered_secrets"
                            + " WHERE name = ?")) {
                  ins.setString(1, r.workload());
                  ins.setLong(2, at);
                  ins.setLong(3, r.version());
                  ins.setString(4, r.name());
                  ins.executeUpdate();
                }
              }
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE brokered_secrets SET last_read_at = ?,"
                        + " last_read_by = ? WHERE name = ? AND (last_read_at IS NULL OR last_read_at < ?)")) {
              long at = Micros.of(r.at());
              ps.setLong(1, at);
              ps.setString(2, r.workload());
              ps.setString(3, r.name());
              ps.setLong(4, at);
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  @Override
  public List<Reader> readers(String name, Instant since) {
    return readers(since).getOrDefault(name, List.of()).stream().toList();
  }

  @Override
  public Map<String, List<Reader>> readers(Instant since) {
    return db.run(
        "list brokered secret readers",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, workload, last_read_at, last_version, read_count"
                      + " FROM brokered_secret_readers WHERE last_read_at >= ? ORDER BY name, last_read_at DESC, workload")) {
            ps.setLong(1, Micros.of(since));
            Map<String, List<Reader>> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(
                        new Reader(
                            rs.getString(2),
                            Micros.toInstant(rs.getLong(3)),
                            rs.getLong(4),
                            rs.getLong(5)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public boolean markRotationNotice(String name, Instant previous, Instant at) {
    return db.write(
        "mark brokered secret rotation notice",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET rotation_notice_at = ?"
                      + " WHERE name = ? AND "
                      + (previous == null
                          ? "rotation_notice_at IS NULL"
                          : "rotation_notice_at = ?"))) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, name);
            if (previous != null) {
              ps.setLong(3, Micros.of(previous));
            }
            return ps.executeUpdate() == 1;
          }
        });
  }

  /** Why a write guarded by the current version (and no pending rotation) changed nothing. */
  private static RuntimeException notAt(Connection c, String name, long expectedCurrent)
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
  private static void prune(Connection c, String name) throws SQLException {
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
  private static void insertFollowingVersion(Connection c, String name, SecretVersion v)
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

  private static void insertVersion(Connection c, SecretVersion v) throws SQLException {
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

  private static int settings(PreparedStatement ps, int i, SecretSettings s) throws SQLException {
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

  private static SecretMetadata metadata(ResultSet rs, int i) throws SQLException {
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

  private static @Nullable PendingRotation pending(ResultSet rs, int i) throws SQLException {
    long version = rs.getLong(i);
    if (rs.wasNull()) {
      return null;
    }
    return new PendingRotation(
        version, instant(rs, i + 1), rs.getInt(i + 2), instant(rs, i + 3), rs.getString(i + 4));
  }

  private static SecretVersion version(ResultSet rs, int i) throws SQLException {
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

  private static @Nullable Instant instant(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : Micros.toInstant(v);
  }
}
