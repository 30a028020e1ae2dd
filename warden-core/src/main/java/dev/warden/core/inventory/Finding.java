package dev.warden.core.inventory;

import java.util.Locale;

/**
 * A posture problem on one NHI.
 *
 * @param ruleId stable rule id, e.g. {@code lifetime.long-lived-static}
 * @param owasp the OWASP Non-Human Identities Top 10 (2025) id, e.g. {@code NHI7}
 * @param itemId the inventory item it is about
 * @param evidence what was observed, with numbers and times; never a secret value
 */
public record Finding(
    String ruleId,
    Severity severity,
    String owasp,
    String itemId,
    String subject,
    String evidence,
    String remediation) {

  /** Ordered from least to most severe. */
  public enum Severity {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
