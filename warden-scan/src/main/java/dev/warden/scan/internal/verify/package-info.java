/**
 * {@code warden scan --verify}: whether each found secret is live. Fingerprints and public-key
 * hashes go to the Warden server (never a secret); a found database password goes only to the
 * database it names, and only when that database is a Warden resource (decision 106).
 */
@NullMarked
package dev.warden.scan.internal.verify;

import org.jspecify.annotations.NullMarked;
