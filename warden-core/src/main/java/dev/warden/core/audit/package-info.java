/**
 * The hash-chained audit log: events, the group-commit writer, chain verification and queries.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.audit;

import org.jspecify.annotations.NullMarked;
