package dev.warden.core.agent;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.CertificateAuthority;
import dev.warden.core.pki.Csrs;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.pki.JwtSvids;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.token.KeyManager;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The server's side of the agent protocol: node attestation (join token or platform token), session
 * renewal, registration sync, and SVID issuance for the workloads an agent may serve. Every request
 * is authorized against what the agent attested, JWT-SVIDs also by access policy (their audience is
 * a resource), and every outcome is audited before anything is returned.
 */
public final class AgentService {
  public static final Duration MAX_JOIN_TOKEN_TTL = Duration.ofHours(1);
  public static final int MAX_BATCH = 100;
  private static final String JOIN_PREFIX = "wjt_";

  /** One X.509-SVID request of a batch. */
  public record SvidRequest(String spiffeId, byte[] csr) {}

  /** The outcome of one request of a batch: an SVID, or the reason it was refused. */
  public record SvidResult(String spiffeId, IssuedSvid svid, Reason reason, String message) {}

  /** A created join token: the secret is shown once. */
  public record CreatedJoinToken(String id, Secret token, Instant expiresAt) {}

  private final AgentStore store;
  private final CaManager ca;
  private final KeyManager jwtSvidKeys;
  private final RegistrationIndex index;
  private final DeclaredProxies declaredProxies;
  private final Supplier<TrustProviders> providers;
  private final Supplier<PolicySnapshot> policies;
  private final AuditWriter audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

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
    if (jwtSvidKeys != null && jwtSvidKeys.purpose() != KeyPurpose.JWT_SVID) {
      throw new IllegalArgumentException(
          "JWT-SVIDs must be signed with JWT-SVID keys, not " + jwtSvidKeys.purpose());
    }
    this.store = store;
    this.ca = ca;
    this.jwtSvidKeys = jwtSvidKeys;
    this.index = index;
    this.declaredProxies = declaredProxies;
    this.providers = providers;
    this.policies = policies;
    this.audit = audit;
    this.clock = clock;
  }

  public RegistrationIndex index() {
    return index;
  }

  /** Creates a single-use join token; {@code selectors} become the agent's node selectors. */
  public CreatedJoinToken createJoinToken(Set<Selector> selectors, Duration ttl, String actor) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_JOIN_TOKEN_TTL) > 0) {
      throw new ValidationException(
          "ttl",
          "a join token lives at most " + MAX_JOIN_TOKEN_TTL.toMinutes() + " minutes; got " + ttl);
    }
    String id = randomHex(8);
    String secret = randomB64(32);
    Instant now = clock.instant();
    JoinToken t =
        new JoinToken(id, Hashes.sha256(secret), selectors, now, now.plus(ttl), null, actor);
    store.insertJoinToken(t);
    Map<String, String> d = new HashMap<>();
    d.put("joinToken", id);
    d.put("expiresAt", t.expiresAt().toString());
    d.put(
        "selectors",
        String.join(",", selectors.stream().map(Selector::toString).sorted().toList()));
    auditEvent(AuditType.AGENT_JOIN_TOKEN_CREATED, AuditOutcome.SUCCESS, "", actor, null, d);
    return new CreatedJoinToken(id, Secret.of(JOIN_PREFIX + id + "." + secret), t.expiresAt());
  }

  /**
   * Node attestation with a join token: single use, so a leaked token is worth one agent at most.
   */
  public AgentSession attestWithJoinToken(String token, byte[] csr) {
    String id = null;
    try {
      if (token == null
          || !token.startsWith(JOIN_PREFIX)
          || token.indexOf('.') < 0
          || token.length() > 200) {
        throw new DeniedException(
            Reason.INVALID_JOIN_TOKEN, "not a Warden join token (wjt_<id>.<secret>)");
      }
      int dot = token.indexOf('.');
      id = token.substring(JOIN_PREFIX.length(), dot);
      String secret = token.substring(dot + 1);
      Optional<JoinToken> known = store.joinToken(id);
      if (known.isEmpty()
          || !Hashes.constantTimeEquals(known.get().secretHash(), Hashes.sha256(secret))) {
        throw new DeniedException(Reason.INVALID_JOIN_TOKEN, "unknown join token");
      }
      Instant now = clock.instant();
      if (known.get().usedAt() != null) {
        throw new DeniedException(
            Reason.INVALID_JOIN_TOKEN,
            "join token "
                + id
                + " was already used at "
                + known.get().usedAt()
                + "; create a new one with 'warden agent token create'");
      }
      if (!now.isBefore(known.get().expiresAt())) {
        throw new DeniedException(
            Reason.INVALID_JOIN_TOKEN,
            "join token "
                + id
                + " expired at "
                + known.get().expiresAt()
                + "; create a new one with 'warden agent token create'");
      }
      // check the CSR before spending the token, so a typo does not burn it
      SpiffeId agentId = new SpiffeId(ca.settings().trustDomain(), "/warden/agent/join/" + id);
      var spki = Csrs.publicKeyFor(csr, agentId);
      JoinToken used =
          store
              .consumeJoinToken(id, now)
              .orElseThrow(
                  () ->
                      new DeniedException(
                          Reason.INVALID_JOIN_TOKEN,
                          "join token was used or expired a moment ago"));
      Set<Selector> node = new LinkedHashSet<>(used.selectors());
      node.add(new Selector("warden", "join", id));
      return newSession(agentId, node, "join_token", spki, Map.of("joinToken", id));
    } catch (DeniedException e) {
      auditEvent(
          AuditType.AGENT_ATTEST,
          AuditOutcome.DENY,
          e.reason().code(),
          id == null ? "unknown" : "join:" + id,
          null,
          Map.of("method", "join_token", "message", e.getMessage()));
      throw e;
    }
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
    TrustProviders trust = providers.get();
    AttestedIdentity a;
    try {
      a = trust.verify(jwt);
    } catch (DeniedException e) {
      auditEvent(
          AuditType.AGENT_ATTEST,
          AuditOutcome.DENY,
          e.reason().code(),
          "unknown",
          null,
          Map.of("method", "trust_provider", "message", e.getMessage()));
      throw e;
    }
    String path =
        "/warden/agent/"
            + a.provider()
            + "/"
            + HexFormat.of().formatHex(Hashes.sha256(a.issuer() + "\n" + a.subject()), 0, 16);
    SpiffeId agentId = new SpiffeId(ca.settings().trustDomain(), path);
    try {
      checkNodeEvidence(trust, a);
      var spki = Csrs.publicKeyFor(csr, agentId);
      Optional<AgentRecord> prev = store.agent(agentId.toString());
      if (prev.isPresent() && prev.get().bannedAt() != null) {
        throw new DeniedException(Reason.AGENT_NOT_AUTHORIZED, "agent " + agentId + " is banned");
      }
      return newSession(
          agentId,
          a.selectors(),
          "trust_provider:" + a.provider(),
          spki,
          Map.of("provider", a.provider(), "subject", a.subject()));
    } catch (DeniedException e) {
      auditEvent(
          AuditType.AGENT_ATTEST,
          AuditOutcome.DENY,
          e.reason().code(),
          agentId.toString(),
          null,
          Map.of(
              "method",
              "trust_provider",
              "provider",
              a.provider(),
              "subject",
              a.subject(),
              "message",
              e.getMessage()));
      throw e;
    }
  }

  private void checkNodeEvidence(TrustProviders trust, AttestedIdentity a) {
    if (!trust.acceptsNodeEvidence(a.provider())) {
      throw new DeniedException(
          Reason.NOT_NODE_EVIDENCE,
          "trust provider '"
              + a.provider()
              + "' is not configured for node attestation; set 'nodeAttestation: true' in the spec of the TrustProvider "
              + "that verifies the agents' own tokens (for example the agent DaemonSet's service-account tokens), "
              + "or attest the agent with a join token ('warden agent token create')");
    }
    String workload = workloadIdentifiedBy(a.selectors());
    if (workload != null) {
      throw new DeniedException(
          Reason.NOT_NODE_EVIDENCE,
          "this token identifies "
              + workload
              + "; a workload's own token never attests an agent. Give the agent an identity of its own (for example "
              + "its DaemonSet's service account) that no Workload's selectors match, or attest with a join token");
    }
  }

  /** The registered workload these selectors identify (any state), "several workloads", or null. */
  private String workloadIdentifiedBy(Set<Selector> selectors) {
    try {
      return "the registered workload " + policies.get().identify(selectors).name();
    } catch (DeniedException e) {
      return e.reason() == Reason.AMBIGUOUS_WORKLOAD ? "several registered workloads" : null;
    }
  }

  /**
   * The agent behind a session secret.
   *
   * @throws DeniedException AGENT_NOT_AUTHORIZED when unknown, expired or banned
   */
  public AgentRecord authenticate(String sessionToken) {
    if (sessionToken == null || sessionToken.isEmpty() || sessionToken.length() > 200) {
      throw new DeniedException(Reason.AGENT_NOT_AUTHORIZED, "an agent session token is required");
    }
    AgentRecord a =
        store
            .agentBySession(Hashes.sha256(sessionToken))
            .orElseThrow(
                () ->
                    new DeniedException(
                        Reason.AGENT_NOT_AUTHORIZED,
                        "unknown or replaced agent session; the agent must attest again"));
    if (a.bannedAt() != null) {
      throw new DeniedException(Reason.AGENT_NOT_AUTHORIZED, "agent " + a.id() + " is banned");
    }
    if (!clock.instant().isBefore(a.sessionExpiresAt())) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED,
          "the agent session expired at " + a.sessionExpiresAt() + "; the agent must attest again");
    }
    return a;
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
    Instant now = clock.instant();
    SpiffeId id;
    try {
      id = dev.warden.core.pki.SvidVerifier.verify(chain, ca.current().bundle(), now);
    } catch (RuntimeException e) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED,
          "the client certificate is not a valid X.509-SVID of this "
              + "trust domain: "
              + e.getMessage());
    }
    AgentRecord a =
        store
            .agent(id.toString())
            .orElseThrow(
                () ->
                    new DeniedException(
                        Reason.AGENT_NOT_AUTHORIZED, id + " is not an attested agent"));
    if (a.bannedAt() != null) {
      throw new DeniedException(Reason.AGENT_NOT_AUTHORIZED, "agent " + a.id() + " is banned");
    }
    if (!now.isBefore(a.sessionExpiresAt())) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED,
          "the agent session expired at " + a.sessionExpiresAt() + "; the agent must attest again");
    }
    if (chain.getFirst().getNotAfter().toInstant().getEpochSecond()
        != a.sessionExpiresAt().getEpochSecond()) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED,
          "this SVID of " + a.id() + " was replaced by a renewal;" + " present the current one");
    }
    return a;
  }

  public List<AgentRecord> list() {
    return store.agents();
  }

  /** A new agent SVID and session in exchange for the current one (which stops working). */
  public AgentSession renew(AgentRecord agent, String currentToken, byte[] csr) {
    var spki = Csrs.publicKeyFor(csr, agent.id());
    CertificateAuthority c = ca.current();
    Instant now = clock.instant();
    IssuedSvid svid = c.issue(agent.id(), spki, ca.settings().x509SvidTtl(), now);
    String session = randomB64(32);
    if (!store.renewSession(
        agent.id().toString(),
        Hashes.sha256(currentToken),
        Hashes.sha256(session),
        svid.notAfter(),
        now)) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED, "the session was renewed concurrently; attest again");
    }
    auditEvent(
        AuditType.AGENT_RENEWED,
        AuditOutcome.SUCCESS,
        Reason.ALLOWED.code(),
        agent.id().toString(),
        null,
        Map.of("serial", svid.serial().toString(16), "expiresAt", svid.notAfter().toString()));
    return new AgentSession(agent.id(), svid, c.bundle(), Secret.of(session), svid.notAfter());
  }

  /** The next page of registrations for an agent. */
  public SyncPage sync(AgentRecord agent, long since, String pageToken, int limit) {
    return index.sync(agent.nodeSelectors(), since, pageToken, limit, clock.instant());
  }

  /** The proxies declared on the server that this agent runs, with their version. */
  public DeclaredProxies.View proxies(AgentRecord agent) {
    return declaredProxies.forAgent(agent.nodeSelectors());
  }

  /** At most this many proxy statuses in one report. */
  public static final int MAX_PROXY_STATUSES = 1000;

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
    if (statuses.size() > MAX_PROXY_STATUSES) {
      throw new ValidationException(
          "proxies", "at most " + MAX_PROXY_STATUSES + " proxy statuses per report");
    }
    Set<String> mine = new java.util.HashSet<>();
    declaredProxies.forAgent(agent.nodeSelectors()).proxies().forEach(d -> mine.add(d.name()));
    Map<String, ProxyStatus> before = new HashMap<>();
    store.proxyStatuses(agent.id().toString()).forEach(p -> before.put(p.name(), p));
    Map<String, ProxyStatus> now = new java.util.TreeMap<>();
    for (ProxyStatus p : statuses) {
      if (now.put(p.name(), p) != null) {
        throw new ValidationException("proxies", "proxy '" + p.name() + "' is reported twice");
      }
    }
    now.keySet().retainAll(mine);
    Instant at = clock.instant();
    store.putProxyStatuses(agent.id().toString(), List.copyOf(now.values()), at);
    for (ProxyStatus p : now.values()) {
      ProxyStatus was = before.get(p.name());
      if (was != null
          && was.state() == p.state()
          && java.util.Objects.equals(was.message(), p.message())) {
        continue;
      }
      Map<String, String> d = new HashMap<>();
      d.put("proxy", p.name());
      d.put("state", p.state().wire());
      d.put("version", p.version());
      if (p.message() != null) {
        d.put("message", p.message());
      }
      boolean running = p.state() == ProxyStatus.State.RUNNING;
      audit.write(
          new AuditEvent(
              UUID.randomUUID().toString(),
              at,
              (running ? AuditType.AGENT_PROXY_RUNNING : AuditType.AGENT_PROXY_FAILED).wire(),
              (running ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE).wire(),
              running ? "" : "proxy_" + p.state().wire(),
              agent.id().toString(),
              null,
              null,
              d,
              null));
    }
  }

  /** What an agent last reported about its declared proxies. */
  public List<ProxyStatus> proxyStatuses(AgentRecord agent) {
    return store.proxyStatuses(agent.id().toString());
  }

  /** X.509-SVIDs for workloads the agent serves; each request succeeds or fails on its own. */
  public List<SvidResult> issueX509(AgentRecord agent, List<SvidRequest> requests) {
    if (requests.isEmpty() || requests.size() > MAX_BATCH) {
      throw new ValidationException(
          "requests", "send between 1 and " + MAX_BATCH + " requests per call");
    }
    CertificateAuthority c = ca.current();
    return requests.stream().map(r -> issueOne(agent, r, c)).toList();
  }

  private SvidResult issueOne(AgentRecord agent, SvidRequest r, CertificateAuthority c) {
    Instant now = clock.instant();
    try {
      Workload w = authorize(agent, r.spiffeId(), now);
      var spki = Csrs.publicKeyFor(r.csr(), w.spiffeId());
      IssuedSvid svid = c.issue(w.spiffeId(), spki, ca.settings().x509SvidTtl(), now);
      auditEvent(
          AuditType.SVID_ISSUED,
          AuditOutcome.ALLOW,
          Reason.ALLOWED.code(),
          agent.id().toString(),
          w.name(),
          Map.of(
              "kind",
              "x509",
              "serial",
              svid.serial().toString(16),
              "expiresAt",
              svid.notAfter().toString(),
              "authority",
              c.authorityId().substring(0, 16)));
      return new SvidResult(r.spiffeId(), svid, null, null);
    } catch (DeniedException e) {
      auditEvent(
          AuditType.SVID_DENIED,
          AuditOutcome.DENY,
          e.reason().code(),
          agent.id().toString(),
          r.spiffeId(),
          Map.of("kind", "x509", "message", e.getMessage()));
      return new SvidResult(r.spiffeId(), null, e.reason(), e.getMessage());
    }
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
    Instant now = clock.instant();
    JwtSvids.checkAudience(audience);
    String resource = null;
    try {
      Workload w = authorize(agent, spiffeId, now);
      Duration ttl = ca.settings().jwtSvidTtl();
      JwtSvidPolicy.Verdict v = JwtSvidPolicy.decide(policies.get(), w, audience, ttl, now);
      if (!v.allowed()) {
        resource = v.resources().isEmpty() ? null : v.resources().getFirst();
        throw new DeniedException(v.reason(), v.message());
      }
      resource = v.resources().size() == 1 ? v.resources().getFirst() : null;
      ttl = v.ttl();
      if (w.expiresAt() != null && w.expiresAt().isBefore(now.plus(ttl))) {
        ttl = Duration.between(now, w.expiresAt());
      }
      var key = jwtSvidKeys.keyset().active();
      String jwt = JwtSvids.mint(key, w.spiffeId(), audience, ttl, now);
      Map<String, String> d = new HashMap<>();
      d.put("kind", "jwt");
      d.put("audience", audienceText(audience));
      d.put("resources", String.join(" ", v.resources()));
      d.put("policy", String.join(" ", v.policies()));
      d.put("kid", key.kid());
      d.put("expiresAt", now.plus(ttl).toString());
      audit.write(
          new AuditEvent(
              UUID.randomUUID().toString(),
              now,
              AuditType.SVID_ISSUED.wire(),
              AuditOutcome.ALLOW.wire(),
              Reason.ALLOWED.code(),
              agent.id().toString(),
              w.name(),
              resource,
              d,
              null));
      return jwt;
    } catch (DeniedException e) {
      audit.write(
          new AuditEvent(
              UUID.randomUUID().toString(),
              now,
              AuditType.SVID_DENIED.wire(),
              AuditOutcome.DENY.wire(),
              e.reason().code(),
              agent.id().toString(),
              spiffeId,
              resource,
              Map.of("kind", "jwt", "audience", audienceText(audience), "message", e.getMessage()),
              null));
      throw e;
    }
  }

  private static String audienceText(List<String> audience) {
    String s = String.join(" ", audience);
    return s.length() > 1024 ? s.substring(0, 1024) + "…" : s;
  }

  /**
   * The DNS suffix of the names the agent's proxies are reached by: {@code
   * <resource>.warden.internal}.
   */
  public static final String EDGE_DNS_SUFFIX = ".warden.internal";

  /**
   * A TLS server certificate for the agent's proxy of {@code resource}: the agent's SPIFFE ID, the
   * name {@code <resource>.warden.internal} and the loopback names (localhost, 127.0.0.1, ::1) —
   * never a name the agent chooses, so an agent cannot obtain a certificate for anything but its
   * own local endpoints. Lives as long as an X.509-SVID.
   *
   * @throws dev.warden.core.error.NotFoundException when no such resource exists
   */
  public IssuedSvid issueEdgeCertificate(AgentRecord agent, byte[] csr, String resource) {
    if (resource == null || policies.get().resource(resource) == null) {
      throw new dev.warden.core.error.NotFoundException("resource", String.valueOf(resource));
    }
    var spki = Csrs.publicKeyFor(csr, agent.id());
    Instant now = clock.instant();
    List<String> names = List.of(resource + EDGE_DNS_SUFFIX, "localhost", "127.0.0.1", "::1");
    IssuedSvid cert = ca.current().issue(agent.id(), names, spki, ca.settings().x509SvidTtl(), now);
    auditEvent(
        AuditType.SVID_ISSUED,
        AuditOutcome.ALLOW,
        Reason.ALLOWED.code(),
        agent.id().toString(),
        null,
        Map.of(
            "kind",
            "edge-tls",
            "resource",
            resource,
            "names",
            String.join(" ", names),
            "serial",
            cert.serial().toString(16),
            "expiresAt",
            cert.notAfter().toString()));
    return cert;
  }

  /** Resource kinds whose credentials the agent's HTTP egress proxy injects (decision 406). */
  private static final java.util.Set<String> EGRESS_KINDS =
      java.util.Set.of("http", Resource.SECRET, Resource.OAUTH_CLIENT);

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
    Resource r = resource == null ? null : policies.get().resource(resource);
    if (r == null) {
      throw new dev.warden.core.error.NotFoundException("resource", String.valueOf(resource));
    }
    String declared = egressHost(r);
    Instant now = clock.instant();
    if (declared == null
        || host == null
        || !declared.equals(host.toLowerCase(java.util.Locale.ROOT))) {
      String why =
          declared == null
              ? "resource "
                  + resource
                  + " declares no egress destination (a resource of kind http, secret or oauth-client"
                  + " with an https:// audience naming a host)"
              : "resource "
                  + resource
                  + " declares "
                  + declared
                  + " as its destination, not "
                  + host;
      auditEvent(
          AuditType.SVID_DENIED,
          AuditOutcome.DENY,
          Reason.AGENT_NOT_AUTHORIZED.code(),
          agent.id().toString(),
          null,
          Map.of(
              "kind",
              "edge-egress-tls",
              "resource",
              resource,
              "names",
              String.valueOf(host),
              "message",
              why));
      throw new DeniedException(Reason.AGENT_NOT_AUTHORIZED, why);
    }
    var spki = Csrs.publicKeyFor(csr, agent.id());
    IssuedSvid cert =
        ca.current().issue(agent.id(), List.of(declared), spki, ca.settings().x509SvidTtl(), now);
    auditEvent(
        AuditType.SVID_ISSUED,
        AuditOutcome.ALLOW,
        Reason.ALLOWED.code(),
        agent.id().toString(),
        null,
        Map.of(
            "kind",
            "edge-egress-tls",
            "resource",
            resource,
            "names",
            declared,
            "serial",
            cert.serial().toString(16),
            "expiresAt",
            cert.notAfter().toString()));
    return cert;
  }

  /**
   * The outside host a resource declares as its HTTP destination: its {@code https://} audience's
   * host name (lower case), for kinds http, secret and oauth-client; null otherwise (an IP literal
   * or a wildcard is never a destination).
   */
  static String egressHost(Resource r) {
    if (!EGRESS_KINDS.contains(r.kind())) {
      return null;
    }
    try {
      java.net.URI u = new java.net.URI(r.audience());
      String h = u.getHost();
      if (!"https".equalsIgnoreCase(u.getScheme())
          || h == null
          || h.contains("*")
          || h.startsWith("[")
          || h.matches("[0-9.]+")
          || !h.contains(".") && !h.equals("localhost")) {
        return null;
      }
      return h.toLowerCase(java.util.Locale.ROOT);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /** At most this many connection events in one report. */
  public static final int MAX_CONNECTION_EVENTS = 1000;

  /**
   * Records connections the agent's proxies accepted or refused. A proxied connection must name a
   * workload this agent may serve (an agent cannot write events about workloads on other nodes); a
   * refused one may name none (its caller was never identified). All are checked before any is
   * written.
   *
   * @throws DeniedException when an event names a workload this agent may not serve
   */
  public void recordConnections(AgentRecord agent, List<ProxiedConnection> events) {
    if (events.size() > MAX_CONNECTION_EVENTS) {
      throw new dev.warden.core.error.ValidationException(
          "events", "at most " + MAX_CONNECTION_EVENTS + " connection events per report");
    }
    Instant now = clock.instant();
    List<AuditEvent> out = new java.util.ArrayList<>();
    for (ProxiedConnection e : events) {
      if (e.workload() != null) {
        authorize(agent, e.workload(), now);
      } else if (e.outcome() == ProxiedConnection.Outcome.PROXIED) {
        throw new dev.warden.core.error.ValidationException(
            "workload", "a proxied connection names its workload");
      }
      Map<String, String> d = new HashMap<>();
      d.put("protocol", String.valueOf(e.protocol()));
      d.put("listener", String.valueOf(e.listener()));
      d.put("at", e.at().toString());
      if (e.leaseId() != null) {
        d.put("leaseId", e.leaseId());
      }
      if (e.destination() != null) {
        d.put("destination", e.destination());
      }
      if (e.reason() != null) {
        d.put("message", e.reason());
      }
      e.caller().forEach((k, v) -> d.put("caller." + k, v));
      AuditType type =
          switch (e.outcome()) {
            case PROXIED -> AuditType.CONNECTION_PROXIED;
            case ENDED -> AuditType.CONNECTION_CLOSED;
            default -> AuditType.CONNECTION_REFUSED;
          };
      AuditOutcome outcome =
          switch (e.outcome()) {
            case PROXIED -> AuditOutcome.ALLOW;
            case ENDED -> AuditOutcome.SUCCESS;
            default -> AuditOutcome.DENY;
          };
      out.add(
          new AuditEvent(
              e.id(),
              now,
              type.wire(),
              outcome.wire(),
              e.outcome().wire(),
              agent.id().toString(),
              e.workload(),
              e.resource(),
              d,
              null));
    }
    audit.writeAll(out);
  }

  private Workload authorize(AgentRecord agent, String spiffeId, Instant now) {
    Workload w =
        spiffeId == null ? null : index.servableWorkload(spiffeId, agent.nodeSelectors(), now);
    if (w == null) {
      throw new DeniedException(
          Reason.AGENT_NOT_AUTHORIZED,
          "agent "
              + agent.id()
              + " may not serve '"
              + spiffeId
              + "' (unknown, inactive, expired, or its nodeSelectors are not among the agent's)");
    }
    return w;
  }

  private AgentSession newSession(
      SpiffeId agentId,
      Set<Selector> node,
      String attestation,
      org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki,
      Map<String, String> details) {
    CertificateAuthority c = ca.current();
    Instant now = clock.instant();
    IssuedSvid svid = c.issue(agentId, spki, ca.settings().x509SvidTtl(), now);
    String session = randomB64(32);
    store.putAgent(
        new AgentRecord(
            agentId, node, attestation, Hashes.sha256(session), svid.notAfter(), now, now, null));
    Map<String, String> d = new HashMap<>(details);
    d.put("method", attestation);
    d.put("serial", svid.serial().toString(16));
    d.put(
        "nodeSelectors", String.join(",", node.stream().map(Selector::toString).sorted().toList()));
    auditEvent(
        AuditType.AGENT_ATTEST,
        AuditOutcome.ALLOW,
        Reason.ALLOWED.code(),
        agentId.toString(),
        null,
        d);
    return new AgentSession(agentId, svid, c.bundle(), Secret.of(session), svid.notAfter());
  }

  private void auditEvent(
      AuditType type,
      AuditOutcome outcome,
      String reason,
      String actor,
      String workload,
      Map<String, String> details) {
    audit.write(
        new AuditEvent(
            UUID.randomUUID().toString(),
            clock.instant(),
            type.wire(),
            outcome.wire(),
            reason,
            actor,
            workload,
            null,
            details,
            null));
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private String randomB64(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
