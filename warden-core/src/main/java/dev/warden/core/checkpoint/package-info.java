/**
 * Signed checkpoints of the audit chain, and the check that the log was not rolled back past one.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.checkpoint;

import org.jspecify.annotations.NullMarked;
