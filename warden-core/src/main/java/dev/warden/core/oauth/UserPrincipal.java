package dev.warden.core.oauth;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.policy.Delegation;
import dev.warden.core.trust.AttestedIdentity;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

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
    return workload(subject(user), user.provider(), user.selectors(), trustDomain);
  }

  /**
   * The user as the policy engine evaluates them, from what was attested at sign-in.
   *
   * @param subject the user as {@link #subject} names them
   */
  static Workload workload(
      String subject, String provider, Set<Selector> selectors, String trustDomain) {
    String id = HexFormat.of().formatHex(Hashes.sha256(subject), 0, 16);
    return new Workload(
        new SpiffeId(trustDomain, "/user/" + provider + "/" + id),
        selectors,
        subject,
        null,
        null,
        WorkloadState.ACTIVE,
        null,
        "a user signed in at trust provider " + provider);
  }

  /**
   * The user as a party of a delegation chain ({@code request.subject} when an MCP client acts for
   * them): named by the token's {@code sub}, with the selectors attested at sign-in, and {@code
   * registered: false} since a user is never a registered workload.
   */
  public static Delegation.Party party(String subject, Set<Selector> selectors) {
    List<String> s = new ArrayList<>();
    for (Selector x : selectors) {
      s.add(x.toString());
    }
    s.sort(null);
    return new Delegation.Party(subject, s, false);
  }
}
