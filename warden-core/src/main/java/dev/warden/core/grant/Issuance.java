package dev.warden.core.grant;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link CredentialProvider} is asked to mint: an allowed decision for one workload and
 * resource, the scopes granted, and the latest moment the credential may live to (the policy's
 * maximum TTL, cut at the workload's own expiry).
 *
 * @param certificateThumbprint the {@code x5t#S256} of the client certificate the credential must
 *     be bound to (RFC 8705), or null
 */
public record Issuance(GrantType grantType, Workload workload, Resource resource, Decision decision,
    List<String> scopes, Instant now, Instant notAfter, String certificateThumbprint) {
  public Issuance {
    scopes = List.copyOf(scopes);
    if (!decision.allowed()) {
      throw new IllegalArgumentException("only an allowed decision is issued");
    }
  }
}
