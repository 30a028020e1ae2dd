/**
 * Per-node caches of what the store holds, dropped when the change counter covering them moves.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.cache;

import org.jspecify.annotations.NullMarked;
