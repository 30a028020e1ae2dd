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
 * @param endpoint where the request arrived; a policy that grants a kind served at the other
 *     endpoint is refused with a pointer to the right one
 * @param requestedKind the kind the caller asked for ({@code credential_type} at
 *     {@code /v1/credentials}), or null for whatever the policy grants there
 */
public record GrantRequest(GrantType grantType, Evidence evidence, String target, String scope, String clientId,
    String sourceAddress, CredentialKind.Endpoint endpoint, CredentialKind requestedKind) {
  public GrantRequest {
    Objects.requireNonNull(grantType, "grantType");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(endpoint, "endpoint");
    if (requestedKind != null && requestedKind.endpoint() != endpoint) {
      throw new IllegalArgumentException(requestedKind + " is not served at " + endpoint);
    }
  }

  /** A request at the token endpoint. */
  public GrantRequest(GrantType grantType, Evidence evidence, String target, String scope, String clientId,
      String sourceAddress) {
    this(grantType, evidence, target, scope, clientId, sourceAddress, CredentialKind.Endpoint.TOKEN, null);
  }
}
