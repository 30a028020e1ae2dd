/**
 * Envelope encryption, the secret box, HMAC fingerprints and hashes. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.crypto;

import org.jspecify.annotations.NullMarked;
