package dev.warden.core.model;

import java.util.Locale;

/** Kinds of short-lived credential a policy may grant, and a lease records. */
public enum CredentialKind {
  /** A Warden-signed JWT access token (RFC 9068 shape). */
  ACCESS_TOKEN,
  /** A SPIFFE JWT-SVID. */
  JWT_SVID,
  /** A SPIFFE X.509-SVID. */
  X509_SVID;

  /** The name in documents, leases and the audit log, e.g. {@code access_token}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
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
    throw new IllegalArgumentException("unknown credential kind '" + wire + "'; one of access_token, jwt_svid, x509_svid");
  }
}
