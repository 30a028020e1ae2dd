/**
 * The shared pieces of the store interfaces: versioned objects and the configuration store. Null-
 * marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.core.store;

import org.jspecify.annotations.NullMarked;
