package dev.warden.core.grant;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.CredentialKind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The credential providers of a token service, one per kind, and the rule of which endpoint hands
 * out which kind.
 */
final class CredentialProviders {
  private final Map<CredentialKind, CredentialProvider> byKind =
      new EnumMap<>(CredentialKind.class);

  /**
   * @throws IllegalArgumentException two providers for a kind, or a provider whose credentials live
   *     at a target without a store for their leases ({@code hasIntents} false)
   */
  CredentialProviders(List<CredentialProvider> providers, boolean hasIntents) {
    for (CredentialProvider p : providers) {
      if (byKind.put(p.kind(), p) != null) {
        throw new IllegalArgumentException("two credential providers for " + p.kind());
      }
      if (p instanceof TargetCredentialProvider && !hasIntents) {
        throw new IllegalArgumentException(
            p.kind() + " lives at its target: its leases need a TargetLeaseStore");
      }
    }
  }

  /** The provider of a kind, if it is one whose credentials live at a target. */
  TargetCredentialProvider target(CredentialKind kind) {
    return byKind.get(kind) instanceof TargetCredentialProvider t ? t : null;
  }

  /**
   * The token endpoint issues Warden's tokens; an X.509-SVID comes from the agent, and the JWT-SVID
   * of a policy is served there too (here it is an access token, as it always was). Credentials the
   * resource itself understands (database users, brokered secrets, upstream tokens) are handed out
   * only at {@code /v1/credentials}.
   */
  CredentialProvider providerFor(
      CredentialKind kind, CredentialKind.Endpoint endpoint, CredentialKind requestedKind) {
    if (kind.endpoint() != endpoint) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "the policy grants a "
              + kind.wire()
              + " for this resource; request it at "
              + (kind.endpoint() == CredentialKind.Endpoint.TOKEN
                  ? "POST /oauth2/token"
                  : "POST /v1/credentials (see docs/credentials.md)"));
    }
    if (requestedKind != null && requestedKind != kind) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "the policy grants a "
              + kind.wire()
              + " for this resource, not a "
              + requestedKind.wire());
    }
    CredentialProvider p =
        byKind.get(kind == CredentialKind.JWT_SVID ? CredentialKind.ACCESS_TOKEN : kind);
    if (p == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          kind == CredentialKind.X509_SVID
              ? "the policy grants an X.509-SVID, which the agent issues; the token endpoint issues tokens only"
              : "the policy grants a "
                  + kind.name().toLowerCase(java.util.Locale.ROOT)
                  + ", which this server has no provider for");
    }
    return p;
  }
}
