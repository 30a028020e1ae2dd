package dev.warden.core.agent;

import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.Csrs;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Node attestation: how an agent proves which node it runs on, with a single-use join token or a
 * platform token that a trust provider verifies and that identifies no workload.
 */
final class NodeAttestation {
  private static final String JOIN_PREFIX = "wjt_";

  private final AgentStore store;
  private final CaManager ca;
  private final Supplier<TrustProviders> providers;
  private final Supplier<PolicySnapshot> policies;
  private final AgentSessions sessions;
  private final AgentAudit agentAudit;
  private final Clock clock;

  NodeAttestation(
      AgentStore store,
      CaManager ca,
      Supplier<TrustProviders> providers,
      Supplier<PolicySnapshot> policies,
      AgentSessions sessions,
      AgentAudit agentAudit,
      Clock clock) {
    this.store = store;
    this.ca = ca;
    this.providers = providers;
    this.policies = policies;
    this.sessions = sessions;
    this.agentAudit = agentAudit;
    this.clock = clock;
  }

  /** See {@link AgentService#createJoinToken}. */
  AgentService.CreatedJoinToken createJoinToken(
      Set<Selector> selectors, Duration ttl, String actor) {
    if (ttl == null
        || ttl.isNegative()
        || ttl.isZero()
        || ttl.compareTo(AgentService.MAX_JOIN_TOKEN_TTL) > 0) {
      throw new ValidationException(
          "ttl",
          "a join token lives at most "
              + AgentService.MAX_JOIN_TOKEN_TTL.toMinutes()
              + " minutes; got "
              + ttl);
    }
    String id = sessions.randomHex(8);
    String secret = sessions.randomB64(32);
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
    agentAudit.event(AuditType.AGENT_JOIN_TOKEN_CREATED, AuditOutcome.SUCCESS, "", actor, null, d);
    return new AgentService.CreatedJoinToken(
        id, Secret.of(JOIN_PREFIX + id + "." + secret), t.expiresAt());
  }

  /** See {@link AgentService#attestWithJoinToken}. */
  AgentSession attestWithJoinToken(String token, byte[] csr) {
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
      return sessions.newSession(agentId, node, "join_token", spki, Map.of("joinToken", id));
    } catch (DeniedException e) {
      agentAudit.event(
          AuditType.AGENT_ATTEST,
          AuditOutcome.DENY,
          e.reason().code(),
          id == null ? "unknown" : "join:" + id,
          null,
          Map.of("method", "join_token", "message", e.getMessage()));
      throw e;
    }
  }

  /** See {@link AgentService#attestWithPlatformToken}. */
  AgentSession attestWithPlatformToken(String jwt, byte[] csr) {
    TrustProviders trust = providers.get();
    AttestedIdentity a;
    try {
      a = trust.verify(jwt);
    } catch (DeniedException e) {
      agentAudit.event(
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
      return sessions.newSession(
          agentId,
          a.selectors(),
          "trust_provider:" + a.provider(),
          spki,
          Map.of("provider", a.provider(), "subject", a.subject()));
    } catch (DeniedException e) {
      agentAudit.event(
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
}
