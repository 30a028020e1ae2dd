package dev.warden.core.grant;

import dev.warden.core.model.CredentialKind;

/**
 * Mints one kind of credential for a decided grant: Warden's own JWT access token today; an SVID, a
 * dynamic database user or a brokered secret through the same seam. A provider never records
 * anything itself: the grant flow writes the lease and the one audit event, and returns the
 * credential only once they are durable.
 */
public interface CredentialProvider {

  /**
   * What this provider issues; the grant flow picks the provider by the policy's credential kind.
   */
  CredentialKind kind();

  /**
   * Mints the credential for {@code issuance}; its lifetime must end no later than {@link
   * Issuance#notAfter()}. (A credential Warden obtains rather than mints, an upstream token, cannot
   * be shortened: its provider refuses instead when its stated lifetime exceeds the policy's.)
   *
   * @throws dev.warden.core.error.UnavailableException when the target cannot mint now
   */
  IssuedCredential issue(Issuance issuance);
}
