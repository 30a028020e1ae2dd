package dev.warden.core.lease;

import java.util.Locale;

/**
 * Where a lease is in its life. Warden's own tokens go straight to {@link #ACTIVE} and end {@link
 * #REVOKED}; a credential that lives at its target (a database user) passes through {@link
 * #ISSUING} before it exists there and {@link #REVOKING} until it is gone from there.
 */
public enum LeaseState {
  /** Recorded before the credential is created at its target: it may or may not exist there yet. */
  ISSUING,
  /** Issued, audited and handed out; valid until it expires or is revoked. */
  ACTIVE,
  /** Revoked or expired in Warden; its removal at the target is pending (retried with backoff). */
  REVOKING,
  /** Revoked, and gone from its target if it had one. Final. */
  REVOKED,
  /**
   * Removal at the target failed too often: it may still exist there. Warden keeps retrying,
   * slowly, and reports it (audit, metrics, CLI) so an operator can look.
   */
  IRREVOCABLE;

  /** The name in the store, the API and the CLI, e.g. {@code issuing}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the states there are
   */
  public static LeaseState fromWire(String s) {
    for (LeaseState v : values()) {
      if (v.wire().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + s
            + "' is not a lease state; one of issuing, active, revoking, revoked,"
            + " irrevocable");
  }
}
