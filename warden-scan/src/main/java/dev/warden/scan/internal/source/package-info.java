/**
 * Inputs of a scan: directory trees (walked in one thread, files scanned in parallel by the
 * others), git history and staged changes (one {@code git log -p} / {@code git diff} process
 * streamed through a patch parser), and standard input. Every input is read in bounded chunks with
 * an overlap, never whole.
 *
 * <p>Implementation package, not a stable API.
 */
@NullMarked
package dev.warden.scan.internal.source;

import org.jspecify.annotations.NullMarked;
