package dev.warden.core.agent;

import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Resource;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.Csrs;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.policy.PolicySnapshot;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * TLS server certificates for the agent's proxies: for its local endpoints ({@code
 * <resource>.warden.internal} and loopback names) and, for its HTTP egress proxy, for the one
 * outside host a resource declares (decision 406). Never a name the agent chooses.
 */
final class EdgeCertificates {
  private final CaManager ca;
  private final Supplier<PolicySnapshot> policies;
  private final AgentAudit agentAudit;
  private final Clock clock;

  EdgeCertificates(
      CaManager ca, Supplier<PolicySnapshot> policies, AgentAudit agentAudit, Clock clock) {
    this.ca = ca;
    this.policies = policies;
    this.agentAudit = agentAudit;
    this.clock = clock;
  }

  /** Resource kinds whose credentials the agent's HTTP egress proxy injects (decision 406). */
  private static final Set<String> EGRESS_KINDS =
      Set.of("http", Resource.SECRET, Resource.OAUTH_CLIENT);

  /** See {@link AgentService#issueEdgeCertificate}. */
  IssuedSvid issueEdgeCertificate(AgentRecord agent, byte[] csr, String resource) {
    if (resource == null || policies.get().resource(resource) == null) {
      throw new NotFoundException("resource", String.valueOf(resource));
    }
    var spki = Csrs.publicKeyFor(csr, agent.id());
    Instant now = clock.instant();
    List<String> names =
        List.of(resource + AgentService.EDGE_DNS_SUFFIX, "localhost", "127.0.0.1", "::1");
    IssuedSvid cert = ca.current().issue(agent.id(), names, spki, ca.settings().x509SvidTtl(), now);
    auditIssued(agent, "edge-tls", resource, String.join(" ", names), cert);
    return cert;
  }

  /** See {@link AgentService#issueEgressCertificate}. */
  IssuedSvid issueEgressCertificate(AgentRecord agent, byte[] csr, String resource, String host) {
    Resource r = resource == null ? null : policies.get().resource(resource);
    if (r == null) {
      throw new NotFoundException("resource", String.valueOf(resource));
    }
    String declared = egressHost(r);
    Instant now = clock.instant();
    if (declared == null || host == null || !declared.equals(host.toLowerCase(Locale.ROOT))) {
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
      agentAudit.event(
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
    auditIssued(agent, "edge-egress-tls", resource, declared, cert);
    return cert;
  }

  private void auditIssued(
      AgentRecord agent, String kind, String resource, String names, IssuedSvid cert) {
    agentAudit.event(
        AuditType.SVID_ISSUED,
        AuditOutcome.ALLOW,
        Reason.ALLOWED.code(),
        agent.id().toString(),
        null,
        Map.of(
            "kind",
            kind,
            "resource",
            resource,
            "names",
            names,
            "serial",
            cert.serial().toString(16),
            "expiresAt",
            cert.notAfter().toString()));
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
      URI u = new URI(r.audience());
      String h = u.getHost();
      if (!"https".equalsIgnoreCase(u.getScheme())
          || h == null
          || h.contains("*")
          || h.startsWith("[")
          || h.matches("[0-9.]+")
          || !h.contains(".") && !h.equals("localhost")) {
        return null;
      }
      return h.toLowerCase(Locale.ROOT);
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
