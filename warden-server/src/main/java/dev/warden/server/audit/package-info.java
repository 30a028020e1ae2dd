/**
 * Audit sinks the server streams events to: append-only files and NATS subjects. Null-marked: a
 * type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.audit;

import org.jspecify.annotations.NullMarked;
