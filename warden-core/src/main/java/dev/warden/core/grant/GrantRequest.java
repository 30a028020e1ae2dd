package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;

/**
 * One request for a credential, already parsed from the wire.
 *
 * @param evidence the platform token (client assertion or subject token)
 * @param target the resource's audience URI or its name
 * @param scope space-separated scopes, or null
 * @param sourceAddress the caller's IP address as the server saw it
 */
public record GrantRequest(GrantType grantType, Secret evidence, String target, String scope, String clientId,
    String sourceAddress) {}
