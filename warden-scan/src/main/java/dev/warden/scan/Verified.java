package dev.warden.scan;

/**
 * Whether a found secret is live. Written {@code true}, {@code false} and {@code "unknown"} in JSON
 * and SARIF, so {@code select(.verified == true)} picks exactly the live ones.
 */
public enum Verified {
  /**
   * it works now: a test login succeeded, or Warden says its lease, key or stored secret is live
   */
  TRUE,
  /** it does not work: the target refused it, or Warden says its lease or key has ended */
  FALSE,
  /**
   * not checked, or nothing could tell (not a Warden resource, target unreachable, history only)
   */
  UNKNOWN
}
