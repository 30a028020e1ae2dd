/**
 * The HTTP client for upstream OAuth token endpoints. Null-marked: a type without {@code @Nullable}
 * is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.upstream;

import org.jspecify.annotations.NullMarked;
