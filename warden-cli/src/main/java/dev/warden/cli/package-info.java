/**
 * The {@code warden} command line: picocli commands for the server's admin API, the agent and the
 * scanner. Null-marked: a type without {@code @Nullable} is never null (NullAway checks it); an
 * option without a default is {@code @Nullable}, and the fields picocli injects ({@code @Spec},
 * {@code @Mixin}, options and parameters) are not checked for initialisation.
 */
@NullMarked
package dev.warden.cli;

import org.jspecify.annotations.NullMarked;
