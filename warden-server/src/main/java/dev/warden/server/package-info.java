/**
 * The server's wiring, start-up, schedules and health. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server;

import org.jspecify.annotations.NullMarked;
