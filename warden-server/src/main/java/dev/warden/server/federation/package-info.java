/**
 * Fetching trust providers' OIDC discovery documents and JWKS over HTTP, and probing an issuer.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.federation;

import org.jspecify.annotations.NullMarked;
