/**
 * The protected-resource helper for MCP servers and APIs: RFC 9728 metadata, access-token, DPoP and
 * transaction-token checks against a Warden trust domain. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it), which callers in Kotlin or with NullAway
 * see too.
 */
@NullMarked
package dev.warden.resource;

import org.jspecify.annotations.NullMarked;
