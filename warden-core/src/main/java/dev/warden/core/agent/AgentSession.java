package dev.warden.core.agent;

import dev.warden.core.crypto.Secret;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.IssuedSvid;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What an agent receives when it attests or renews: its own X.509-SVID, the trust bundle, and a
 * session secret for the agent API that expires with the SVID.
 */
public record AgentSession(
    SpiffeId agentId,
    IssuedSvid svid,
    List<X509Certificate> bundle,
    Secret sessionToken,
    Instant expiresAt) {}
