package dev.warden.core.agent;

import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.CertificateAuthority;
import dev.warden.core.pki.Csrs;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.pki.SvidVerifier;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Agent sessions: a new one after node attestation, its renewal, and the authentication of an agent
 * by its session token or its current X.509-SVID.
 */
final class AgentSessions {
  private final AgentStore store;
  private final CaManager ca;
  private final AgentAudit agentAudit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  AgentSessions(AgentStore store, CaManager ca, AgentAudit agentAudit, Clock clock) {
    this.store = store;
    this.ca = ca;
    this.agentAudit = agentAudit;
    this.clock = clock;
  }

  AgentSession newSession(
      SpiffeId agentId,
      Set<Selector> node,
      String attestation,
      SubjectPublicKeyInfo spki,
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
    agentAudit.event(
        AuditType.AGENT_ATTEST,
        AuditOutcome.ALLOW,
        Reason.ALLOWED.code(),
        agentId.toString(),
        null,
        d);
    return new AgentSession(agentId, svid, c.bundle(), Secret.of(session), svid.notAfter());
  }

  /** See {@link AgentService#authenticate(String)}. */
  AgentRecord authenticate(String sessionToken) {
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

  /** See {@link AgentService#authenticate(List)}. */
  AgentRecord authenticate(List<X509Certificate> chain) {
    Instant now = clock.instant();
    SpiffeId id;
    try {
      id = SvidVerifier.verify(chain, ca.current().bundle(), now);
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

  /** See {@link AgentService#renew}. */
  AgentSession renew(AgentRecord agent, String currentToken, byte[] csr) {
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
    agentAudit.event(
        AuditType.AGENT_RENEWED,
        AuditOutcome.SUCCESS,
        Reason.ALLOWED.code(),
        agent.id().toString(),
        null,
        Map.of("serial", svid.serial().toString(16), "expiresAt", svid.notAfter().toString()));
    return new AgentSession(agent.id(), svid, c.bundle(), Secret.of(session), svid.notAfter());
  }

  String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  String randomB64(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
