/**
 * The {@code warden scan} command line and its progress bar. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.scan.cli;

import org.jspecify.annotations.NullMarked;
