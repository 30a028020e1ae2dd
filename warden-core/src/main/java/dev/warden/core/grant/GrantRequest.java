package dev.warden.core.grant;

import dev.warden.core.model.CredentialKind;
import java.util.Objects;

/**
 * One request for a credential, already parsed from the wire.
 *
 * @param evidence what the caller presents to prove what it is
 * @param target the resource's audience URI or its name
 * @param scope space-separated scopes, or null
 * @param clientId the {@code client_id} the request named, or null; it never reaches the credential
 *     (whose client is the attested workload) and must name that workload
 * @param sourceAddress the caller's IP address as the server saw it
 * @param endpoint where the request arrived; a policy that grants a kind served at the other
 *     endpoint is refused with a pointer to the right one
 * @param requestedKind the kind the caller asked for ({@code credential_type} at {@code
 *     /v1/credentials}), or null for whatever the policy grants there
 * @param exchange the subject side of an RFC 8693 exchange in which {@code evidence} proves the
 *     requester (an actor, or a workload asking for a transaction token), or null
 * @param hop what links the request to the chain it is part of (a transaction token, a W3C trace);
 *     {@link Hop#NONE} when nothing does
 * @param dpop the verified DPoP proof (RFC 9449) the request carried at the token endpoint: the
 *     access token is bound to its key; or null
 */
public record GrantRequest(
    GrantType grantType,
    Evidence evidence,
    String target,
    String scope,
    String clientId,
    String sourceAddress,
    CredentialKind.Endpoint endpoint,
    CredentialKind requestedKind,
    Exchange exchange,
    Hop hop,
    dev.warden.core.dpop.DpopProof dpop) {
  public GrantRequest {
    Objects.requireNonNull(grantType, "grantType");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(hop, "hop");
    if (requestedKind != null && requestedKind.endpoint() != endpoint) {
      throw new IllegalArgumentException(requestedKind + " is not served at " + endpoint);
    }
    if (exchange != null && grantType != GrantType.TOKEN_EXCHANGE) {
      throw new IllegalArgumentException(
          "a subject token is exchanged only with the token-exchange grant");
    }
    if (dpop != null && endpoint != CredentialKind.Endpoint.TOKEN) {
      throw new IllegalArgumentException("DPoP proofs are accepted at the token endpoint only");
    }
  }

  /** What is asked for in exchange for a subject token. */
  public enum Purpose {
    /**
     * An access token for the subject, with the requester as the current actor (RFC 8693 section
     * 4.1).
     */
    DELEGATION,
    /** A transaction token for the subject (draft-ietf-oauth-transaction-tokens). */
    TRANSACTION_TOKEN
  }

  /** How the subject token of an exchange is to be read. */
  public enum SubjectTokenType {
    /** A JWT: a Warden token, or a platform token a trust provider verifies. */
    JWT,
    /** A JSON object {@code {"sub": …}} naming the requester itself (transaction tokens only). */
    UNSIGNED_JSON
  }

  /**
   * The subject side of an exchange.
   *
   * @param requestContext the {@code request_context} JSON object text of a transaction-token
   *     request, or null
   * @param requestDetails the {@code request_details} JSON object text, or null
   */
  public record Exchange(
      Purpose purpose,
      dev.warden.core.crypto.Secret subjectToken,
      SubjectTokenType subjectTokenType,
      String requestContext,
      String requestDetails) {
    public Exchange {
      Objects.requireNonNull(purpose, "purpose");
      Objects.requireNonNull(subjectToken, "subjectToken");
      Objects.requireNonNull(subjectTokenType, "subjectTokenType");
      if (purpose == Purpose.DELEGATION && (requestContext != null || requestDetails != null)) {
        throw new IllegalArgumentException(
            "request_context and request_details belong to transaction-token requests");
      }
    }
  }

  /**
   * What ties a request to the chain of actions it belongs to.
   *
   * @param transactionToken the {@code Txn-Token} the caller presented, or null
   * @param traceparent the W3C Trace Context {@code traceparent} the caller sent, or null
   */
  public record Hop(dev.warden.core.crypto.Secret transactionToken, String traceparent) {
    public static final Hop NONE = new Hop(null, null);
  }
}
