/**
 * The server's TLS: configured or self-issued serving certificates, renewed without a restart.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.tls;

import org.jspecify.annotations.NullMarked;
