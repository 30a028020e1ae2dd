/**
 * Files the scanner reads and writes besides its inputs: the JSON config file (path exclusions,
 * allowlists, disabled rules), the baseline of known findings, and the per-user fingerprint key.
 *
 * <p>Implementation package, not a stable API.
 */
@NullMarked
package dev.warden.scan.internal.config;

import org.jspecify.annotations.NullMarked;
