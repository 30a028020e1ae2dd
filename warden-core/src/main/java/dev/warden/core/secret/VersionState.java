package dev.warden.core.secret;

import java.util.Locale;

/** The life of one version of a brokered secret. */
public enum VersionState {
  /** Readable (when it is the current version). */
  ACTIVE,
  /** Soft-deleted: kept, unreadable, can be undeleted. */
  DELETED,
  /** Its ciphertext and wrapped key are gone for good; only its metadata remains. */
  DESTROYED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for an unknown name */
  public static VersionState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
