package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import dev.warden.core.model.CredentialKind;
import java.time.Instant;
import java.util.Map;

/**
 * A credential a provider minted, not yet audited: the grant flow fingerprints it, records the
 * lease and the audit event, and only then hands it out.
 *
 * @param id the lease id (a token's {@code jti}, a certificate's serial, a database user's name)
 * @param details what the audit event should say of it (key id, binding…), never a secret
 */
public record IssuedCredential(
    CredentialKind kind,
    Secret value,
    String id,
    Instant issuedAt,
    Instant expiresAt,
    Map<String, String> details) {
  public IssuedCredential {
    details = Map.copyOf(details);
    if (expiresAt.isBefore(issuedAt)) {
      throw new IllegalArgumentException("a credential cannot expire before it is issued");
    }
  }
}
