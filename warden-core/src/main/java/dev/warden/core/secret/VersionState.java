package dev.warden.core.secret;

import java.util.Locale;

/** The life of one version of a brokered secret. */
public enum VersionState {
  /** Readable (when it is the current version). */
  ACTIVE,
  /** Soft-deleted: kept, unreadable, can be undeleted. */
  DELETED,
  /** Its ciphertext and wrapped key are gone for good; only its metadata remains. */
  DESTROYED,
  /**
   * A rotation's new value, stored before it is set at the target and made current once the target
   * accepted it (decision 117). Never readable by workloads; at most one per secret, numbered
   * current + 1.
   */
  PENDING;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException for an unknown name
   */
  public static VersionState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
