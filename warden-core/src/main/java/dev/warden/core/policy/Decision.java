package dev.warden.core.policy;

import dev.warden.core.error.Reason;
import dev.warden.core.model.CredentialKind;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one access request. Only the policy engine creates decisions, so holding one means
 * a policy was evaluated.
 */
public final class Decision {
  private final boolean allowed;
  private final Reason reason;
  private final String policy;
  private final String message;
  private final Duration maxTtl;
  private final CredentialKind credentialKind;
  private final List<String> scopes;
  private final String mayAct;

  Decision(
      boolean allowed,
      Reason reason,
      String policy,
      String message,
      Duration maxTtl,
      CredentialKind credentialKind,
      List<String> scopes) {
    this(allowed, reason, policy, message, maxTtl, credentialKind, scopes, null);
  }

  Decision(
      boolean allowed,
      Reason reason,
      String policy,
      String message,
      Duration maxTtl,
      CredentialKind credentialKind,
      List<String> scopes,
      String mayAct) {
    this.mayAct = mayAct;
    this.allowed = allowed;
    this.reason = reason;
    this.policy = policy;
    this.message = message;
    this.maxTtl = maxTtl;
    this.credentialKind = credentialKind;
    this.scopes = scopes == null ? List.of() : scopes;
  }

  static Decision deny(Reason reason, String policy, String message) {
    return new Decision(false, reason, policy, message, null, null, null);
  }

  /**
   * For an allow: the one workload the deciding policy lets act for the token's subject, or null.
   */
  public String mayAct() {
    return mayAct;
  }

  public boolean allowed() {
    return allowed;
  }

  public Reason reason() {
    return reason;
  }

  /** The policy that decided; null for a default deny. */
  public String policy() {
    return policy;
  }

  /** Why, in words an operator can act on. */
  public String message() {
    return message;
  }

  /** For an allow: the longest credential lifetime the policy grants. */
  public Duration maxTtl() {
    return maxTtl;
  }

  public CredentialKind credentialKind() {
    return credentialKind;
  }

  /** For an allow: the scopes the policy permits (empty: any requested scope is refused). */
  public List<String> scopes() {
    return scopes;
  }

  @Override
  public String toString() {
    return (allowed ? "allow" : "deny")
        + "("
        + reason.code()
        + (policy == null ? "" : ", policy=" + policy)
        + ")";
  }
}
