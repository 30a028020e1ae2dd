package dev.warden.core.exposure;

import java.util.Locale;

/** What Warden knows of a found credential's life. */
public enum Liveness {
  /** it works now: a live lease, the current stored secret, an active key or authority */
  LIVE,
  /** it no longer works: the lease ended, the key or authority was retired or destroyed */
  DEAD,
  /**
   * Warden holds it but cannot tell whether the target still accepts it (an older secret version)
   */
  UNKNOWN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
