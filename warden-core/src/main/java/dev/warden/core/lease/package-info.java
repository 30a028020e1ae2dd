/**
 * Leases of issued credentials: issuance records, revocation and leak response. Null-marked: a type
 * without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.lease;

import org.jspecify.annotations.NullMarked;
