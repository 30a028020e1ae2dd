package dev.warden.core.grant;

/** The OAuth grants through which a workload presents platform evidence. */
public enum GrantType {
  /** RFC 6749 client credentials with RFC 7523 JWT client authentication. */
  CLIENT_CREDENTIALS("client_credentials"),
  /** RFC 8693 token exchange with the platform token as subject_token. */
  TOKEN_EXCHANGE("urn:ietf:params:oauth:grant-type:token-exchange"),
  /**
   * RFC 6749 section 4.1 authorization code with RFC 7636 PKCE: an MCP client acting for a user.
   */
  AUTHORIZATION_CODE("authorization_code");

  private final String wire;

  GrantType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
