/**
 * The server's side of user sign-in through an upstream identity provider, and fetching client
 * metadata documents. Null-marked: a type without {@code @Nullable} is never null (NullAway checks
 * it).
 */
@NullMarked
package dev.warden.server.oauth;

import org.jspecify.annotations.NullMarked;
