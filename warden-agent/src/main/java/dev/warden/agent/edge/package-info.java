/**
 * The agent's edge proxies: what every proxy shares (caller attestation, the credential cache,
 * loopback peers, live connections). Null-marked: a type without {@code @Nullable} is never null
 * (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.edge;

import org.jspecify.annotations.NullMarked;
