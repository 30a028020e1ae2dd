package dev.warden.store;

import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Named;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Versioned;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One generic store for every kind of configuration object, over {@code config_objects} (the
 * current revision, one row per name) and {@code config_history} (every revision).
 *
 * <p>Design note. Objects are stored as the canonical JSON spec of {@link Documents}, so this class
 * needs no column per field and a model change needs no migration. A deletion leaves a tombstone
 * (spec NULL) so the version keeps counting through delete and re-create and history rows never
 * collide. Races are settled by the database, never by a read followed by a blind write: a create
 * is an INSERT that the primary key lets only one writer win, and a replace is an UPDATE
 * conditional on the version that was read. An unconditional write that loses such a race reads
 * again and retries.
 */
class JdbcObjectStore<T extends Named> implements ObjectStore<T> {
  private static final int UNCONDITIONAL_ATTEMPTS = 16;

  private final Db db;
  private final Kind kind;
  private final Class<T> type;
  private final InstantSource clock;

  JdbcObjectStore(Db db, Kind kind, Class<T> type, InstantSource clock) {
    this.db = db;
    this.kind = kind;
    this.type = type;
    this.clock = clock;
  }

  /** The current revision row, live or a tombstone. */
  private record Row(long version, @Nullable String spec, long updatedAt, String updatedBy) {
    boolean live() {
      return spec != null;
    }
  }

  /** Thrown inside a transaction when an unconditional write lost a race and should start over. */
  private static final class LostRace extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LostRace() {
      super(null, null, false, false);
    }
  }

  @Override
  public Optional<Versioned<T>> get(String name) {
    Objects.requireNonNull(name, "name");
    return db.run(
        "read " + kind.wire() + " '" + name + "'",
        c -> {
          Row row = current(c, name);
          return row == null || !row.live() ? Optional.empty() : Optional.of(versioned(name, row));
        });
  }

  @Override
  public List<Versioned<T>> list() {
    return db.run(
        "list " + kind.plural(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, version, spec, updated_at, updated_by FROM config_objects"
                      + " WHERE kind = ? AND spec IS NOT NULL ORDER BY name")) {
            ps.setString(1, kind.wire());
            try (ResultSet rs = ps.executeQuery()) {
              List<Versioned<T>> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    versioned(
                        rs.getString(1),
                        new Row(rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5))));
              }
              return out;
            }
          }
        });
  }

  @Override
  public Versioned<T> put(T value, long expectedVersion, String actor) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(actor, "actor");
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "a " + kind.wire() + " store cannot hold " + value.getClass().getName());
    }
    if (expectedVersion < -1) {
      throw new IllegalArgumentException(
          "expectedVersion must be -1, 0 or a positive version, got " + expectedVersion);
    }
    String name = value.name();
    String spec = JsonColumns.write(Documents.toSpec(value));
    String what = "write " + kind.wire() + " '" + name + "'";
    for (int attempt = 0; attempt < UNCONDITIONAL_ATTEMPTS; attempt++) {
      try {
        return db.inTransaction(what, c -> put(c, name, spec, expectedVersion, actor));
      } catch (LostRace e) {
        // only unconditional writes retry; the next attempt reads the winner's revision
      }
    }
    throw new ConflictException(
        kind.wire()
            + " '"
            + name
            + "' kept changing during "
            + UNCONDITIONAL_ATTEMPTS
            + " attempts to write it; retry later");
  }

  /**
   * {@link #put} inside a caller's transaction, which must already hold this kind's counter lock.
   */
  Versioned<T> putIn(Connection c, T value, long expectedVersion, String actor)
      throws SQLException {
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "a " + kind.wire() + " store cannot hold " + value.getClass().getName());
    }
    return put(c, value.name(), JsonColumns.write(Documents.toSpec(value)), expectedVersion, actor);
  }

  /**
   * Deletes inside a caller's transaction, which must already hold this kind's counter lock.
   *
   * @throws ConflictException when the object is absent or not at {@code expectedVersion}
   */
  void deleteIn(Connection c, String name, long expectedVersion, String actor) throws SQLException {
    Row cur = current(c, name);
    if (cur == null || !cur.live() || cur.version() != expectedVersion) {
      throw new ConflictException(
          kind.wire()
              + " '"
              + name
              + "' is "
              + (cur == null || !cur.live() ? "absent" : "at version " + cur.version())
              + ", not at the expected version "
              + expectedVersion
              + "; read it again and reapply your change");
    }
    long next = cur.version() + 1;
    long at = Micros.of(clock.instant());
    if (!replace(c, name, cur.version(), next, null, at, actor)) {
      throw lost(name, expectedVersion);
    }
    appendHistory(c, name, next, null, at, actor);
    ChangeCounters.bump(c, kind.wire());
  }

  private Versioned<T> put(Connection c, String name, String spec, long expected, String actor)
      throws SQLException {
    // the counter row first: every configuration writer locks counters before objects, so a
    // single write and a multi-kind commit (JdbcConfigStore) never wait on each other in a cycle
    ChangeCounters.lock(c, kind.wire());
    Row cur = current(c, name);
    boolean live = cur != null && cur.live();
    if (expected == 0 && cur != null && live) {
      throw new ConflictException(
          kind.wire()
              + " '"
              + name
              + "' already exists (version "
              + cur.version()
              + "); read it and pass its version to replace it");
    }
    if (expected > 0 && (cur == null || !live || cur.version() != expected)) {
      throw new ConflictException(
          kind.wire()
              + " '"
              + name
              + "' is "
              + (cur != null && live ? "at version " + cur.version() : "absent")
              + ", not at the expected version "
              + expected
              + "; read it again and reapply your change");
    }
    if (cur != null && live && spec.equals(cur.spec())) {
      return versioned(name, cur); // unchanged: no new revision, no history row, counter stays
    }
    long next = cur == null ? 1 : cur.version() + 1;
    long at = Micros.of(clock.instant());
    if (cur == null) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO config_objects (kind, name, version, spec, updated_at, updated_by) VALUES (?, ?, 1, ?, ?, ?)")) {
        ps.setString(1, kind.wire());
        ps.setString(2, name);
        ps.setString(3, spec);
        ps.setLong(4, at);
        ps.setString(5, actor);
        ps.executeUpdate();
      } catch (SQLException e) {
        if (!Db.isUniqueViolation(e)) {
          throw e;
        }
        throw lost(name, expected);
      }
    } else if (!replace(c, name, cur.version(), next, spec, at, actor)) {
      throw lost(name, expected);
    }
    try {
      appendHistory(c, name, next, spec, at, actor);
    } catch (SQLException e) {
      // H2 can let two conditional UPDATEs of one row both pass under load; the second writer
      // then meets the first one's history row: that is a lost race too, and the transaction rolls
      // back
      if (!Db.isUniqueViolation(e)) {
        throw e;
      }
      throw lost(name, expected);
    }
    ChangeCounters.bump(c, kind.wire());
    return versioned(name, new Row(next, spec, at, actor));
  }

  Kind kind() {
    return kind;
  }

  private RuntimeException lost(String name, long expected) {
    if (expected == -1) {
      return new LostRace();
    }
    return new ConflictException(
        kind.wire()
            + " '"
            + name
            + "' was changed by another writer at the same time;"
            + " read it again and reapply your change");
  }

  @Override
  public boolean delete(String name, String actor) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(actor, "actor");
    String what = "delete " + kind.wire() + " '" + name + "'";
    for (int attempt = 0; attempt < UNCONDITIONAL_ATTEMPTS; attempt++) {
      try {
        return db.inTransaction(
            what,
            c -> {
              ChangeCounters.lock(c, kind.wire());
              Row cur = current(c, name);
              if (cur == null || !cur.live()) {
                return false;
              }
              long next = cur.version() + 1;
              long at = Micros.of(clock.instant());
              if (!replace(c, name, cur.version(), next, null, at, actor)) {
                throw new LostRace();
              }
              try {
                appendHistory(c, name, next, null, at, actor);
              } catch (SQLException e) {
                if (!Db.isUniqueViolation(e)) {
                  throw e;
                }
                throw new LostRace(); // see put: a concurrent writer got this version first
              }
              ChangeCounters.bump(c, kind.wire());
              return true;
            });
      } catch (LostRace e) {
        // someone changed or deleted it meanwhile: look again
      }
    }
    throw new ConflictException(
        kind.wire()
            + " '"
            + name
            + "' kept changing during "
            + UNCONDITIONAL_ATTEMPTS
            + " attempts to delete it; retry later");
  }

  @Override
  public List<Versioned<@Nullable T>> history(String name) {
    Objects.requireNonNull(name, "name");
    return db.run(
        "read the history of " + kind.wire() + " '" + name + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT version, spec, changed_at, changed_by FROM config_history WHERE kind = ? AND name = ? ORDER BY version")) {
            ps.setString(1, kind.wire());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
              List<Versioned<@Nullable T>> out = new ArrayList<>();
              while (rs.next()) {
                String spec = rs.getString(2);
                out.add(
                    new Versioned<>(
                        spec == null ? null : decode(name, spec),
                        rs.getLong(1),
                        Micros.toInstant(rs.getLong(3)),
                        rs.getString(4)));
              }
              return out;
            }
          }
        });
  }

  @Override
  public long changeCounter() {
    return ChangeCounters.read(db, kind.wire());
  }

  private @Nullable Row current(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version, spec, updated_at, updated_by FROM config_objects WHERE kind = ? AND name = ?")) {
      ps.setString(1, kind.wire());
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4))
            : null;
      }
    }
  }

  /** Moves the row from {@code from} to {@code next}; false if another writer moved it first. */
  private boolean replace(
      Connection c, String name, long from, long next, @Nullable String spec, long at, String actor)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE config_objects SET version = ?, spec = ?, updated_at = ?, updated_by = ?"
                + " WHERE kind = ? AND name = ? AND version = ?")) {
      ps.setLong(1, next);
      Db.setText(ps, 2, spec);
      ps.setLong(3, at);
      ps.setString(4, actor);
      ps.setString(5, kind.wire());
      ps.setString(6, name);
      ps.setLong(7, from);
      return ps.executeUpdate() == 1;
    }
  }

  private void appendHistory(
      Connection c, String name, long version, @Nullable String spec, long at, String actor)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO config_history (kind, name, version, spec, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, kind.wire());
      ps.setString(2, name);
      ps.setLong(3, version);
      Db.setText(ps, 4, spec);
      ps.setLong(5, at);
      ps.setString(6, actor);
      ps.executeUpdate();
    }
  }

  private Versioned<T> versioned(String name, Row row) {
    return new Versioned<>(
        // only a live row (one with a spec) is turned into a value
        decode(name, Objects.requireNonNull(row.spec(), "a live row's spec")),
        row.version(),
        Micros.toInstant(row.updatedAt()),
        row.updatedBy());
  }

  private T decode(String name, String spec) {
    return type.cast(Documents.fromSpec(kind, name, JsonColumns.tree(spec)));
  }
}
