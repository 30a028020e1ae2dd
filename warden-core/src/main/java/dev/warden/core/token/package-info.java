/**
 * Warden's signed tokens: signing keys and their rotation, minting, verification and introspection.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.token;

import org.jspecify.annotations.NullMarked;
