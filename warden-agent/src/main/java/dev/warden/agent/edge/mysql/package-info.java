/**
 * The MySQL/MariaDB edge proxy: the handshake with the client and the upstream login. Null-marked:
 * a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.edge.mysql;

import org.jspecify.annotations.NullMarked;
