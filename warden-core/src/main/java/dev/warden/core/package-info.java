/**
 * Warden core: the domain model, policy engine, attestation and credential minting, with no HTTP or
 * SQL. Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core;

import org.jspecify.annotations.NullMarked;
