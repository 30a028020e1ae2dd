package dev.warden.core.agent;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.token.KeyManager;
import dev.warden.core.trust.TrustProviders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The server's side of the agent protocol: node attestation (join token or platform token), session
 * renewal, registration sync, and SVID issuance for the workloads an agent may serve. Every request
 * is authorized against what the agent attested, JWT-SVIDs also by access policy (their audience is
 * a resource), and every outcome is audited before anything is returned.
 *
 * <p>This class is the protocol's entry point; its parts live beside it: {@link NodeAttestation},
 * {@link AgentSessions}, {@link SvidIssuance}, {@link EdgeCertificates} and {@link AgentReports}.
 */
public final class AgentService {
  public static final Duration MAX_JOIN_TOKEN_TTL = Duration.ofHours(1);

  public static final int MAX_BATCH = 100;

  /** At most this many proxy statuses in one report. */
  public static final int MAX_PROXY_STATUSES = 1000;

  /** At most this many connection events in one report. */
  public static final int MAX_CONNECTION_EVENTS = 1000;

  /**
   * The DNS suffix of the names the agent's proxies are reached by: {@code
   * <resource>.warden.internal}.
   */
  public static final String EDGE_DNS_SUFFIX = ".warden.internal";

  /** One X.509-SVID request of a batch. */
  public record SvidRequest(String spiffeId, byte[] csr) {}

  /** The outcome of one request of a batch: an SVID, or the reason it was refused. */
  public record SvidResult(String spiffeId, IssuedSvid svid, Reason reason, String message) {}

  /** A created join token: the secret is shown once. */
  public record CreatedJoinToken(String id, Secret token, Instant expiresAt) {}

  private final AgentStore store;
  private final RegistrationIndex index;
  private final DeclaredProxies declaredProxies;
  private final Clock clock;
  private final AgentSessions sessions;
  private final NodeAttestation attestation;
  private final SvidIssuance svids;
  private final EdgeCertificates edge;
  private final AgentReports reports;

  /**
   * @param jwtSvidKeys the keys that sign JWT-SVIDs (purpose JWT_SVID, never the access-token keys)
   * @param policies the policy engine that decides JWT-SVID audiences and recognizes workload
   *     tokens offered as node evidence
   * @throws IllegalArgumentException when {@code jwtSvidKeys} are not JWT-SVID keys
   */
  public AgentService(
      AgentStore store,
      CaManager ca,
      KeyManager jwtSvidKeys,
      RegistrationIndex index,
      Supplier<TrustProviders> providers,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      Clock clock) {
    this(store, ca, jwtSvidKeys, index, new DeclaredProxies(), providers, policies, audit, clock);
  }

  /**
   * @param declaredProxies the proxies declared on the server, kept current by the caller
   * @throws IllegalArgumentException when {@code jwtSvidKeys} are not JWT-SVID keys
   */
  public AgentService(
      AgentStore store,
      CaManager ca,
      KeyManager jwtSvidKeys,
      RegistrationIndex index,
      DeclaredProxies declaredProxies,
      Supplier<TrustProviders> providers,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      Clock clock) {
    this(store, ca, jwtSvidKeys, index, declaredProxies, providers, policies, audit, null, clock);
  }

  /**
   * @param chains verifies the {@code Txn-Token} a proxied HTTP request carried, so that the
   *     request is a hop of its chain; null to record no proxied request as a hop
   * @throws IllegalArgumentException when {@code jwtSvidKeys} are not JWT-SVID keys
   */
  public AgentService(
      AgentStore store,
      CaManager ca,
      KeyManager jwtSvidKeys,
      RegistrationIndex index,
      DeclaredProxies declaredProxies,
      Supplier<TrustProviders> providers,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      @org.jspecify.annotations.Nullable ConnectionChains chains,
      Clock clock) {
    if (jwtSvidKeys != null && jwtSvidKeys.purpose() != KeyPurpose.JWT_SVID) {
      throw new IllegalArgumentException(
          "JWT-SVIDs must be signed with JWT-SVID keys, not " + jwtSvidKeys.purpose());
    }
    this.store = store;
    this.index = index;
    this.declaredProxies = declaredProxies;
    this.clock = clock;
    AgentAudit agentAudit = new AgentAudit(audit, clock);
    this.sessions = new AgentSessions(store, ca, agentAudit, clock);
    this.attestation =
        new NodeAttestation(store, ca, providers, policies, sessions, agentAudit, clock);
    this.svids = new SvidIssuance(ca, jwtSvidKeys, index, policies, audit, agentAudit, clock);
    this.edge = new EdgeCertificates(ca, policies, agentAudit, clock);
    this.reports = new AgentReports(store, index, declaredProxies, audit, chains, clock);
  }

  public RegistrationIndex index() {
    return index;
  }

  /** Creates a single-use join token; {@code selectors} become the agent's node selectors. */
  public CreatedJoinToken createJoinToken(Set<Selector> selectors, Duration ttl, String actor) {
    return attestation.createJoinToken(selectors, ttl, actor);
  }

  /**
   * Node attestation with a join token: single use, so a leaked token is worth one agent at most.
   */
  public AgentSession attestWithJoinToken(String token, byte[] csr) {
    return attestation.attestWithJoinToken(token, csr);
  }

  /**
   * Node attestation with a platform token (say, the Kubernetes service-account token of the
   * agent's DaemonSet) verified by a trust provider configured for node attestation ({@code
   * nodeAttestation: true}); its selectors become the agent's node selectors. A token that
   * identifies a registered workload is never node evidence: otherwise any workload could attest an
   * agent and obtain the SVIDs of every workload whose {@code nodeSelectors} its claims match.
   *
   * @throws DeniedException when the token does not verify (its reason), when its provider is not
   *     configured for node attestation or it identifies a workload (NOT_NODE_EVIDENCE), or when
   *     the agent is banned; always audited
   */
  public AgentSession attestWithPlatformToken(String jwt, byte[] csr) {
    return attestation.attestWithPlatformToken(jwt, csr);
  }

  /**
   * The agent behind a session secret.
   *
   * @throws DeniedException AGENT_NOT_AUTHORIZED when unknown, expired or banned
   */
  public AgentRecord authenticate(String sessionToken) {
    return sessions.authenticate(sessionToken);
  }

  /**
   * The agent presenting this X.509-SVID over mTLS: the chain must lead to the trust domain's CA,
   * name an attested agent that is not banned, and be that agent's current SVID — the one its
   * session was last issued or renewed with (its expiry is the session's), so an SVID replaced by a
   * renewal stops working at once, as the replaced session token does.
   *
   * @throws DeniedException AGENT_NOT_AUTHORIZED otherwise
   */
  public AgentRecord authenticate(List<java.security.cert.X509Certificate> chain) {
    return sessions.authenticate(chain);
  }

  public List<AgentRecord> list() {
    return store.agents();
  }

  /** A new agent SVID and session in exchange for the current one (which stops working). */
  public AgentSession renew(AgentRecord agent, String currentToken, byte[] csr) {
    return sessions.renew(agent, currentToken, csr);
  }

  /** The next page of registrations for an agent. */
  public SyncPage sync(AgentRecord agent, long since, String pageToken, int limit) {
    return index.sync(agent.nodeSelectors(), since, pageToken, limit, clock.instant());
  }

  /** The proxies declared on the server that this agent runs, with their version. */
  public DeclaredProxies.View proxies(AgentRecord agent) {
    return declaredProxies.forAgent(agent.nodeSelectors());
  }

  /**
   * Stores what an agent reports about the proxies declared for it, replacing its previous report,
   * and audits each proxy whose state changed: {@code agent.proxy.failed} (with the agent's reason)
   * when one could not start or was refused, {@code agent.proxy.running} when it runs. A status
   * about a declaration this agent does not run (deleted meanwhile, or never its) is dropped, so an
   * agent cannot fill another's view or the audit log with names of its choosing.
   *
   * @throws ValidationException when the report is too large or names a proxy twice
   */
  public void reportProxies(AgentRecord agent, List<ProxyStatus> statuses) {
    reports.reportProxies(agent, statuses);
  }

  /** What an agent last reported about its declared proxies. */
  public List<ProxyStatus> proxyStatuses(AgentRecord agent) {
    return store.proxyStatuses(agent.id().toString());
  }

  /** X.509-SVIDs for workloads the agent serves; each request succeeds or fails on its own. */
  public List<SvidResult> issueX509(AgentRecord agent, List<SvidRequest> requests) {
    return svids.issueX509(agent, requests);
  }

  /**
   * A JWT-SVID for a workload the agent serves, for audiences a policy lets that workload reach:
   * each audience must be a resource's audience (or name) and the policy engine must allow the
   * workload to reach it. Allowed or refused, the decision is audited before anything is returned.
   *
   * @throws ValidationException when the audience is missing or too large
   * @throws DeniedException AGENT_NOT_AUTHORIZED when the agent may not serve the workload; the
   *     policy's reason (UNKNOWN_RESOURCE, NO_MATCHING_POLICY, POLICY_DENY, …) when an audience is
   *     refused
   */
  public String issueJwt(AgentRecord agent, String spiffeId, List<String> audience) {
    return svids.issueJwt(agent, spiffeId, audience);
  }

  /**
   * A TLS server certificate for the agent's proxy of {@code resource}: the agent's SPIFFE ID, the
   * name {@code <resource>.warden.internal} and the loopback names (localhost, 127.0.0.1, ::1) —
   * never a name the agent chooses, so an agent cannot obtain a certificate for anything but its
   * own local endpoints. Lives as long as an X.509-SVID.
   *
   * @throws dev.warden.core.error.NotFoundException when no such resource exists
   */
  public IssuedSvid issueEdgeCertificate(AgentRecord agent, byte[] csr, String resource) {
    return edge.issueEdgeCertificate(agent, csr, resource);
  }

  /**
   * A TLS server certificate naming one outside host, for the agent's HTTP egress proxy to
   * terminate an application's TLS to that host and inject the resource's credential (decision
   * 406). The host is not the agent's choice: it must be the host of the resource's own {@code
   * https://} audience, so an agent can obtain certificates only for destinations an administrator
   * declared as a resource's, and only for resource kinds whose credential is an HTTP one (never a
   * database, never a cloud federation audience). The certificate names that host alone (plus the
   * agent's SPIFFE ID), lives as long as an X.509-SVID and is audited as {@code svid.issued} with
   * {@code kind: edge-egress-tls}.
   *
   * @throws dev.warden.core.error.NotFoundException when no such resource exists
   * @throws DeniedException when the host is not the resource's declared destination
   */
  public IssuedSvid issueEgressCertificate(
      AgentRecord agent, byte[] csr, String resource, String host) {
    return edge.issueEgressCertificate(agent, csr, resource, host);
  }

  /** See {@link EdgeCertificates#egressHost}. */
  static String egressHost(Resource r) {
    return EdgeCertificates.egressHost(r);
  }

  /**
   * Records connections the agent's proxies accepted or refused. A proxied connection must name a
   * workload this agent may serve (an agent cannot write events about workloads on other nodes); a
   * refused one may name none (its caller was never identified). All are checked before any is
   * written.
   *
   * @throws DeniedException when an event names a workload this agent may not serve
   */
  public void recordConnections(AgentRecord agent, List<ProxiedConnection> events) {
    reports.recordConnections(agent, events);
  }
}
