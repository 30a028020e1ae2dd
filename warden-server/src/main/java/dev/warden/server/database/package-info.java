/**
 * Users on database targets: the PostgreSQL, MariaDB and Redis engines behind database credentials.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.database;

import org.jspecify.annotations.NullMarked;
