package dev.warden.core.grant;

import static dev.warden.core.grant.GrantChecks.min;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.token.KeyBinding;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.TransactionTokenMinter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A transaction token (draft-ietf-oauth-transaction-tokens section 7): asked for with the trust
 * domain as audience, allowed by the policies of the resource registered with that audience, at
 * most five minutes, with {@code req_wl}, {@code tctx} and {@code rctx}, audited as a hop. The
 * token service has already attested the workload and verified the subject side.
 */
final class TransactionTokenGrant {
  private final ActorChains chains;
  private final AuditWriter audit;
  private final LeaseIntents leases;

  TransactionTokenGrant(ActorChains chains, AuditWriter audit, LeaseIntents leases) {
    this.chains = chains;
    this.audit = audit;
    this.leases = leases;
  }

  Granted grant(
      GrantRequest req,
      GrantRequest.Exchange ex,
      SubjectSide side,
      Workload workload,
      Resource resource,
      List<String> requested,
      PolicySnapshot snap,
      GrantContext ctx) {
    TokenService.Chains config = chains.config();
    String trustDomainUri = chains.trustDomainUri();
    if (!trustDomainUri.equals(resource.audience())) {
      throw new DeniedException(
          Reason.UNKNOWN_RESOURCE,
          "a transaction token is asked for with the trust domain as"
              + " audience ("
              + config.trustDomain()
              + "), not "
              + resource.audience());
    }
    if (requested.isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST, "scope is required: the purpose of the transaction");
    }
    ObjectNode tctx = TransactionTokenMinter.jsonObject("request_details", ex.requestDetails());
    ObjectNode rctx = TransactionTokenMinter.jsonObject("request_context", ex.requestContext());
    String txn = UUID.randomUUID().toString();
    ctx.txn(txn);
    ctx.delegation(side.subject(), null);
    RequestContext request =
        new RequestContext(ctx.now(), req.sourceAddress(), ctx.claims(), requested, List.of())
            .delegated(new Delegation(snap.party(side.subject()), List.of(), txn));
    ctx.decisionInputs(DecisionInputs.json(workload, resource, request));
    Decision d = snap.decide(workload, resource, request);
    ctx.decision(d);
    if (!d.allowed()) {
      throw new DeniedException(d.reason(), d.message());
    }
    for (String s : requested) {
      if (!d.scopes().contains(s)) {
        throw new DeniedException(
            Reason.INVALID_SCOPE,
            "scope '" + s + "' is not granted for transactions of " + workload.name());
      }
    }
    Instant iat = Instant.ofEpochSecond(ctx.now().getEpochSecond());
    Instant exp = min(iat.plus(d.maxTtl()), iat.plus(TransactionTokenMinter.MAX_LIFETIME));
    exp = min(exp, side.expiresAt());
    if (workload.expiresAt() != null) {
      exp = min(exp, workload.expiresAt());
    }
    exp = Instant.ofEpochSecond(exp.getEpochSecond());
    if (rctx == null) {
      rctx = new ObjectMapper().createObjectNode();
    }
    // what Warden itself saw is authoritative over what the requester said
    rctx.put("req_ip", req.sourceAddress() == null ? "" : req.sourceAddress());
    rctx.put(
        "authn", req.evidence() instanceof Evidence.ClientCertificate ? "x509-svid" : "jwt-bearer");
    String scope = String.join(" ", requested);
    String jti = UUID.randomUUID().toString();
    KeyMaterial key = config.keys().keyset().active();
    Secret token =
        TransactionTokenMinter.mint(
            key,
            new TransactionTokenMinter.Claims(
                config.issuer(),
                side.subject(),
                trustDomainUri,
                txn,
                scope,
                workload.name(),
                tctx,
                rctx,
                jti,
                iat,
                exp));
    IssuedCredential c =
        new IssuedCredential(
            CredentialKind.ACCESS_TOKEN,
            token,
            jti,
            iat,
            exp,
            Map.of("kid", key.kid(), "tokenType", "txn_token"));
    Lease lease = leases.lease(c, workload, resource);
    chains.remember(audit.write(ctx.allowed(c, lease, scope)));
    return new Granted(
        c.value(),
        jti,
        exp,
        Math.max(0, exp.getEpochSecond() - iat.getEpochSecond()),
        scope,
        workload.name(),
        resource.name(),
        d.policy(),
        Map.of(),
        CredentialKind.ACCESS_TOKEN,
        KeyBinding.BEARER);
  }
}
