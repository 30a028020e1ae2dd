package dev.warden.scan;

import java.util.Objects;

/**
 * The public description of one detection rule.
 *
 * @param id stable identifier, for example {@code github-pat}; used in config files, baselines and
 *     SARIF
 * @param description what the rule finds
 * @param severity how bad a leak is
 * @param keywords the prefilter keywords that make the rule run
 */
public record RuleInfo(
    String id, String description, Severity severity, java.util.List<String> keywords) {
  public RuleInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(severity, "severity");
    keywords = java.util.List.copyOf(keywords);
    if (!id.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("rule id must be lowercase kebab-case: " + id);
    }
  }
}
