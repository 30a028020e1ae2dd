package dev.warden.core.grant;

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
 */
public record GrantRequest(GrantType grantType, Evidence evidence, String target, String scope, String clientId,
    String sourceAddress) {
  public GrantRequest {
    Objects.requireNonNull(grantType, "grantType");
    Objects.requireNonNull(evidence, "evidence");
  }
}
