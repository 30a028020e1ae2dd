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
  DATABASE_USER,
  /**
   * A fixed secret (API key, password) Warden stores encrypted and hands, per read, to a workload
   * that policy allows: the bridge for targets that accept nothing else.
   */
  BROKERED_SECRET,
  /**
   * An access token of a third-party OAuth server (a SaaS API), which Warden obtains with the
   * client credentials it holds for that server; the workload never sees the client secret.
   */
  UPSTREAM_TOKEN;

  /** Where a workload asks for a credential of a kind. */
  public enum Endpoint {
    /** {@code POST /oauth2/token}: Warden's own tokens. */
    TOKEN,
    /** {@code POST /v1/credentials}: a credential the resource itself understands. */
    CREDENTIALS
  }

  /** The name in documents, leases and the audit log, e.g. {@code access_token}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Where this kind is requested: Warden's own tokens at the token endpoint, the rest at {@code
   * /v1/credentials}.
   */
  public Endpoint endpoint() {
    return switch (this) {
      case ACCESS_TOKEN, JWT_SVID, X509_SVID -> Endpoint.TOKEN;
      case DATABASE_USER, BROKERED_SECRET, UPSTREAM_TOKEN -> Endpoint.CREDENTIALS;
    };
  }

  /**
   * True when the credential exists at its target (a database user), not only as Warden's
   * signature.
   */
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
    throw new IllegalArgumentException(
        "unknown credential kind '"
            + wire
            + "'; one of "
            + java.util.Arrays.stream(values()).map(CredentialKind::wire).toList());
  }
}
