package dev.warden.core.grant;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stateless checks of a grant request: who the client says it is, whether the workload may act
 * now, which resource the request names and which scopes it asks for. Each refuses with the reason
 * code the audit log records.
 */
final class GrantChecks {
  private GrantChecks() {}

  /**
   * RFC 7521 section 4.2: a {@code client_id} that does not identify the authenticated client is
   * {@code invalid_client}. The authenticated client is the workload the evidence attested (its
   * SPIFFE ID); leaving {@code client_id} out is fine.
   */
  static void requireClientIdNames(String clientId, String attested) {
    if (clientId != null && !clientId.equals(attested)) {
      throw new DeniedException(
          Reason.CLIENT_ID_MISMATCH,
          "client_id does not name the authenticated client, "
              + attested
              + "; send that SPIFFE ID as client_id or leave client_id out (RFC 7521 section 4.2)");
    }
  }

  /**
   * A credential is bound to at most one key (decision 651): a request that authenticates with a
   * client certificate, which binds the token to that certificate (RFC 8705), may not also send a
   * DPoP proof; and a transaction token, which is not an access token, is never bound.
   *
   * @param certificateThumbprint the thumbprint of the certificate the request authenticated with,
   *     or null
   */
  static void requireOneBinding(GrantRequest req, String certificateThumbprint) {
    if (req.dpop() == null) {
      return;
    }
    if (certificateThumbprint != null) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "this request authenticates with a client certificate, which binds the token to it (RFC"
              + " 8705), and also sends a DPoP proof; a token is bound to one key: drop the DPoP"
              + " header, or authenticate with client_assertion to get a DPoP-bound token");
    }
    if (req.exchange() != null
        && req.exchange().purpose() == GrantRequest.Purpose.TRANSACTION_TOKEN) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "a transaction token is not an access token and is never bound to a key; send the"
              + " request without a DPoP header");
    }
  }

  /** See {@link TokenService#checkState}. */
  static void checkState(Workload w, Instant now) {
    switch (w.state()) {
      case SUSPENDED ->
          throw new DeniedException(
              Reason.WORKLOAD_SUSPENDED,
              "workload " + w.name() + " is suspended; its owner must reactivate it");
      case RETIRED ->
          throw new DeniedException(
              Reason.WORKLOAD_RETIRED, "workload " + w.name() + " is retired");
      default -> {
        if (w.expiresAt() != null && !now.isBefore(w.expiresAt())) {
          throw new DeniedException(
              Reason.WORKLOAD_EXPIRED,
              "workload "
                  + w.name()
                  + " expired at "
                  + w.expiresAt()
                  + "; its owner must renew it");
        }
      }
    }
  }

  static Resource resolve(PolicySnapshot snap, String target) {
    if (target == null || target.isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "name the resource with the 'resource' (RFC 8707) or 'audience' parameter");
    }
    Resource r = snap.resourceByAudience(target);
    if (r == null) {
      r = snap.resource(target);
      // an MCP server is named by its canonical URI only (RFC 8707, MCP authorization), never by
      // name
      if (r != null && Resource.MCP.equals(r.kind())) {
        r = null;
      }
    }
    if (r == null) {
      throw new DeniedException(
          Reason.UNKNOWN_RESOURCE,
          "no resource is registered for '"
              + (target.length() > 200 ? target.substring(0, 200) + "..." : target)
              + "'");
    }
    return r;
  }

  static List<String> scopes(String scope) {
    if (scope == null || scope.isBlank()) {
      return List.of();
    }
    Set<String> s = new LinkedHashSet<>(Arrays.asList(scope.trim().split(" +")));
    return List.copyOf(s);
  }

  static Instant min(Instant a, Instant b) {
    return b.isBefore(a) ? b : a;
  }
}
