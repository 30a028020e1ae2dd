/**
 * Leak response: the client of the server's {@code /v1/scan/fingerprint-key} and {@code /v1/leaks}
 * endpoints. Only fingerprints and locations leave the machine, never a secret.
 *
 * <p>Implementation package, not a stable API.
 */
@NullMarked
package dev.warden.scan.internal.leak;

import org.jspecify.annotations.NullMarked;
