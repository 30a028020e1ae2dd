/**
 * The policy document's value types: workloads, resources, access policies, selectors and names.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.model;

import org.jspecify.annotations.NullMarked;
