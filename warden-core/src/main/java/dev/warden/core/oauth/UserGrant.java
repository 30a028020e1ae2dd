package dev.warden.core.oauth;

import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Delegation;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The signed-in user behind one access token of the authorization code grant, as Warden attested
 * them at the authorization endpoint: what the MCP gateway decides a tool call on when an MCP
 * client acts for a user (decision 661). Stored server-side, keyed by the token's {@code jti}
 * (which only Warden mints), and never read from anything the client sends: the token carries no
 * selectors.
 *
 * @param tokenId the access token's {@code jti} (its lease id)
 * @param subject the token's {@code sub}, {@code <issuer>#<sub>} ({@link UserPrincipal#subject})
 * @param provider the trust provider the user signed in at
 * @param clientId the MCP client the user let act (the token's {@code client_id})
 * @param selectors what the trust provider attested about the user at sign-in
 * @param claims the verified ID token's claims, as {@code request.claims} saw them at sign-in
 * @param expiresAt when the record is of no more use: the latest moment a token issued from the
 *     code can expire
 */
public record UserGrant(
    String tokenId,
    String subject,
    String provider,
    String clientId,
    Set<Selector> selectors,
    Map<String, Object> claims,
    Instant expiresAt) {
  public UserGrant {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    selectors = Set.copyOf(selectors);
    // a JSON null claim is a null value, which Map.copyOf refuses
    claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
  }

  /** The user as the policy engine evaluates them (see {@link UserPrincipal#workload}). */
  public Workload principal(String trustDomain) {
    return UserPrincipal.workload(subject, provider, selectors, trustDomain);
  }

  /** The user as {@code request.subject} (see {@link UserPrincipal#party}). */
  public Delegation.Party party() {
    return UserPrincipal.party(subject, selectors);
  }
}
