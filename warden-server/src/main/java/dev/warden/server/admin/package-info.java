/**
 * Admin API credentials: bootstrap and issued admin tokens, and the principal a request acts as.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.admin;

import org.jspecify.annotations.NullMarked;
