package dev.warden.core.store;

import dev.warden.core.document.Kind;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.StoreException;
import dev.warden.core.model.Named;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Changes to configuration objects of several kinds made as one: all written or none. Used by
 * policy-as-code so that a change validated against the whole configuration is stored only if
 * nothing changed in between (optimistic concurrency over the kinds' change counters).
 *
 * <p>All methods throw {@link StoreException} when the database fails.
 */
public interface ConfigStore {

  /** The change counters of the configuration kinds, read together. */
  Revision revision();

  /**
   * Writes every change in one transaction, provided no configuration object of any kind changed
   * since {@code base} was read.
   *
   * @return the stored revision of each write, in order (a deletion's value is null)
   * @throws ConflictException when the configuration changed since {@code base}, or a write's
   *     expected version does not hold; nothing is written then
   */
  List<Versioned<@Nullable Named>> commit(Revision base, List<Write> writes, String actor);

  /** The configuration kinds' change counters at one moment. */
  record Revision(
      long trustProviders, long workloads, long resources, long policies, long edgeProxies) {}

  /**
   * One object to create, replace or delete.
   *
   * @param value the new object, or null to delete {@code name}
   * @param expectedVersion as in {@link ObjectStore#put}: 0 to require that it does not exist, a
   *     positive version to require that it is still at that version
   */
  record Write(Kind kind, String name, @Nullable Named value, long expectedVersion) {
    public Write {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      if (value != null && !value.name().equals(name)) {
        throw new IllegalArgumentException(
            "a write of '" + name + "' cannot carry '" + value.name() + "'");
      }
    }

    public static Write put(Kind kind, Named value, long expectedVersion) {
      return new Write(kind, value.name(), value, expectedVersion);
    }

    public static Write delete(Kind kind, String name, long expectedVersion) {
      return new Write(kind, name, null, expectedVersion);
    }
  }
}
