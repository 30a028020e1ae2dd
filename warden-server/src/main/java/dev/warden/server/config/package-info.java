/**
 * The server's configuration keys and their loader. Null-marked: a type without {@code @Nullable}
 * is never null (NullAway checks it); a key that may be unset is a {@code ConfigKey<@Nullable T>}.
 */
@NullMarked
package dev.warden.server.config;

import org.jspecify.annotations.NullMarked;
