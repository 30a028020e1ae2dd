package dev.warden.server.admin;

import dev.warden.core.oauth.UserPrincipal;
import dev.warden.core.trust.AttestedIdentity;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated administrator: an admin API caller with an admin token (created only by {@link
 * AdminTokens#authenticate} and {@link AdminTokens#current}), or a human who signed in to the
 * console through its OpenID Connect provider ({@link #signedInUser}, which only a verified ID
 * token can make).
 */
public final class AdminPrincipal {
  private final @Nullable String tokenId;
  private final @Nullable String userSubject;
  private final String name;
  private final Set<String> scopes;

  AdminPrincipal(String tokenId, String name, Set<String> scopes) {
    this(tokenId, null, name, scopes);
  }

  private AdminPrincipal(
      @Nullable String tokenId, @Nullable String userSubject, String name, Set<String> scopes) {
    this.tokenId = tokenId;
    this.userSubject = userSubject;
    this.name = name;
    this.scopes = Set.copyOf(scopes);
  }

  /**
   * A human administrator whose ID token the console's identity provider signed and Warden
   * verified, with the admin scopes their claims map to.
   *
   * @param name how they are shown (their e-mail address, else their subject)
   */
  public static AdminPrincipal signedInUser(
      AttestedIdentity user, String name, Set<String> scopes) {
    return new AdminPrincipal(null, UserPrincipal.subject(user), name, scopes);
  }

  /**
   * How this caller appears in the audit log: {@code admin:<token id>}, or {@code
   * user:<issuer>#<sub>} for a human signed in through the identity provider.
   */
  public String actor() {
    return tokenId != null ? "admin:" + tokenId : "user:" + userSubject;
  }

  /** The admin token's id; null for a human signed in through the identity provider. */
  public @Nullable String tokenId() {
    return tokenId;
  }

  /**
   * {@code <issuer>#<sub>} of a human signed in through the identity provider; null for a token.
   */
  public @Nullable String userSubject() {
    return userSubject;
  }

  public String name() {
    return name;
  }

  /** Who is signed in, as the console's header shows it. */
  public String label() {
    return tokenId != null ? name + " (" + tokenId + ")" : name + " (single sign-on)";
  }

  public Set<String> scopes() {
    return scopes;
  }

  public boolean has(String scope) {
    return scopes.contains(Scopes.ADMIN)
        || scopes.contains(scope)
        || (Scopes.READ.equals(scope) && scopes.contains(Scopes.POLICY_WRITE));
  }
}
