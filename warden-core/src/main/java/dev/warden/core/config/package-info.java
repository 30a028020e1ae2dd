/**
 * Configuration documents: validation, plans and atomic apply, edge-proxy and provisioning rules.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.config;

import org.jspecify.annotations.NullMarked;
