/**
 * Revocation impact: who loses access if a policy, resource or owner goes (dry runs). Null-marked:
 * a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.impact;

import org.jspecify.annotations.NullMarked;
