package dev.warden.store;

import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.sql.PreparedStatement;
import java.time.Instant;

/**
 * A rotation in progress on the brokered-secret tables: a version row in state 'pending' plus the
 * {@code pending_*} columns of its secret, claimed by one node at a time, released with the error
 * after a failure, then promoted to current or dropped. Every step is one guarded UPDATE of the
 * secret's row, so nodes racing on it serialize there. Apart from {@link JdbcBrokeredSecretStore}
 * because this lifecycle is read and changed on its own (decision and V16 migration).
 */
final class PendingRotations {
  private final Db db;
  private final Runnable changed;

  PendingRotations(Db db, Runnable changed) {
    this.db = db;
    this.changed = changed;
  }

  void addPending(String name, long expectedCurrent, SecretVersion v, Instant at) {
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
              throw SecretSql.notAt(c, name, expectedCurrent);
            }
          }
          SecretSql.insertFollowingVersion(c, name, v);
          return null;
        });
  }

  boolean claimPending(String name, long version, Instant staleBefore, Instant at) {
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

  boolean releasePending(String name, long version, Instant claimedAt, String error, Instant at) {
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

  boolean promotePending(String name, long version, Instant at, String by) {
    return JdbcBrokeredSecretStore.told(
        changed,
        db.inTransaction(
            "promote pending brokered secret version",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE brokered_secrets SET current_version = ?,"
                          + " last_rotated_at = ?, updated_at = ?, updated_by = ?, "
                          + SecretSql.NO_PENDING
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
              SecretSql.prune(c, name);
              ChangeCounters.bump(c, ChangeCounters.BROKERED_SECRETS);
              return true;
            }));
  }

  boolean dropPending(String name, long version, Instant claimedAt) {
    return db.inTransaction(
        "drop pending brokered secret version",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE brokered_secrets SET "
                      + SecretSql.NO_PENDING
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
}
