package dev.warden.agent.runtime;

import dev.warden.agent.edge.ClientTls;
import dev.warden.agent.edge.EdgeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The proxies' TLS certificates, one per resource, asked from the server with the agent's session
 * and renewed at half their life; while the server cannot be reached the held one serves until it
 * expires.
 */
final class EdgeCertificates implements ClientTls {
  private final AgentRuntime runtime;
  private final Clock clock;

  /** A certificate with when it was asked for: one map entry, so a reader never sees half. */
  private record Held(Certificate certificate, Instant issuedAt) {}

  private final Map<String, Held> held = new ConcurrentHashMap<>();

  EdgeCertificates(AgentRuntime runtime, Clock clock) {
    this.runtime = runtime;
    this.clock = clock;
  }

  @Override
  public Certificate certificate(String resource) throws EdgeException {
    return get(resource, null);
  }

  @Override
  public Certificate destinationCertificate(String resource, String host) throws EdgeException {
    return get(resource, host);
  }

  private Certificate get(String resource, @Nullable String destination) throws EdgeException {
    String key = destination == null ? resource : resource + "\n" + destination;
    Instant now = clock.instant();
    Held h = held.get(key);
    Certificate c = h == null ? null : h.certificate();
    if (h != null) {
      Instant from = h.issuedAt();
      if (now.isBefore(
          from.plus(Duration.between(from, h.certificate().expiresAt()).dividedBy(2)))) {
        return h.certificate();
      }
    }
    synchronized (this) {
      try {
        Certificate fresh = runtime.edgeCertificate(resource, destination);
        held.put(key, new Held(fresh, now));
        return fresh;
      } catch (ServerException e) {
        if (c != null && now.isBefore(c.expiresAt())) {
          return c;
        }
        throw new EdgeException(
            e.status() == 404 || e.status() == 403
                ? EdgeException.Kind.DENIED
                : EdgeException.Kind.UNAVAILABLE,
            "no TLS certificate for "
                + (destination == null
                    ? "the proxy of " + resource
                    : destination + " (resource " + resource + ")")
                + ": "
                + e.getMessage());
      }
    }
  }
}
