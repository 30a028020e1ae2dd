/**
 * Tokens from upstream authorization servers: client authentication, the token client and its
 * cache. Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.upstream;

import org.jspecify.annotations.NullMarked;
