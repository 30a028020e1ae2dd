package dev.warden.core.store;

import java.time.Instant;

/**
 * A stored object with its version (1 for the first write, +1 for each change) and who last changed
 * it and when.
 */
public record Versioned<T>(T value, long version, Instant updatedAt, String updatedBy) {}
