package dev.warden.server;

import dev.warden.core.document.Kind;

/**
 * A stored configuration object that no longer compiles (an inline JWKS that became unusable, a
 * condition a newer checker refuses): it is disabled — grants nothing, a deny still denies, tokens
 * of a disabled trust provider are refused — while the rest of the configuration keeps working.
 */
record DisabledObject(Kind kind, String name, String reason) {}
