package dev.warden.core.secret;

import dev.warden.core.crypto.EnvelopeCipher.Envelope;
import java.time.Instant;

/**
 * One version of a brokered secret: its envelope (null once destroyed) and what may be shown.
 *
 * @param fingerprint HMAC fingerprint of the value, so a leak report can be matched to it
 */
public record SecretVersion(
    String name,
    long version,
    VersionState state,
    Envelope envelope,
    String fingerprint,
    Instant createdAt,
    String createdBy,
    Instant deletedAt,
    Instant destroyedAt) {
  public SecretVersion {
    if (version < 1) {
      throw new IllegalArgumentException("versions start at 1");
    }
    if ((state == VersionState.DESTROYED) != (envelope == null)) {
      throw new IllegalArgumentException(
          "a version has its envelope until, and only until, it is destroyed");
    }
  }
}
