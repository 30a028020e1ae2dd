/**
 * The web console. Null-marked: a type without {@code @Nullable} is never null (NullAway checks
 * it). jte's generated template classes share this package; they are {@code @Generated}, and
 * NullAway treats them as unannotated (TreatGeneratedAsUnannotated).
 */
@NullMarked
package dev.warden.server.console;

import org.jspecify.annotations.NullMarked;
