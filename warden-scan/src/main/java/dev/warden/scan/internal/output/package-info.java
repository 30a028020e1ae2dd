/**
 * Report formats: human-readable text (secrets redacted unless asked), JSON, and SARIF 2.1.0.
 *
 * <p>Implementation package, not a stable API.
 */
@NullMarked
package dev.warden.scan.internal.output;

import org.jspecify.annotations.NullMarked;
