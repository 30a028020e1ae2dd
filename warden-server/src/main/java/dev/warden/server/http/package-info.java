/**
 * The HTTP API, OAuth and OIDC endpoints, and the MCP gateway's edge. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.http;

import org.jspecify.annotations.NullMarked;
