/**
 * The workload CA: rotation, X.509- and JWT-SVID issuance and verification, trust bundles. Null-
 * marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.pki;

import org.jspecify.annotations.NullMarked;
