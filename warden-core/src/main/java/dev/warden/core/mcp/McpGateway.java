package dev.warden.core.mcp;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditLookup;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.ChainFields;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.grant.DecisionInputs;
import dev.warden.core.grant.TokenService;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The decisions of Warden's MCP gateway, without HTTP: who calls (a Warden access token issued for
 * exactly this gateway, from a registered workload), whether the policy lets it send this message
 * (per tool for {@code tools/call}), what credential the upstream gets, and the audit event that
 * makes the call a hop of its chain.
 *
 * <p>Design note (decision 660). The acting workload is the token's {@code client_id} (the agent);
 * it acts for {@code sub} through the token's {@code act} chain, and the policies of the MCP
 * resource decide with {@code request.mcp} added to what token grants see. Each tool call (allowed
 * or refused) is one audit event whose previous hop is the issuance of the token presented (its
 * {@code jti}, the id of that event) with its record hash, read once per token and then kept: an
 * audit record never changes. The event is submitted to the group-committing audit writer before
 * the call is forwarded; {@link Admission#awaitDurable} waits for it, before forwarding or before
 * answering, as the server is configured.
 */
public final class McpGateway {
  /**
   * Most previous-hop links kept; beyond it the cache starts over (a link costs one indexed read to
   * get back).
   */
  static final int MAX_LINKS = 50_000;

  private final WardenTokens tokens;
  private final Supplier<PolicySnapshot> policies;
  private final AuditWriter audit;
  private final AuditLookup lookup;
  private final McpCredentials credentials;
  private final String trustDomainUri;
  private final long auditTimeoutMillis;
  private final Clock clock;
  private final Map<String, Link> links = new ConcurrentHashMap<>();

  /** The previous hop of a call: the issuance of the token presented. */
  record Link(String event, String hash, String root) {}

  /**
   * @param trustDomain the trust domain whose transaction tokens a {@code Txn-Token} header may
   *     carry
   * @param auditTimeoutMillis how long a call waits for its audit event to be durable
   */
  public McpGateway(
      WardenTokens tokens,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      AuditLookup lookup,
      McpCredentials credentials,
      String trustDomain,
      long auditTimeoutMillis,
      Clock clock) {
    this.tokens = tokens;
    this.policies = policies;
    this.audit = audit;
    this.lookup = lookup;
    this.credentials = credentials;
    this.trustDomainUri = "spiffe://" + trustDomain;
    this.auditTimeoutMillis = auditTimeoutMillis;
    this.clock = clock;
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
   */
  public record Request(
      Resource resource,
      String bearer,
      String certificateThumbprint,
      String sourceAddress,
      String txnToken,
      String traceparent) {}

  /** An authenticated caller: the verified token, the agent it was issued to, and its chain. */
  public static final class Caller {
    private final VerifiedWardenToken token;
    private final Workload agent;
    private final Link previous;

    private Caller(VerifiedWardenToken token, Workload agent, Link previous) {
      this.token = token;
      this.agent = agent;
      this.previous = previous;
    }

    /** The agent (the token's {@code client_id}). */
    public String agent() {
      return agent.name();
    }

    /** The token's {@code sub}: whom the agent acts for (itself when not delegated). */
    public String subject() {
      return token.subject();
    }

    /** The token's {@code jti}. */
    public String tokenId() {
      return token.jti();
    }
  }

  /**
   * Authenticates a request: a Warden access token (signature, issuer, expiry, live lease) whose
   * {@code aud} holds exactly this gateway's audience (no token for another resource is accepted,
   * so no token is passed through), presented with the certificate it is bound to if any, issued to
   * a registered workload that may act now. A refusal of a token that was presented is audited.
   *
   * @throws DeniedException the reason: no token ({@code invalid_request}, not audited: the first
   *     step of every MCP client's discovery), or what the token broke ({@code wrong_audience},
   *     {@code token_expired}, {@code token_revoked}, {@code certificate_mismatch}, …)
   * @throws UnavailableException when the refusal cannot be audited
   */
  public Caller authenticate(Request r) {
    if (r.bearer() == null || r.bearer().isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "send Authorization: Bearer <a Warden access token for " + r.resource().audience() + ">");
    }
    VerifiedWardenToken t;
    try {
      t = tokens.verify(r.bearer(), null);
    } catch (DeniedException e) {
      refuse(r, null, null, e.reason(), e.getMessage());
      throw e;
    }
    Link link = link(t.jti());
    String audience = r.resource().audience();
    if (!t.audiences().contains(audience)) {
      String m =
          "this token was issued for "
              + String.join(" ", t.audiences())
              + ", not for this gateway ("
              + audience
              + "); ask Warden for a token with resource="
              + audience;
      refuse(r, t, link, Reason.WRONG_AUDIENCE, m);
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
      refuse(r, t, link, Reason.CERTIFICATE_MISMATCH, m);
      throw new DeniedException(Reason.CERTIFICATE_MISMATCH, m);
    }
    String agentId = t.clientId() != null ? t.clientId() : t.subject();
    Workload agent = policies.get().workload(agentId);
    try {
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
      refuse(r, t, link, e.reason(), e.getMessage());
      throw e;
    }
    return new Caller(t, agent, link);
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
        await(audited);
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
      deny(c, r, m, txn, null, null, e.reason(), e.getMessage(), now);
      throw e;
    }
    if (m.kind() == McpMessage.Kind.RESPONSE) {
      return new Admission(null, credential(c, r, m, txn, null, now), null);
    }
    PolicySnapshot snap = policies.get();
    RequestContext request = request(c, r, m, txn, snap, now);
    Decision d = snap.decide(c.agent, r.resource(), request);
    String inputs = DecisionInputs.json(c.agent, r.resource(), request);
    if (!d.allowed()) {
      String why =
          m.isToolCall()
              ? "tool " + m.name() + " is not allowed for " + c.agent.name() + ": " + d.message()
              : m.method() + " is not allowed for " + c.agent.name() + ": " + d.message();
      deny(c, r, m, txn, d, inputs, d.reason(), why, now);
      throw McpRefusal.forbidden(m.id(), d.reason(), why);
    }
    McpCredentials.Injected credential = credential(c, r, m, txn, d, now);
    if (!m.isNamed()) {
      return new Admission(null, credential, null);
    }
    AuditEvent e = event(c, r, m, txn, d, inputs, Reason.ALLOWED, null, now);
    return new Admission(audit.submit(e), credential, e.id());
  }

  private McpCredentials.Injected credential(
      Caller c, Request r, McpMessage m, String txn, Decision d, Instant now) {
    if (r.resource().mcp() == null) {
      return null;
    }
    try {
      return credentials.resolve(r.resource().mcp().credential(), c.agent.name(), now);
    } catch (DeniedException | TargetException e) {
      Reason reason = e instanceof DeniedException de ? de.reason() : Reason.TARGET_UNAVAILABLE;
      String why =
          "the gateway cannot obtain the credential of resource '"
              + r.resource().name()
              + "' for its"
              + " upstream: "
              + e.getMessage();
      AuditEvent ev = event(c, r, m, txn, d, null, reason, why, now);
      await(
          audit.submit(
              new AuditEvent(
                  ev.id(),
                  ev.time(),
                  AuditType.CREDENTIAL_FAILED.wire(),
                  AuditOutcome.FAILURE.wire(),
                  ev.reason(),
                  ev.actor(),
                  ev.workload(),
                  ev.resource(),
                  ev.details(),
                  null)));
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
    Instant now = clock.instant();
    AuditEvent ev = event(c, r, null, c.token.txn(), null, null, e.reason(), e.getMessage(), now);
    Map<String, String> d = new HashMap<>(ev.details());
    if (e.tool() != null) {
      d.put("tool", e.tool());
      d.put("mcpMethod", "tools/call");
    }
    await(
        audit.submit(
            new AuditEvent(
                ev.id(),
                ev.time(),
                (e.tool() != null ? AuditType.MCP_TOOL_DENIED : AuditType.MCP_REQUEST_DENIED)
                    .wire(),
                AuditOutcome.DENY.wire(),
                ev.reason(),
                ev.actor(),
                ev.workload(),
                ev.resource(),
                d,
                null)));
  }

  private RequestContext request(
      Caller c, Request r, McpMessage m, String txn, PolicySnapshot snap, Instant now) {
    RequestContext request =
        new RequestContext(now, r.sourceAddress(), c.token.claims(), c.token.scopes(), List.of());
    Actor act = c.token.actor();
    if (act != null || !c.token.subject().equals(c.agent.name())) {
      List<Delegation.Party> parties = new ArrayList<>();
      if (act == null) {
        parties.add(snap.party(c.agent.name()));
      }
      for (Actor a = act; a != null; a = a.prior()) {
        parties.add(snap.party(a.subject()));
      }
      request = request.delegated(new Delegation(snap.party(c.token.subject()), parties, txn));
    } else if (txn != null) {
      request = request.delegated(new Delegation(snap.party(c.agent.name()), List.of(), txn));
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

  /** The link to the token's issuance: read once, then kept (an audit record never changes). */
  private Link link(String jti) {
    Link l = links.get(jti);
    if (l != null) {
      return l;
    }
    l =
        lookup
            .byEventId(jti)
            .map(
                x ->
                    new Link(
                        jti,
                        HexFormat.of().formatHex(x.hash()),
                        x.event().details().getOrDefault(ChainFields.ROOT, jti)))
            .orElse(new Link(jti, null, jti));
    if (l.hash() != null) {
      if (links.size() >= MAX_LINKS) {
        links.clear();
      }
      links.put(jti, l);
    }
    return l;
  }

  private void refuse(Request r, VerifiedWardenToken t, Link link, Reason reason, String message) {
    Map<String, String> d = new HashMap<>();
    d.put("message", message);
    d.put("sourceAddress", r.sourceAddress() == null ? "" : r.sourceAddress());
    putIf(d, ChainFields.TRACEPARENT, r.traceparent());
    String actor = "unauthenticated";
    if (t != null) {
      actor = t.clientId() != null ? t.clientId() : t.subject();
      d.put("jti", t.jti());
      chain(d, t, link, t.txn());
    }
    await(
        audit.submit(
            AuditEvent.of(
                AuditType.MCP_REQUEST_DENIED,
                AuditOutcome.DENY,
                reason,
                clock.instant(),
                actor,
                t == null ? null : actor,
                r.resource().name(),
                d)));
  }

  private void deny(
      Caller c,
      Request r,
      McpMessage m,
      String txn,
      Decision d,
      String inputs,
      Reason reason,
      String message,
      Instant now) {
    await(audit.submit(event(c, r, m, txn, d, inputs, reason, message, now)));
  }

  private AuditEvent event(
      Caller c,
      Request r,
      McpMessage m,
      String txn,
      Decision d,
      String inputs,
      Reason reason,
      String message,
      Instant now) {
    boolean allowed = reason == Reason.ALLOWED;
    Map<String, String> det = new HashMap<>();
    det.put("sourceAddress", r.sourceAddress() == null ? "" : r.sourceAddress());
    det.put("jti", c.token.jti());
    chain(det, c.token, c.previous, txn);
    putIf(det, ChainFields.TRACEPARENT, r.traceparent());
    putIf(det, ChainFields.INPUTS, inputs);
    if (d != null && d.policy() != null) {
      det.put("policy", d.policy());
    }
    if (message != null) {
      det.put("message", message.length() > 512 ? message.substring(0, 512) : message);
    }
    AuditType type = allowed ? AuditType.MCP_REQUEST : AuditType.MCP_REQUEST_DENIED;
    if (m != null) {
      det.put("mcpMethod", m.method() == null ? "" : m.method());
      if (m.isToolCall()) {
        det.put("tool", m.name());
        type = allowed ? AuditType.MCP_TOOL_CALL : AuditType.MCP_TOOL_DENIED;
      } else if (m.name() != null) {
        det.put("mcpName", ToolNames.printable(m.name()));
      }
      if (m.argumentsJson() != null) {
        det.put(
            "argumentsSha256",
            HexFormat.of()
                .formatHex(Hashes.sha256(m.argumentsJson().getBytes(StandardCharsets.UTF_8))));
      }
    }
    if (allowed && r.resource().mcp() != null && r.resource().mcp().credential() != null) {
      det.put("upstreamCredential", r.resource().mcp().credential().describe());
    }
    return AuditEvent.of(
        type,
        allowed ? AuditOutcome.ALLOW : AuditOutcome.DENY,
        reason,
        now,
        c.agent.name(),
        c.agent.name(),
        r.resource().name(),
        det);
  }

  private static void chain(Map<String, String> d, VerifiedWardenToken t, Link link, String txn) {
    String client = t.clientId() != null ? t.clientId() : t.subject();
    if (!t.subject().equals(client) || t.actor() != null) {
      // as token grants do: the subject is named only when the call acts for someone else
      d.put(ChainFields.SUBJECT, t.subject());
    }
    Actor act = t.actor();
    if (act != null) {
      d.put(ChainFields.ACTORS, String.join(" ", act.subjectsInOrder().reversed()));
      d.put(ChainFields.DEPTH, Integer.toString(act.depth()));
    }
    putIf(d, ChainFields.TXN, txn);
    if (link != null) {
      d.put(ChainFields.PREVIOUS, link.event());
      putIf(d, ChainFields.PREVIOUS_HASH, link.hash());
      d.put(ChainFields.ROOT, link.root());
    }
  }

  private void await(CompletableFuture<AuditRecord> f) {
    try {
      f.get(auditTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "the audit log could not be written", e.getCause());
    } catch (TimeoutException e) {
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "the audit log did not confirm the write in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  private static void putIf(Map<String, String> d, String key, String value) {
    if (value != null) {
      d.put(key, value);
    }
  }
}
