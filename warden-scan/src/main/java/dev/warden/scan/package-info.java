/**
 * Warden's secret scanner: finds hardcoded credentials in directory trees, git history, staged
 * changes and standard input.
 *
 * <p>The public surface is this package: {@link dev.warden.scan.SecretScanner} runs a scan, {@link
 * dev.warden.scan.SecretFinding} describes one leaked credential, {@link
 * dev.warden.scan.FoundSecret} carries its value (redacted unless {@link
 * dev.warden.scan.FoundSecret#reveal()} is called) and {@link dev.warden.scan.FingerprintKey}
 * computes the HMAC fingerprints that identify a secret without storing it. Everything under {@code
 * dev.warden.scan.internal} is implementation and may change without notice.
 */
@NullMarked
package dev.warden.scan;

import org.jspecify.annotations.NullMarked;
