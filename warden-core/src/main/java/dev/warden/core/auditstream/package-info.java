/**
 * Streaming the audit log to external sinks (NATS JetStream) from a durable per-sink cursor. Null-
 * marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.auditstream;

import org.jspecify.annotations.NullMarked;
