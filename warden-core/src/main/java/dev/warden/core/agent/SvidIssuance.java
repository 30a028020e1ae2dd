package dev.warden.core.agent;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Workload;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.CertificateAuthority;
import dev.warden.core.pki.Csrs;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.pki.JwtSvids;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.token.KeyManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * SVIDs for the workloads an agent serves: X.509-SVIDs in batches, and JWT-SVIDs whose audiences
 * policy must allow. An agent serves a workload only if the workload's node selectors are among the
 * agent's ({@link #servable}).
 */
final class SvidIssuance {
  private final CaManager ca;
  private final KeyManager jwtSvidKeys;
  private final RegistrationIndex index;
  private final Supplier<PolicySnapshot> policies;
  private final AuditWriter audit;
  private final AgentAudit agentAudit;
  private final Clock clock;

  SvidIssuance(
      CaManager ca,
      KeyManager jwtSvidKeys,
      RegistrationIndex index,
      Supplier<PolicySnapshot> policies,
      AuditWriter audit,
      AgentAudit agentAudit,
      Clock clock) {
    this.ca = ca;
    this.jwtSvidKeys = jwtSvidKeys;
    this.index = index;
    this.policies = policies;
    this.audit = audit;
    this.agentAudit = agentAudit;
    this.clock = clock;
  }

  /** See {@link AgentService#issueX509}. */
  List<AgentService.SvidResult> issueX509(
      AgentRecord agent, List<AgentService.SvidRequest> requests) {
    if (requests.isEmpty() || requests.size() > AgentService.MAX_BATCH) {
      throw new ValidationException(
          "requests", "send between 1 and " + AgentService.MAX_BATCH + " requests per call");
    }
    CertificateAuthority c = ca.current();
    return requests.stream().map(r -> issueOne(agent, r, c)).toList();
  }

  private AgentService.SvidResult issueOne(
      AgentRecord agent, AgentService.SvidRequest r, CertificateAuthority c) {
    Instant now = clock.instant();
    try {
      Workload w = servable(index, agent, r.spiffeId(), now);
      var spki = Csrs.publicKeyFor(r.csr(), w.spiffeId());
      IssuedSvid svid = c.issue(w.spiffeId(), spki, ca.settings().x509SvidTtl(), now);
      agentAudit.event(
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
      return new AgentService.SvidResult(r.spiffeId(), svid, null, null);
    } catch (DeniedException e) {
      agentAudit.event(
          AuditType.SVID_DENIED,
          AuditOutcome.DENY,
          e.reason().code(),
          agent.id().toString(),
          r.spiffeId(),
          Map.of("kind", "x509", "message", e.getMessage()));
      return new AgentService.SvidResult(r.spiffeId(), null, e.reason(), e.getMessage());
    }
  }

  /** See {@link AgentService#issueJwt}. */
  String issueJwt(AgentRecord agent, String spiffeId, List<String> audience) {
    Instant now = clock.instant();
    JwtSvids.checkAudience(audience);
    String resource = null;
    try {
      Workload w = servable(index, agent, spiffeId, now);
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
   * The workload {@code spiffeId} names, if the agent may serve it now.
   *
   * @throws DeniedException AGENT_NOT_AUTHORIZED otherwise
   */
  static Workload servable(
      RegistrationIndex index, AgentRecord agent, String spiffeId, Instant now) {
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
}
