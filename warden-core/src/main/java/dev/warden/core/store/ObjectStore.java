package dev.warden.core.store;

import dev.warden.core.error.ConflictException;
import dev.warden.core.error.StoreException;
import dev.warden.core.model.Named;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Versioned storage of one kind of configuration object (trust providers, workloads, resources,
 * policies). Every write keeps the previous revision in the object's history.
 *
 * <p>All methods throw {@link StoreException} when the database fails.
 *
 * @param <T> the object type
 */
public interface ObjectStore<T extends Named> {

  Optional<Versioned<T>> get(String name);

  /** All live objects, ordered by name. */
  List<Versioned<T>> list();

  /**
   * Creates or replaces an object.
   *
   * @param expectedVersion 0 to require that it does not exist, a positive version to require that
   *     it is still at that version, or -1 to write unconditionally
   * @return the stored revision; unchanged (same version) when {@code value} equals the current
   * @throws ConflictException when {@code expectedVersion} does not hold
   */
  Versioned<T> put(T value, long expectedVersion, String actor);

  /**
   * Deletes an object (its history is kept).
   *
   * @return true if it existed
   */
  boolean delete(String name, String actor);

  /** Every revision of the object, oldest first; a deletion is a revision with a null value. */
  List<Versioned<@Nullable T>> history(String name);

  /**
   * A number that increases whenever any object of this kind changes, on any node: caches compare
   * it to know when to reload.
   */
  long changeCounter();
}
