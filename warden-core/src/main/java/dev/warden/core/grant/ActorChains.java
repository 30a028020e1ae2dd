package dev.warden.core.grant;

import static dev.warden.core.grant.GrantChecks.min;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.HopLinks;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.token.Actor;
import dev.warden.core.token.TransactionTokenMinter;
import dev.warden.core.token.VerifiedWardenToken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The delegation steps of a grant (RFC 8693 actors): what a chain may do before policy sees it, how
 * the issued credential is narrowed to the subject, and the hop-by-hop links that put every request
 * of a chain, allowed or refused, into one audit chain. Exists only when the token service has
 * {@link TokenService.Chains}.
 */
final class ActorChains {
  private final TokenService.Chains chains;
  private final HopLinks hops;

  ActorChains(TokenService.Chains chains) {
    this.chains = chains;
    this.hops = new HopLinks(chains.audit());
  }

  TokenService.Chains config() {
    return chains;
  }

  /**
   * Checks what a delegation may do before policy sees it: {@code may_act}, the chain's depth, the
   * audience, and a resource that can carry an {@code act} at all.
   *
   * @return the chain of the issued token, the requesting workload outermost
   */
  Actor delegate(SubjectSide side, Workload actor, Resource resource, GrantContext ctx) {
    if (side.mayAct() != null && !side.mayAct().equals(actor.name())) {
      throw new DeniedException(
          Reason.MAY_ACT_VIOLATED,
          "the subject token allows only "
              + side.mayAct()
              + " to act for "
              + side.subject()
              + " (may_act), not "
              + actor.name());
    }
    int depth = side.prior() == null ? 1 : side.prior().depth() + 1;
    if (depth > chains.maxDepth()) {
      throw new DeniedException(
          Reason.DELEGATION_TOO_DEEP,
          "the chain would be "
              + depth
              + " actors deep; this"
              + " server issues at most "
              + chains.maxDepth()
              + " (delegation.maxDepth)");
    }
    Actor chain = side.prior() == null ? Actor.of(actor.name()) : side.prior().then(actor.name());
    ctx.delegation(side.subject(), chain);
    if (side.audiences() != null && !side.audiences().contains(resource.audience())) {
      throw new DeniedException(
          Reason.AUDIENCE_NOT_DELEGATED,
          "the subject token was issued for "
              + side.audiences()
              + ", not for "
              + resource.audience()
              + "; an exchange never widens the audience");
    }
    if (resource.cloud() != null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '"
              + resource.name()
              + "' is a cloud"
              + " federation target; clouds read no act claim, so delegated tokens are not issued for it");
    }
    return chain;
  }

  /**
   * What policy sees of a delegated request: the subject, and every party of the chain (the
   * requesting workload, outermost, with the selectors it was attested by).
   */
  static Delegation delegation(
      SubjectSide side, Actor chain, Workload workload, PolicySnapshot snap, String txn) {
    List<Delegation.Party> parties = new ArrayList<>();
    for (Actor a = chain; a != null; a = a.prior()) {
      parties.add(
          a == chain
              ? new Delegation.Party(workload.name(), snap.party(workload.name()).selectors(), true)
              : snap.party(a.subject()));
    }
    return new Delegation(snap.party(side.subject()), parties, txn);
  }

  /**
   * Never wider than the subject: scopes within the subject token's (or, for a platform subject
   * token, within what the subject's own policy grants), and no later than the subject token, the
   * actor's own evidence, or the subject's own policy allow.
   */
  static Instant downScope(
      SubjectSide side,
      Resource resource,
      List<String> requested,
      Instant notAfter,
      PolicySnapshot snap,
      GrantRequest req,
      GrantContext ctx) {
    List<String> bound = side.scopes();
    if (side.audiences() == null) {
      Decision own =
          snap.decide(
              side.workload(),
              resource,
              new RequestContext(ctx.now(), req.sourceAddress(), Map.of(), requested, List.of()));
      if (!own.allowed()) {
        throw new DeniedException(
            own.reason(),
            "the subject "
                + side.subject()
                + " may not reach resource '"
                + resource.name()
                + "' itself, so no one may act for it there: "
                + own.message());
      }
      bound = own.scopes();
      notAfter = min(notAfter, ctx.now().plus(own.maxTtl()));
    }
    for (String s : requested) {
      if (!bound.contains(s)) {
        throw new DeniedException(
            Reason.INVALID_SCOPE,
            "scope '"
                + s
                + "' is wider than the subject's "
                + (side.audiences() == null ? "own grant" : "token")
                + " ("
                + String.join(" ", bound)
                + "); an exchange never widens scopes");
      }
    }
    notAfter = min(notAfter, side.expiresAt());
    return ctx.evidenceExpiresAt() == null ? notAfter : min(notAfter, ctx.evidenceExpiresAt());
  }

  /**
   * A presented {@code Txn-Token}: verified as Warden's, for this trust domain; its hop is the
   * previous one.
   */
  void linkTransaction(GrantRequest.Hop hop, GrantContext ctx) {
    if (hop.transactionToken() == null) {
      return;
    }
    VerifiedWardenToken t;
    try {
      t = chains.wardenTokens().verify(hop.transactionToken().reveal(), TransactionTokenMinter.TYP);
    } catch (DeniedException e) {
      throw new DeniedException(
          Reason.INVALID_GRANT, "the Txn-Token does not hold: " + e.getMessage());
    }
    if (!t.audiences().contains(trustDomainUri()) || t.txn() == null) {
      throw new DeniedException(
          Reason.INVALID_GRANT,
          "the Txn-Token is not for trust domain " + chains.trustDomain() + " or has no txn");
    }
    ctx.txn(t.txn());
    link(t.jti(), ctx);
  }

  /**
   * The audience of transaction tokens: {@code spiffe://<trust domain>}, a URI as resources'
   * audiences are.
   */
  String trustDomainUri() {
    return "spiffe://" + chains.trustDomain();
  }

  /**
   * A refused exchange is still a hop of the chain its subject token belongs to (an actor token for
   * the wrong audience, an expired actor): link the deny event when the subject token is Warden's
   * and verifies, so the refusal shows in {@code warden audit chain}. Best effort, never a new
   * reason to refuse.
   */
  void linkRefusal(GrantRequest req, GrantContext ctx) {
    if (ctx.previousHop() != null || req.exchange() == null) {
      return;
    }
    String token = req.exchange().subjectToken().reveal();
    if (!chains.wardenTokens().claimsToBeOurs(token)) {
      return;
    }
    try {
      VerifiedWardenToken t = chains.wardenTokens().verify(token, null);
      ctx.delegationSubject(t.subject());
      link(t.jti(), ctx);
    } catch (RuntimeException ignored) {
      // an invalid subject token links to nothing; the refusal is audited either way
    }
  }

  /** Links the request to the audit record of the event that issued the token it presents. */
  void link(String eventId, GrantContext ctx) {
    Optional<HopLinks.Link> l = hops.of(eventId);
    ctx.previousHop(
        eventId, l.map(HopLinks.Link::hash).orElse(null), l.map(HopLinks.Link::root).orElse(null));
  }

  /** Remembers an issuance, so that the next hop of its chain can link to it. */
  void remember(AuditRecord written) {
    if (written != null) {
      hops.remember(written);
    }
  }
}
