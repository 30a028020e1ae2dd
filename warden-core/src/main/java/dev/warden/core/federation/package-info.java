/**
 * Federation towards cloud providers: the rules a federated issuer, its published keys and sample
 * tokens are checked against. Null-marked: a type without {@code @Nullable} is never null (NullAway
 * checks it).
 */
@NullMarked
package dev.warden.core.federation;

import org.jspecify.annotations.NullMarked;
