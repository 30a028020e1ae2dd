package dev.warden.core.inventory;

import java.util.Locale;

/** How an NHI authenticates, as the inventory reports it. */
public enum CredentialType {
  /** a reusable secret: API key, password, long-lived token */
  STATIC,
  /** a credential Warden minted with a TTL of minutes */
  SHORT_LIVED,
  /** an identity proven from platform evidence, holding no stored secret */
  ATTESTED_IDENTITY,
  /**
   * a cloud identity that workloads already reach by exchanging an OIDC token (an AWS role trusting
   * an OIDC provider for sts:AssumeRoleWithWebIdentity): no stored secret, not yet through Warden
   */
  FEDERATED;

  /**
   * Wire form: {@code static}, {@code short-lived}, {@code attested-identity}, {@code federated}.
   */
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @return the type, or null when {@code s} is null
   */
  public static CredentialType parse(String s) {
    if (s == null) {
      return null;
    }
    for (CredentialType t : values()) {
      if (t.wire().equalsIgnoreCase(s) || t.name().equalsIgnoreCase(s)) {
        return t;
      }
    }
    throw new dev.warden.core.error.ValidationException(
        "credentialType",
        "'" + s + "' is not one of static, short-lived, attested-identity, federated");
  }
}
