package dev.warden.core.audit;

import java.util.Locale;

/**
 * How an audited action ended: a decision ({@code allow}, {@code deny}) or a change ({@code
 * success}, {@code failure}).
 */
public enum AuditOutcome {
  ALLOW,
  DENY,
  SUCCESS,
  FAILURE;

  /** The name in the log, e.g. {@code allow}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
