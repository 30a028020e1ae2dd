package dev.warden.core.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A stored object with its version (1 for the first write, +1 for each change) and who last changed
 * it and when.
 *
 * @param value the object; a deletion (in {@link ObjectStore#history} and {@link
 *     ConfigStore#commit}) is a {@code Versioned<@Nullable T>} whose value is null
 * @param updatedAt when it was written; null only for a deletion returned by {@link
 *     ConfigStore#commit}
 */
public record Versioned<T extends @Nullable Object>(
    T value, long version, @Nullable Instant updatedAt, String updatedBy) {}
