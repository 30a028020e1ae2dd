package dev.warden.core.mcp;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditLookup;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.dpop.DpopVerifier;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.grant.DecisionInputs;
import dev.warden.core.grant.TokenService;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.oauth.UserGrant;
import dev.warden.core.oauth.UserGrantStore;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.McpRequest;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.token.Actor;
import dev.warden.core.token.TransactionTokenMinter;
import dev.warden.core.token.VerifiedWardenToken;
import dev.warden.core.token.WardenTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The decisions of Warden's MCP gateway, without HTTP: who calls (a Warden access token issued for
 * exactly this gateway, from a registered workload or from an MCP client acting for a signed-in
 * user), whether the policy lets it send this message (per tool for {@code tools/call}), what
 * credential the upstream gets, and the audit event that makes the call a hop of its chain.
 *
 * <p>Design note (decision 660). The acting workload is the token's {@code client_id} (the agent);
 * it acts for {@code sub} through the token's {@code act} chain, and the policies of the MCP
 * resource decide with {@code request.mcp} added to what token grants see. Each tool call (allowed
 * or refused) is one audit event whose previous hop is the issuance of the token presented (its
 * {@code jti}, the id of that event) with its record hash, read once per token and then kept: an
 * audit record never changes. The event is submitted to the group-committing audit writer before
 * the call is forwarded; {@link Admission#awaitDurable} waits for it, before forwarding or before
 * answering, as the server is configured.
 *
 * <p>A token from the authorization code grant names an MCP client (its metadata URL, never a
 * registered workload) acting for a user (decision 661). Its calls are decided on that user, with
 * the selectors and claims attested at sign-in, which the authorization endpoint stored under the
 * token's {@code jti} ({@link UserGrants}); the client is the unregistered actor. No record, no
 * call.
 *
 * <p>This class authenticates and decides; the audit events are {@link McpAudit} and the
 * previous-hop links {@link IssuanceLinks}.
 *
 * <p>Why it is still over 400 lines: the request, caller and admission types the endpoint holds are
 * part of its public API and are declared here with the methods that return them.
 */
public final class McpGateway {
  private final WardenTokens tokens;
  private final Supplier<PolicySnapshot> policies;
  private final McpCredentials credentials;
  private final String trustDomain;
  private final String trustDomainUri;
  private final Clock clock;
  private final McpAudit calls;
  private final IssuanceLinks links;
  private final UserGrants users;
  private final DpopVerifier dpop;

  /**
   * @param trustDomain the trust domain whose transaction tokens a {@code Txn-Token} header may
   *     carry
   * @param dpop verifies the DPoP proof sent with a token bound to a DPoP key
   */
  public McpGateway(
      WardenTokens tokens,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      AuditLookup lookup,
      McpCredentials credentials,
      UserGrantStore users,
      String trustDomain,
      Clock clock,
      DpopVerifier dpop) {
    this.dpop = dpop;
    this.tokens = tokens;
    this.policies = policies;
    this.credentials = credentials;
    this.trustDomain = trustDomain;
    this.trustDomainUri = "spiffe://" + trustDomain;
    this.clock = clock;
    this.calls = new McpAudit(audit, clock);
    this.links = new IssuanceLinks(lookup);
    this.users = new UserGrants(users);
  }

  /**
   * Warden's issuer, which the gateway's protected-resource metadata names as its authorization
   * server.
   */
  public String issuer() {
    return tokens.issuer();
  }

  /**
   * What the HTTP layer read from one request.
   *
   * @param bearer the {@code Authorization: Bearer} token, or null when none was sent
   * @param certificateThumbprint the RFC 8705 {@code x5t#S256} of the TLS client certificate, or
   *     null
   * @param txnToken the {@code Txn-Token} header, or null
   * @param traceparent a W3C {@code traceparent} that parsed, or null
   * @param scheme the scheme {@code bearer} was sent under: {@code Bearer}, or {@code DPoP} (RFC
   *     9449 section 7.1)
   * @param dpopProofs every value of the request's {@code DPoP} header (exactly one is accepted)
   * @param method the request's HTTP method, which a DPoP proof's {@code htm} must name
   */
  public record Request(
      Resource resource,
      String bearer,
      String certificateThumbprint,
      String sourceAddress,
      String txnToken,
      String traceparent,
      DpopVerifier.Scheme scheme,
      List<String> dpopProofs,
      String method) {
    public Request {
      dpopProofs = List.copyOf(dpopProofs);
      java.util.Objects.requireNonNull(scheme, "scheme");
      java.util.Objects.requireNonNull(method, "method");
    }
  }

  /**
   * An authenticated caller: the verified token, the agent it was issued to, and its chain; for an
   * MCP client acting for a signed-in user, that user as attested at sign-in (decision 661).
   */
  public static final class Caller {
    private final VerifiedWardenToken token;
    private final Workload principal;
    private final String agent;
    private final UserGrant user;
    private final IssuanceLinks.Link previous;

    private Caller(
        VerifiedWardenToken token,
        Workload principal,
        String agent,
        UserGrant user,
        IssuanceLinks.Link previous) {
      this.token = token;
      this.principal = principal;
      this.agent = agent;
      this.user = user;
      this.previous = previous;
    }

    /** The agent (the token's {@code client_id}). */
    public String agent() {
      return agent;
    }

    /**
     * Whom an MCP session opened with this token belongs to: the agent, and when it acts for a
     * signed-in user, that user too (every user of one MCP client shares its {@code client_id}).
     */
    public String sessionOwner() {
      return user == null ? agent : agent + " " + user.subject();
    }

    /** The token's {@code sub}: whom the agent acts for (itself when not delegated). */
    public String subject() {
      return token.subject();
    }

    /** The token's {@code jti}. */
    public String tokenId() {
      return token.jti();
    }

    VerifiedWardenToken token() {
      return token;
    }

    /** The workload the policy decides on: the agent, or the signed-in user it acts for. */
    Workload workload() {
      return principal;
    }

    /** The signed-in user the agent acts for, or null. */
    UserGrant user() {
      return user;
    }

    /** Who is refused, in a message: the agent, or the user through the client. */
    String describe() {
      return user == null ? agent : user.subject() + " through " + agent;
    }

    IssuanceLinks.Link previous() {
      return previous;
    }
  }

  /**
   * Authenticates a request: a Warden access token (signature, issuer, expiry, live lease) whose
   * {@code aud} holds exactly this gateway's audience (no token for another resource is accepted,
   * so no token is passed through), presented with the certificate it is bound to if any, issued to
   * a registered workload that may act now, or to an MCP client acting for a user whose sign-in is
   * on record for this token. A refusal of a token that was presented is audited.
   *
   * @throws DeniedException the reason: no token ({@code invalid_request}, not audited: the first
   *     step of every MCP client's discovery), or what the token broke ({@code wrong_audience},
   *     {@code token_expired}, {@code token_revoked}, {@code certificate_mismatch}, {@code
   *     unknown_workload}, {@code user_grant_missing}, {@code dpop_binding_mismatch}, {@code
   *     invalid_dpop_proof}, …)
   * @throws UnavailableException when the refusal cannot be audited
   */
  public Caller authenticate(Request r) {
    if (r.bearer() == null || r.bearer().isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "send Authorization: Bearer (or DPoP) <a Warden access token for "
              + r.resource().audience()
              + ">");
    }
    VerifiedWardenToken t;
    try {
      t = tokens.verify(r.bearer(), null);
    } catch (DeniedException e) {
      calls.refuse(r, null, null, e.reason(), e.getMessage());
      throw e;
    }
    IssuanceLinks.Link link = links.of(t.jti());
    String audience = r.resource().audience();
    if (!t.audiences().contains(audience)) {
      String m =
          "this token was issued for "
              + String.join(" ", t.audiences())
              + ", not for this gateway ("
              + audience
              + "); ask Warden for a token with resource="
              + audience;
      calls.refuse(r, t, link, Reason.WRONG_AUDIENCE, m);
      throw new DeniedException(Reason.WRONG_AUDIENCE, m);
    }
    String cnf = t.certificateThumbprint();
    if (cnf != null
        && (r.certificateThumbprint() == null
            || !MessageDigest.isEqual(
                cnf.getBytes(StandardCharsets.US_ASCII),
                r.certificateThumbprint().getBytes(StandardCharsets.US_ASCII)))) {
      String m =
          "this token is bound to a client certificate (cnf x5t#S256, RFC 8705); present that certificate"
              + " over mutual TLS";
      calls.refuse(r, t, link, Reason.CERTIFICATE_MISMATCH, m);
      throw new DeniedException(Reason.CERTIFICATE_MISMATCH, m);
    }
    try {
      // the gateway's URI is its audience: the proof's htu must name it
      dpop.checkPresentation(
          t.dpopThumbprint(), r.scheme(), r.dpopProofs(), r.method(), audience, r.bearer());
    } catch (DeniedException e) {
      calls.refuse(r, t, link, e.reason(), e.getMessage());
      throw e;
    }
    String agentId = t.clientId() != null ? t.clientId() : t.subject();
    Workload agent = policies.get().workload(agentId);
    try {
      if (agent == null && !agentId.startsWith("spiffe://")) {
        // an MCP client (its metadata URL) acting for a user who signed in at the authorization
        // endpoint: decided on that user, as attested then and recorded under the token's jti
        UserGrant user = users.of(t, clock.instant());
        return new Caller(t, user.principal(trustDomain), agentId, user, link);
      }
      if (agent == null) {
        throw new DeniedException(
            Reason.UNKNOWN_WORKLOAD,
            "the token's client "
                + agentId
                + " is not a registered"
                + " workload; the gateway decides per tool on the workload that calls");
      }
      TokenService.checkState(agent, clock.instant());
    } catch (DeniedException e) {
      calls.refuse(r, t, link, e.reason(), e.getMessage());
      throw e;
    }
    return new Caller(t, agent, agent.name(), null, link);
  }

  /**
   * A message the gateway lets through, with its audit event under way (none for a message not
   * audited).
   */
  public final class Admission {
    private final CompletableFuture<AuditRecord> audited;
    private final McpCredentials.Injected credential;
    private final String eventId;

    private Admission(
        CompletableFuture<AuditRecord> audited,
        McpCredentials.Injected credential,
        String eventId) {
      this.audited = audited;
      this.credential = credential;
      this.eventId = eventId;
    }

    /** The header to add to the forwarded request, or null. */
    public McpCredentials.Injected credential() {
      return credential;
    }

    /**
     * The id of the audit event of this call, or null when the message is not audited (a ping, a
     * list).
     */
    public String eventId() {
      return eventId;
    }

    /**
     * Waits until the call's audit event is durable (at once when there is none).
     *
     * @throws UnavailableException when it cannot be made durable in time: the caller must answer
     *     with an error, never the upstream's result
     */
    public void awaitDurable() {
      if (audited != null) {
        calls.await(audited);
      }
    }
  }

  /**
   * Decides one message of an authenticated caller. {@code tools/call}, and the methods that act on
   * a named prompt or resource, are decided on that name and audited whatever the outcome; other
   * methods (initialize, ping, lists, notifications) are decided on the method alone and audited
   * only when refused. A client's response to a server request (no method) is let through.
   *
   * @throws McpRefusal the JSON-RPC error to answer with, already audited: a refused call, headers
   *     that disagree with the body, an invalid {@code Txn-Token}, or a credential the upstream
   *     needs that Warden cannot produce
   * @throws UnavailableException when a refusal cannot be audited
   */
  public Admission admit(Caller c, Request r, McpMessage m, McpHeaders headers) {
    Instant now = clock.instant();
    String txn = c.token.txn();
    try {
      if (r.txnToken() != null) {
        txn = transaction(r.txnToken());
      }
      headers.check(m);
    } catch (McpRefusal e) {
      calls.deny(c, r, m, txn, null, null, e.reason(), e.getMessage(), now);
      throw e;
    }
    if (m.kind() == McpMessage.Kind.RESPONSE) {
      return new Admission(null, credential(c, r, m, txn, null, now), null);
    }
    PolicySnapshot snap = policies.get();
    RequestContext request = request(c, r, m, txn, snap, now);
    Decision d = snap.decide(c.principal, r.resource(), request);
    String inputs = DecisionInputs.json(c.principal, r.resource(), request);
    if (!d.allowed()) {
      String why =
          m.isToolCall()
              ? "tool " + m.name() + " is not allowed for " + c.describe() + ": " + d.message()
              : m.method() + " is not allowed for " + c.describe() + ": " + d.message();
      calls.deny(c, r, m, txn, d, inputs, d.reason(), why, now);
      throw McpRefusal.forbidden(m.id(), d.reason(), why);
    }
    McpCredentials.Injected credential = credential(c, r, m, txn, d, now);
    if (!m.isNamed()) {
      return new Admission(null, credential, null);
    }
    AuditEvent e = calls.event(c, r, m, txn, d, inputs, Reason.ALLOWED, null, now);
    return new Admission(calls.submit(e), credential, e.id());
  }

  private McpCredentials.Injected credential(
      Caller c, Request r, McpMessage m, String txn, Decision d, Instant now) {
    if (r.resource().mcp() == null) {
      return null;
    }
    try {
      // the read log names the workload decided on: for a user, their user SPIFFE ID (bounded in
      // length and naming who the secret was used for), never the client's self-asserted URL
      return credentials.resolve(r.resource().mcp().credential(), c.principal.name(), now);
    } catch (DeniedException | TargetException e) {
      Reason reason = e instanceof DeniedException de ? de.reason() : Reason.TARGET_UNAVAILABLE;
      String why =
          "the gateway cannot obtain the credential of resource '"
              + r.resource().name()
              + "' for its"
              + " upstream: "
              + e.getMessage();
      calls.credentialFailed(calls.event(c, r, m, txn, d, null, reason, why, now));
      throw new McpRefusal(
          -32603, m == null ? 502 : 200, reason, m == null ? null : m.id(), why, null);
    }
  }

  /**
   * Admits a request that carries no message: the server's event stream ({@code GET}, protocol
   * revisions before 2026-07-28) or the end of a session ({@code DELETE}). The token for this
   * gateway admits them; what flows on the stream are the server's messages, not the agent's calls.
   *
   * @return the credential for the upstream, or null
   * @throws McpRefusal when the credential cannot be obtained (audited)
   */
  public McpCredentials.Injected admitStream(Caller c, Request r) {
    return credential(c, r, null, c.token.txn(), null, clock.instant());
  }

  /**
   * Audits a message refused before it was decided (malformed body, bad tool name) from a caller
   * that authenticated; the refusal itself is answered by the caller of this method.
   *
   * @throws UnavailableException when it cannot be audited
   */
  public void refused(Caller c, Request r, McpRefusal e) {
    calls.refused(c, r, e);
  }

  private RequestContext request(
      Caller c, Request r, McpMessage m, String txn, PolicySnapshot snap, Instant now) {
    // a user's claims are those of their verified sign-in, as the authorization endpoint saw them
    RequestContext request =
        new RequestContext(
            now,
            r.sourceAddress(),
            c.user == null ? c.token.claims() : c.user.claims(),
            c.token.scopes(),
            List.of());
    Actor act = c.token.actor();
    if (act != null || !c.token.subject().equals(c.agent)) {
      List<Delegation.Party> parties = new ArrayList<>();
      if (act == null) {
        parties.add(snap.party(c.agent));
      }
      for (Actor a = act; a != null; a = a.prior()) {
        parties.add(snap.party(a.subject()));
      }
      Delegation.Party subject = c.user == null ? snap.party(c.token.subject()) : c.user.party();
      request = request.delegated(new Delegation(subject, parties, txn));
    } else if (txn != null) {
      request = request.delegated(new Delegation(snap.party(c.agent), List.of(), txn));
    }
    return request.withMcp(new McpRequest(m.method(), m.name(), m.arguments()));
  }

  /**
   * The {@code txn} of a presented transaction token, verified as Warden's for this trust domain.
   */
  private String transaction(String txnToken) {
    VerifiedWardenToken t;
    try {
      t = tokens.verify(txnToken, TransactionTokenMinter.TYP);
    } catch (DeniedException e) {
      throw new McpRefusal(
          McpMessage.INVALID_REQUEST,
          400,
          Reason.INVALID_GRANT,
          null,
          "the Txn-Token does not" + " hold: " + e.getMessage(),
          null);
    }
    if (!t.audiences().contains(trustDomainUri) || t.txn() == null) {
      throw new McpRefusal(
          McpMessage.INVALID_REQUEST,
          400,
          Reason.INVALID_GRANT,
          null,
          "the Txn-Token is not for" + " this trust domain or has no txn",
          null);
    }
    return t.txn();
  }
}
