package dev.warden.core.model;

import java.util.Locale;

/** Kinds of short-lived credential a policy may grant, and a lease records. */
public enum CredentialKind {
  /** A Warden-signed JWT access token (RFC 9068 shape). */
  ACCESS_TOKEN,
  /** A SPIFFE JWT-SVID. */
  JWT_SVID,
  /** A SPIFFE X.509-SVID. */
  X509_SVID,
  /**
   * A user created for one lease in the resource's own database (PostgreSQL): the credential the
   * target itself understands. It lives at the target, so its lease is recorded before it exists
   * there and it is removed there when the lease ends.
   */
  DATABASE_USER;

  /** The name in documents, leases and the audit log, e.g. {@code access_token}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when the credential exists at its target (a database user), not only as Warden's signature. */
  public boolean livesAtTarget() {
    return this == DATABASE_USER;
  }

  /**
   * The kind with this wire name.
   *
   * @throws IllegalArgumentException naming the kinds there are
   */
  public static CredentialKind fromWire(String wire) {
    for (CredentialKind k : values()) {
      if (k.wire().equals(wire)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown credential kind '" + wire + "'; one of access_token, jwt_svid, x509_svid, database_user");
  }
}
