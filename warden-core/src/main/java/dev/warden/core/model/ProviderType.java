package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Kinds of OIDC/JWT trust provider. Each preset brings the platform's claim → selector mapping. */
public enum ProviderType {
  KUBERNETES("kubernetes", "k8s"),
  GITHUB_ACTIONS("github-actions", "github"),
  GITLAB_CI("gitlab-ci", "gitlab"),
  OIDC("oidc", "oidc");

  private final String wire;
  private final String selectorType;

  ProviderType(String wire, String selectorType) {
    this.wire = wire;
    this.selectorType = selectorType;
  }

  /** The form used in documents, e.g. {@code github-actions}. */
  public String wire() {
    return wire;
  }

  /** The selector type this provider's selectors carry, e.g. {@code github}. */
  public String selectorType() {
    return selectorType;
  }

  /**
   * @throws ValidationException listing the allowed values
   */
  public static ProviderType fromWire(String s) {
    for (ProviderType t : values()) {
      if (t.wire.equalsIgnoreCase(s) || t.name().equalsIgnoreCase(s)) {
        return t;
      }
    }
    throw new ValidationException(
        "type",
        "'"
            + s
            + "' is not a trust provider type; allowed: "
            + Arrays.stream(values()).map(ProviderType::wire).collect(Collectors.joining(", ")));
  }
}
