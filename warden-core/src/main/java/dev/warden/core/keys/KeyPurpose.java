package dev.warden.core.keys;

import dev.warden.core.error.ValidationException;

/**
 * What a signing key signs. Each purpose has its own keys, rotated on their own and published in
 * one place only, so a token of one kind can never verify as another: access-token keys are
 * published at {@code /oauth2/jwks}; JWT-SVID keys only as the JWT authorities of the SPIFFE trust
 * bundle (as SPIRE keeps them); federation keys sign the tokens workloads present to AWS, GCP and
 * Entra, and are published beside the access-token keys at {@code /oauth2/jwks}, because those
 * clouds find keys only through the issuer's discovery document (decision 115); audit checkpoint
 * keys sign the checkpoints of the audit chain's head and are published only at {@code
 * /v1/audit/checkpoints/jwks}, public halves kept for good (decision 009).
 */
public enum KeyPurpose {
  /** OAuth access tokens from {@code /oauth2/token}. */
  ACCESS_TOKEN("access-token", "signing-key:"),
  /** SPIFFE JWT-SVIDs, issued through the agent. */
  JWT_SVID("jwt-svid", "jwt-svid-key:"),
  /**
   * Tokens for cloud federation (resources of kind aws, gcp or azure): RS256 by default, at most 1
   * h.
   */
  FEDERATION("federation", "federation-key:"),
  /**
   * Signed checkpoints of the audit chain's head: ES256; a destroyed key's public half stays
   * published.
   */
  AUDIT_CHECKPOINT("audit-checkpoint", "audit-checkpoint-key:");

  private final String wire;
  private final String aadPrefix;

  KeyPurpose(String wire, String aadPrefix) {
    this.wire = wire;
    this.aadPrefix = aadPrefix;
  }

  /**
   * The form used in the API and the CLI: {@code access-token}, {@code jwt-svid}, {@code
   * federation} or {@code audit-checkpoint}.
   */
  public String wire() {
    return wire;
  }

  /**
   * The associated data that binds a key's encrypted private half to its kid and its purpose: a key
   * whose purpose was changed in the database cannot be decrypted, so it can never sign for the
   * other purpose. Access-token keys keep the form they had before purposes existed.
   */
  public String associatedData(String kid) {
    return aadPrefix + kid;
  }

  /**
   * True when the public half of a destroyed key stays in the published JWKS: a checkpoint must
   * verify for as long as the audit log is kept, long after its key stopped signing, while a token
   * key is dropped once every token it signed has expired.
   */
  public boolean publishedAfterDestroy() {
    return this == AUDIT_CHECKPOINT;
  }

  /**
   * @throws ValidationException naming {@code field} and the allowed values
   */
  public static KeyPurpose parse(String field, String text) {
    for (KeyPurpose p : values()) {
      if (p.wire.equals(text)) {
        return p;
      }
    }
    throw new ValidationException(
        field,
        "'"
            + (text == null ? "" : text.length() > 40 ? text.substring(0, 40) + "…" : text)
            + "' is not a key purpose; use access-token, jwt-svid, federation or audit-checkpoint");
  }
}
