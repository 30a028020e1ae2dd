package dev.warden.core.model;

/** Kinds of short-lived credential a policy may grant. */
public enum CredentialKind {
  /** A Warden-signed JWT access token (RFC 9068 shape). */
  ACCESS_TOKEN,
  /** A SPIFFE JWT-SVID. */
  JWT_SVID,
  /** A SPIFFE X.509-SVID. */
  X509_SVID
}
