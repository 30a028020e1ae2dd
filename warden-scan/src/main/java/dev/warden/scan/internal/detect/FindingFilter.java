package dev.warden.scan.internal.detect;

/** Decides whether a candidate is allow-listed (by the config file) for a path. */
@FunctionalInterface
public interface FindingFilter {
  /** Filter that suppresses nothing. */
  FindingFilter NONE = (ruleId, path, value) -> false;

  /** True when the candidate must not be reported. */
  boolean suppressed(String ruleId, String path, String value);
}
