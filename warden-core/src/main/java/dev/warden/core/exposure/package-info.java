/**
 * Whether a credential found in the open is live: the scanner's {@code --verify} asks, by HMAC
 * fingerprint or public-key hash only, whether Warden issued or holds it and whether it still
 * works.
 */
@NullMarked
package dev.warden.core.exposure;

import org.jspecify.annotations.NullMarked;
