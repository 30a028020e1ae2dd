package dev.warden.core.grant;

import dev.warden.core.error.TargetException;
import dev.warden.core.model.CredentialKind;

/** Carries a target's failure out of the grant flow, to be audited once as such. */
final class TargetFailed extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient TargetException cause;
  final String leaseId;
  final String resource;
  final CredentialKind kind;

  TargetFailed(TargetException cause, String leaseId, String resource, CredentialKind kind) {
    super(null, null, false, false);
    this.cause = cause;
    this.leaseId = leaseId;
    this.resource = resource;
    this.kind = kind;
  }
}
