package dev.warden.store;

import dev.warden.core.error.ConflictException;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Brokered secrets (see V11__brokered_secrets.sql and V16__brokered_secret_pending_rotation.sql). A
 * new version and the pruning of old ones happen in one transaction guarded by the current version,
 * so of two writers with the same expected version exactly one wins. A pending rotation is a
 * version row in state 'pending' plus {@code pending_*} columns on the secret; every change of it
 * is one guarded UPDATE of the secret's row, so nodes racing on it serialize on that row. That
 * lifecycle is {@link PendingRotations}, the readers table {@link SecretReaders}, and the columns
 * and statements both use {@link SecretSql}.
 */
final class JdbcBrokeredSecretStore implements BrokeredSecretStore {
  private final Db db;
  private final Runnable changed;
  private final PendingRotations pending;
  private final SecretReaders readers;

  /**
   * @param changed runs after this node committed a change of what {@link #current} returns (a new
   *     current version, a version deleted, undeleted or destroyed, a secret deleted), before the
   *     method returns: it drops what the node caches of opened secrets; other nodes hear of it
   *     through the {@code brokered_secrets} change counter bumped in the same transaction
   */
  JdbcBrokeredSecretStore(Db db, Runnable changed) {
    this.db = db;
    this.changed = changed;
    this.pending = new PendingRotations(db, changed);
    this.readers = new SecretReaders(db);
  }

  /** The {@code brokered_secrets} change counter. */
  long changes() {
    return ChangeCounters.read(db, ChangeCounters.BROKERED_SECRETS);
  }

  /** {@code result}, after telling this node's caches when the change happened. */
  private boolean told(boolean result) {
    return told(changed, result);
  }

  static boolean told(Runnable changed, boolean result) {
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
              c.prepareStatement(SecretSql.META + " FROM brokered_secrets s WHERE s.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(SecretSql.metadata(rs, 1))
                  : Optional.<SecretMetadata>empty();
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
                  SecretSql.META
                      + ", v.name, v.version, v.state, v.wrapped_key,"
                      + " v.ciphertext, v.fingerprint, v.created_at, v.created_by, v.deleted_at, v.destroyed_at"
                      + " FROM brokered_secrets s LEFT JOIN brokered_secret_versions v"
                      + " ON v.name = s.name AND v.version = s.current_version WHERE s.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<Current>empty();
              }
              SecretMetadata m = SecretSql.metadata(rs, 1);
              rs.getString(23);
              SecretVersion v = rs.wasNull() ? null : SecretSql.version(rs, 23);
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
                  c.prepareStatement(SecretSql.META + " FROM brokered_secrets s ORDER BY s.name");
              ResultSet rs = ps.executeQuery()) {
            List<SecretMetadata> out = new ArrayList<>();
            while (rs.next()) {
              out.add(SecretSql.metadata(rs, 1));
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
                  SecretSql.VERSION
                      + " FROM brokered_secret_versions v WHERE v.name = ? AND v.version = ?")) {
            ps.setString(1, name);
            ps.setLong(2, version);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(SecretSql.version(rs, 1))
                  : Optional.<SecretVersion>empty();
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
                  SecretSql.VERSION
                      + " FROM brokered_secret_versions v WHERE v.name = ? ORDER BY v.version DESC")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              List<SecretVersion> out = new ArrayList<>();
              while (rs.next()) {
                out.add(SecretSql.version(rs, 1));
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
                int i = SecretSql.settings(ps, 2, m.settings());
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
              SecretSql.insertVersion(c, first);
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
              throw SecretSql.notAt(c, name, expectedCurrent);
            }
          }
          SecretSql.insertFollowingVersion(c, name, v);
          SecretSql.prune(c, name);
          ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
          return null;
        });
    changed.run();
  }

  @Override
  public void addPending(String name, long expectedCurrent, SecretVersion v, Instant at) {
    pending.addPending(name, expectedCurrent, v, at);
  }

  @Override
  public boolean claimPending(String name, long version, Instant staleBefore, Instant at) {
    return pending.claimPending(name, version, staleBefore, at);
  }

  @Override
  public boolean releasePending(
      String name, long version, Instant claimedAt, String error, Instant at) {
    return pending.releasePending(name, version, claimedAt, error, at);
  }

  @Override
  public boolean promotePending(String name, long version, Instant at, String by) {
    return pending.promotePending(name, version, at, by);
  }

  @Override
  public boolean dropPending(String name, long version, Instant claimedAt) {
    return pending.dropPending(name, version, claimedAt);
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
            int i = SecretSql.settings(ps, 1, s);
            ps.setLong(i++, Micros.of(at));
            ps.setString(i++, by);
            ps.setString(i, name);
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          SecretSql.prune(c, name);
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
    readers.recordReads(reads);
  }

  @Override
  public List<Reader> readers(String name, Instant since) {
    return readers.readers(name, since);
  }

  @Override
  public Map<String, List<Reader>> readers(Instant since) {
    return readers.readers(since);
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
}
