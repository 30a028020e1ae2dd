/**
 * Admin API tokens and their store. Null-marked: a type without {@code @Nullable} is never null
 * (NullAway checks it).
 */
@NullMarked
package dev.warden.core.admin;

import org.jspecify.annotations.NullMarked;
