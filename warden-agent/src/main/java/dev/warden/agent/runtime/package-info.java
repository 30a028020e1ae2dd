/**
 * The agent's runtime: its session with the server, the sync loop, SVID renewal, file sinks, the
 * audit spool, its status endpoint and the proxies it runs. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.runtime;

import org.jspecify.annotations.NullMarked;
