/**
 * Warden as an OAuth 2.1 authorization server for MCP: authorization codes with PKCE, client
 * metadata, user principals. Null-marked: a type without {@code @Nullable} is never null (NullAway
 * checks it).
 */
@NullMarked
package dev.warden.core.oauth;

import org.jspecify.annotations.NullMarked;
