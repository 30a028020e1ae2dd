package dev.warden.server.admin;

import java.util.Set;

/** An authenticated admin API caller. Created only by {@link AdminTokens#authenticate}. */
public final class AdminPrincipal {
  private final String tokenId;
  private final String name;
  private final Set<String> scopes;

  AdminPrincipal(String tokenId, String name, Set<String> scopes) {
    this.tokenId = tokenId;
    this.name = name;
    this.scopes = scopes;
  }

  /** How this caller appears in the audit log. */
  public String actor() {
    return "admin:" + tokenId;
  }

  public String tokenId() {
    return tokenId;
  }

  public String name() {
    return name;
  }

  public Set<String> scopes() {
    return scopes;
  }

  public boolean has(String scope) {
    return scopes.contains(Scopes.ADMIN) || scopes.contains(scope)
        || (Scopes.READ.equals(scope) && scopes.contains(Scopes.POLICY_WRITE));
  }
}
