package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;

/**
 * One request for a credential, already parsed from the wire.
 *
 * @param evidence the platform token (client assertion or subject token)
 * @param target the resource's audience URI or its name
 * @param scope space-separated scopes, or null
 * @param clientId the {@code client_id} the request named, or null; it never reaches the token
 *     (whose {@code client_id} is the attested workload's SPIFFE ID) and must name that workload
 * @param sourceAddress the caller's IP address as the server saw it
 * @param clientCertificates the chain the client presented in the TLS handshake (leaf first), or
 *     null; with no evidence, the request authenticates with it (RFC 8705 tls_client_auth)
 */
public record GrantRequest(GrantType grantType, Secret evidence, String target, String scope, String clientId,
    String sourceAddress, java.util.List<java.security.cert.X509Certificate> clientCertificates) {
  public GrantRequest(GrantType grantType, Secret evidence, String target, String scope, String clientId,
      String sourceAddress) {
    this(grantType, evidence, target, scope, clientId, sourceAddress, null);
  }
}
