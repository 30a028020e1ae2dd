/**
 * Warden's exceptions and the stable reason codes they carry to the API. Null-marked: a type
 * without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.error;

import org.jspecify.annotations.NullMarked;
