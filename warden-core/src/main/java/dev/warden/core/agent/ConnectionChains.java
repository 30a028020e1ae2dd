package dev.warden.core.agent;

import dev.warden.core.audit.AuditLookup;
import dev.warden.core.audit.ChainFields;
import dev.warden.core.audit.HopLinks;
import dev.warden.core.error.DeniedException;
import dev.warden.core.token.Actor;
import dev.warden.core.token.TransactionTokenMinter;
import dev.warden.core.token.VerifiedWardenToken;
import dev.warden.core.token.WardenTokens;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a proxied HTTP request a hop of the chain its {@code Txn-Token} names, when the server
 * turns the agent's report into an audit event. The agent passes the header unverified (it holds no
 * keys); here it is verified as the MCP gateway and token grants verify one — Warden-signed, {@code
 * typ: txntoken+jwt}, audience the trust domain, a live lease — and its expiry is checked at the
 * time of the request (the event's own time, never later than the report's arrival: reports come
 * seconds late). Only then does the event carry {@code txn}, the token's subject and actors and the
 * link (id and record hash) to the token's issuance. A token that does not hold leaves the event
 * without a chain and says why in {@link #REJECTED}: the request already happened, so it is
 * recorded either way, but an unverified {@code txn} is never written.
 */
public final class ConnectionChains {
  /** The detail that says why a request's {@code Txn-Token} was not taken as its chain. */
  public static final String REJECTED = "txnTokenRejected";

  private final WardenTokens tokens;
  private final HopLinks links;
  private final String trustDomainUri;

  /**
   * @param tokens Warden's token verifier (the access-token keys sign transaction tokens)
   * @param log the audit log, to read the hash of the token's issuance record
   * @param trustDomain the trust domain whose transaction tokens are accepted
   */
  public ConnectionChains(WardenTokens tokens, AuditLookup log, String trustDomain) {
    this.tokens = tokens;
    this.links = new HopLinks(log);
    this.trustDomainUri = "spiffe://" + trustDomain;
  }

  /**
   * Adds the chain of event {@code e} to its audit details {@code d}.
   *
   * @param received when the report arrived: the latest time the request can have been made
   * @throws dev.warden.core.store.StoreException when the log or the leases cannot be read (the
   *     report is then refused and sent again)
   */
  void describe(ProxiedConnection e, Instant received, Map<String, String> d) {
    ProxiedConnection.Hop hop = e.hop();
    if (hop == null) {
      return;
    }
    if (hop.traceparent() != null) {
      d.put(ChainFields.TRACEPARENT, hop.traceparent());
    }
    if (hop.txnTokenOmitted() != null) {
      d.put(REJECTED, hop.txnTokenOmitted());
      return;
    }
    if (hop.txnToken() == null) {
      return;
    }
    Instant at = e.at().isAfter(received) ? received : e.at();
    VerifiedWardenToken t;
    try {
      t = tokens.verify(hop.txnToken().reveal(), TransactionTokenMinter.TYP, at);
    } catch (DeniedException x) {
      d.put(REJECTED, x.reason().code() + ": " + x.getMessage());
      return;
    }
    if (!t.audiences().contains(trustDomainUri) || t.txn() == null) {
      d.put(REJECTED, "the Txn-Token is not for " + trustDomainUri + " or has no txn");
      return;
    }
    if (t.claims().get("iat") instanceof Long iat && iat > at.getEpochSecond()) {
      d.put(REJECTED, "the Txn-Token was issued after the request was made");
      return;
    }
    if (!t.subject().equals(e.workload()) || t.actor() != null) {
      // as the other hops do: the subject is named when the request acts for someone else
      d.put(ChainFields.SUBJECT, t.subject());
    }
    Actor act = t.actor();
    if (act != null) {
      d.put(ChainFields.ACTORS, String.join(" ", act.subjectsInOrder().reversed()));
      d.put(ChainFields.DEPTH, Integer.toString(act.depth()));
    }
    d.put(ChainFields.TXN, t.txn());
    // the token's jti is the id of the event that issued it: that event is the previous hop
    Optional<HopLinks.Link> link = links.of(t.jti());
    d.put(ChainFields.PREVIOUS, t.jti());
    link.ifPresent(l -> d.put(ChainFields.PREVIOUS_HASH, l.hash()));
    d.put(ChainFields.ROOT, link.map(HopLinks.Link::root).filter(r -> r != null).orElse(t.jti()));
  }
}
