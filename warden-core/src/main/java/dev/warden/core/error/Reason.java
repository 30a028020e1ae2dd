package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * Stable reason codes. The same code appears in the audit log, in metrics and (mapped once, at the
 * HTTP edge) in error responses, so operators can grep one word end to end.
 */
public enum Reason {
  // evidence (platform token) problems
  MALFORMED_TOKEN("malformed_token"),
  TOKEN_TOO_LARGE("token_too_large"),
  ALG_NOT_ALLOWED("alg_not_allowed"),
  UNKNOWN_KID("unknown_kid"),
  BAD_SIGNATURE("bad_signature"),
  UNKNOWN_ISSUER("unknown_issuer"),
  WRONG_ISSUER("wrong_issuer"),
  WRONG_AUDIENCE("wrong_audience"),
  TOKEN_EXPIRED("token_expired"),
  TOKEN_NOT_YET_VALID("token_not_yet_valid"),
  TOKEN_TOO_OLD("token_too_old"),
  MISSING_CLAIM("missing_claim"),
  JWKS_UNAVAILABLE("jwks_unavailable"),
  /**
   * the trust provider for the token's issuer is stored but no longer compiles: disabled, fail
   * closed
   */
  PROVIDER_DISABLED("provider_disabled"),
  // identity problems
  UNKNOWN_WORKLOAD("unknown_workload"),
  AMBIGUOUS_WORKLOAD("ambiguous_workload"),
  WORKLOAD_SUSPENDED("workload_suspended"),
  WORKLOAD_RETIRED("workload_retired"),
  WORKLOAD_EXPIRED("workload_expired"),
  /**
   * The request's {@code client_id} names a client other than the one its evidence authenticated.
   */
  CLIENT_ID_MISMATCH("client_id_mismatch"),
  /**
   * The client tried HTTP authentication (an Authorization header); Warden has no client secrets.
   */
  CLIENT_AUTH_UNSUPPORTED("client_auth_unsupported"),
  // policy problems
  UNKNOWN_RESOURCE("unknown_resource"),
  NO_MATCHING_POLICY("no_matching_policy"),
  POLICY_DENY("policy_deny"),
  CONDITION_FALSE("condition_false"),
  CONDITION_ERROR("condition_error"),
  /** the policy that would decide is stored but no longer compiles: disabled, fail closed */
  POLICY_DISABLED("policy_disabled"),
  INVALID_SCOPE("invalid_scope"),
  CREDENTIAL_KIND_UNSUPPORTED("credential_kind_unsupported"),
  /**
   * the credential would outlive what the policy allows (its maxTtl, or the workload's expiry) and
   * cannot be shortened: an upstream token Warden did not mint
   */
  TTL_EXCEEDS_POLICY("ttl_exceeds_policy"),
  // delegation problems (RFC 8693 token exchange with an actor)
  /**
   * A subject or actor token that does not hold up: malformed {@code act}, not Warden's, revoked.
   */
  INVALID_GRANT("invalid_grant"),
  /**
   * A token Warden did not sign carries an {@code act} claim: only Warden-issued chains are
   * trusted.
   */
  ACT_NOT_TRUSTED("act_not_trusted"),
  /** The subject token's {@code may_act} names someone other than the actor. */
  MAY_ACT_VIOLATED("may_act_violated"),
  /** The chain would be deeper than the server allows. */
  DELEGATION_TOO_DEEP("delegation_too_deep"),
  /** The exchange asks for an audience the subject token was not issued for (never wider). */
  AUDIENCE_NOT_DELEGATED("audience_not_delegated"),
  /** A Warden token presented as evidence whose lease was revoked. */
  TOKEN_REVOKED("token_revoked"),
  // authorization code flow (MCP clients acting for a user; docs/agents.md)
  /**
   * The client's Client ID Metadata Document is malformed or breaks a rule (client_id,
   * redirect_uris).
   */
  INVALID_CLIENT_METADATA("invalid_client_metadata"),
  /**
   * The Client ID Metadata Document could not be fetched: refused address, redirect, size, time,
   * status.
   */
  CLIENT_METADATA_UNAVAILABLE("client_metadata_unavailable"),
  /**
   * The redirect_uri is not one the client's metadata document lists, or differs from the
   * authorization request's.
   */
  REDIRECT_URI_MISMATCH("redirect_uri_mismatch"),
  /**
   * The resource is not a registered MCP server, or differs from the one the code was issued for
   * (RFC 8707).
   */
  INVALID_TARGET("invalid_target"),
  /** The authorization code is unknown, expired, or was issued to another client. */
  INVALID_CODE("invalid_code"),
  /**
   * The authorization code was used before: refused, and the tokens issued from it revoked (RFC
   * 6749 section 4.1.2).
   */
  CODE_REUSED("code_reused"),
  /** The code_verifier does not match the code_challenge (RFC 7636 S256). */
  PKCE_MISMATCH("pkce_mismatch"),
  /** The user did not sign in at the upstream identity provider, or its answer did not hold up. */
  LOGIN_FAILED("login_failed"),
  /**
   * A token an MCP client got for a user has no live record of that user's sign-in (decision 661):
   * the MCP gateway cannot decide without the user's attested selectors, so it refuses.
   */
  USER_GRANT_MISSING("user_grant_missing"),
  /** A token bound to a certificate (RFC 8705 {@code cnf}) presented without that certificate. */
  CERTIFICATE_MISMATCH("certificate_mismatch"),
  /**
   * A DPoP proof (RFC 9449) that does not hold up: not a {@code dpop+jwt} signed by the public key
   * it carries, a claim missing or not matching the request, too old, replayed, or made with a key
   * other than the one the token is bound to.
   */
  INVALID_DPOP_PROOF("invalid_dpop_proof"),
  /**
   * A token bound to a DPoP key ({@code cnf.jkt}) presented without a proof of that key (as a
   * Bearer token), or an unbound token presented under the DPoP scheme.
   */
  DPOP_BINDING_MISMATCH("dpop_binding_mismatch"),
  // request problems
  INVALID_REQUEST("invalid_request"),
  /**
   * A message to the MCP gateway that is not one JSON-RPC 2.0 request, notification or response.
   */
  MALFORMED_MESSAGE("malformed_message"),
  /**
   * A tool name outside the MCP tool-name rules (ASCII letters, digits, {@code _ - .}; 1 to 128).
   */
  INVALID_TOOL_NAME("invalid_tool_name"),
  /**
   * {@code Mcp-Method} or {@code Mcp-Name} disagrees with the JSON-RPC body, or is missing where
   * required.
   */
  HEADER_MISMATCH("header_mismatch"),
  UNSUPPORTED_GRANT_TYPE("unsupported_grant_type"),
  REQUEST_TOO_LARGE("request_too_large"),
  // certificate and agent problems
  MALFORMED_CSR("malformed_csr"),
  CSR_REJECTED("csr_rejected"),
  WEAK_KEY("weak_key"),
  INVALID_JOIN_TOKEN("invalid_join_token"),
  AGENT_NOT_AUTHORIZED("agent_not_authorized"),
  NOT_NODE_EVIDENCE("not_node_evidence"),
  INVALID_SVID("invalid_svid"),
  UNKNOWN_AUTHORITY("unknown_authority"),
  /** the workload already holds the most live credentials the resource allows */
  QUOTA_EXCEEDED("quota_exceeded"),
  /**
   * The lease named is not a live lease of the calling workload (or does not exist: not told
   * apart).
   */
  UNKNOWN_LEASE("unknown_lease"),
  // platform problems
  AUDIT_UNAVAILABLE("audit_unavailable"),
  /**
   * the target (a resource's database, an upstream OAuth server) cannot be reached or refused:
   * nothing was issued there
   */
  TARGET_UNAVAILABLE("target_unavailable"),
  /**
   * The brokered secret a resource names does not exist, or its current version is deleted or
   * destroyed.
   */
  SECRET_UNAVAILABLE("secret_unavailable"),
  // success
  ALLOWED("allowed");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  /** The stable wire form, e.g. {@code unknown_workload}. */
  public String code() {
    return code;
  }

  /** Looks a reason up by its wire form; returns null when unknown. */
  public static @Nullable Reason fromCode(String code) {
    for (Reason r : values()) {
      if (r.code.equals(code)) {
        return r;
      }
    }
    return null;
  }
}
