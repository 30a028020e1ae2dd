/**
 * Recertification campaigns: owners confirm or retire their workloads before a due date. Null-
 * marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.recert;

import org.jspecify.annotations.NullMarked;
