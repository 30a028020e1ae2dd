/**
 * The PostgreSQL edge proxy: the startup with the client and SCRAM login upstream. Null-marked: a
 * type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.edge.postgres;

import org.jspecify.annotations.NullMarked;
