package dev.warden.core.grant;

import dev.warden.core.model.CredentialKind;
import java.util.Objects;

/**
 * One request for a credential, already parsed from the wire.
 *
 * @param evidence what the caller presents to prove what it is
 * @param target the resource's audience URI or its name
 * @param scope space-separated scopes, or null
 * @param clientId the {@code client_id} the request named, or null; it never reaches the credential
 *     (whose client is the attested workload) and must name that workload
 * @param sourceAddress the caller's IP address as the server saw it
 * @param requestedKind the kind of credential the endpoint hands out: null at the token endpoint
 *     (tokens), {@link CredentialKind#DATABASE_USER} at {@code /v1/credentials}; a policy that
 *     grants another kind is refused with a pointer to the right endpoint
 */
public record GrantRequest(GrantType grantType, Evidence evidence, String target, String scope, String clientId,
    String sourceAddress, CredentialKind requestedKind) {
  public GrantRequest {
    Objects.requireNonNull(grantType, "grantType");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** A request at the token endpoint. */
  public GrantRequest(GrantType grantType, Evidence evidence, String target, String scope, String clientId,
      String sourceAddress) {
    this(grantType, evidence, target, scope, clientId, sourceAddress, null);
  }
}
