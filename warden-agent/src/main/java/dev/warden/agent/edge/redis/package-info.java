/**
 * The Redis edge proxy: RESP framing, the command filter, and the upstream login. Null-marked: a
 * type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.edge.redis;

import org.jspecify.annotations.NullMarked;
