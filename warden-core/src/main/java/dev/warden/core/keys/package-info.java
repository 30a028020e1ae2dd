/**
 * Warden's signing keys: purposes, states and the stored (encrypted) record. Null-marked: a type
 * without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.keys;

import org.jspecify.annotations.NullMarked;
