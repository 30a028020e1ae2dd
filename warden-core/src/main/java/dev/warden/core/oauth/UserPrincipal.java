package dev.warden.core.oauth;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.trust.AttestedIdentity;
import java.util.HexFormat;

/**
 * A user who signed in at an upstream identity provider, as Warden names them and as policies see
 * them.
 *
 * <p>The token's {@code sub} is {@code <issuer>#<sub>}: the identity provider's {@code iss} and the
 * user's {@code sub} there, stable and unique across providers (an issuer URL has no fragment, so
 * the first {@code #} separates them). For policies the user is a workload that is never
 * registered, named {@code spiffe://<trust domain>/user/<provider>/<32 hex digits>} (the first 16
 * bytes of the SHA-256 of the subject) and carrying the selectors the trust provider attested
 * ({@code trust:provider=<name>}, {@code oidc:sub=…}, {@code oidc:iss=…} and the provider's claim
 * mappings, such as {@code oidc:email=…} or one {@code oidc:groups=…} per group), so an access
 * policy names users by those selectors (or all of a provider's users by the SPIFFE ID pattern
 * {@code spiffe://<trust domain>/user/<provider>/*}) and its condition reads their verified claims
 * as {@code request.claims} and the MCP client as {@code request.delegationChain[0]}.
 */
public final class UserPrincipal {
  private UserPrincipal() {}

  /** The token's {@code sub} for this user. */
  public static String subject(AttestedIdentity user) {
    return user.issuer() + "#" + user.subject();
  }

  /** The user as the policy engine evaluates them. */
  public static Workload workload(AttestedIdentity user, String trustDomain) {
    String id = HexFormat.of().formatHex(Hashes.sha256(subject(user)), 0, 16);
    return new Workload(
        new SpiffeId(trustDomain, "/user/" + user.provider() + "/" + id),
        user.selectors(),
        subject(user),
        null,
        null,
        WorkloadState.ACTIVE,
        null,
        "a user signed in at trust provider " + user.provider());
  }
}
