package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Named;
import dev.warden.core.store.ConfigStore;
import dev.warden.core.store.Versioned;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Multi-kind configuration changes in one transaction. The kinds' counter rows are locked first,
 * always in {@link Kind} order (as single writes lock their one counter first), then compared with
 * the revision the caller validated against: if any moved, another change slipped in between
 * validation and commit, and nothing is written.
 */
final class JdbcConfigStore implements ConfigStore {
  private final Db db;
  private final Map<Kind, JdbcObjectStore<? extends Named>> stores;

  JdbcConfigStore(Db db, List<JdbcObjectStore<? extends Named>> stores) {
    this.db = db;
    this.stores = new EnumMap<>(Kind.class);
    for (JdbcObjectStore<? extends Named> s : stores) {
      this.stores.put(s.kind(), s);
    }
    if (this.stores.size() != Kind.values().length) {
      throw new IllegalArgumentException(
          "one object store per kind is needed, got " + this.stores.keySet());
    }
  }

  @Override
  public Revision revision() {
    return db.run("read the configuration change counters", c -> read(c, false));
  }

  @Override
  public List<Versioned<@Nullable Named>> commit(Revision base, List<Write> writes, String actor) {
    return db.inTransaction(
        "write " + writes.size() + " configuration object(s)",
        c -> {
          Revision now = read(c, true);
          if (!now.equals(base)) {
            throw new ConflictException(
                "the configuration changed while this change was being validated;"
                    + " nothing was written, apply it again");
          }
          List<Versioned<@Nullable Named>> out = new ArrayList<>(writes.size());
          for (Write w : writes) {
            out.add(write(c, w, actor));
          }
          return out;
        });
  }

  @SuppressWarnings("unchecked")
  private Versioned<@Nullable Named> write(Connection c, Write w, String actor)
      throws SQLException {
    // the constructor checked that every kind has its store
    JdbcObjectStore<Named> s =
        (JdbcObjectStore<Named>) Objects.requireNonNull(stores.get(w.kind()), "store");
    if (w.value() == null) {
      s.deleteIn(c, w.name(), w.expectedVersion(), actor);
      return new Versioned<>(null, w.expectedVersion() + 1, null, actor);
    }
    if (w.expectedVersion() < 0) {
      throw new IllegalArgumentException(
          "a configuration commit needs an expected version (0 or positive)");
    }
    Versioned<Named> v = s.putIn(c, w.value(), w.expectedVersion(), actor);
    return new Versioned<@Nullable Named>(v.value(), v.version(), v.updatedAt(), v.updatedBy());
  }

  private static Revision read(Connection c, boolean lock) throws SQLException {
    Kind[] kinds = Kind.values(); // declaration order: every writer locks counters in this order
    long[] v = new long[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      v[i] =
          lock ? ChangeCounters.lock(c, kinds[i].wire()) : ChangeCounters.read(c, kinds[i].wire());
    }
    return new Revision(
        v[Kind.TRUST_PROVIDER.ordinal()],
        v[Kind.WORKLOAD.ordinal()],
        v[Kind.RESOURCE.ordinal()],
        v[Kind.ACCESS_POLICY.ordinal()],
        v[Kind.EDGE_PROXY.ordinal()]);
  }
}
