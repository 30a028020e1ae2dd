package dev.warden.agent.edge;

import dev.warden.agent.workloadapi.IdentitySource;
import dev.warden.agent.workloadapi.PeerCredentials;
import dev.warden.agent.workloadapi.WorkloadAttestor;
import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.model.Selector;
import java.util.List;
import java.util.Set;

/**
 * From the process on the other end of a proxied connection to the workload identity it holds:
 * attested exactly as a Workload API caller is (same attestor, same registrations).
 */
public final class Callers {
  /** Who called, and as which workload the agent acts for it. */
  public record Caller(PeerCredentials peer, Set<Selector> selectors, X509Svid svid) {}

  private final WorkloadAttestor attestor;
  private final IdentitySource identities;

  public Callers(WorkloadAttestor attestor, IdentitySource identities) {
    this.attestor = attestor;
    this.identities = identities;
  }

  /**
   * @throws EdgeException (UNIDENTIFIED) when the process cannot be attested or no registration
   *     matches it; when several do, the first by SPIFFE ID is used (the Workload API's default
   *     identity is chosen the same way)
   */
  public Caller identify(PeerCredentials peer) throws EdgeException {
    Set<Selector> selectors;
    try {
      selectors = attestor.attest(peer);
    } catch (WorkloadAttestor.AttestationException e) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED,
          "the calling process could not be attested: " + e.getMessage());
    }
    List<X509Svid> svids = identities.x509Svids(selectors);
    if (svids.isEmpty()) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED,
          "no workload registered on this agent matches the "
              + "calling process (pid "
              + peer.pid()
              + ", uid "
              + peer.uid()
              + "); register one with its selectors");
    }
    return new Caller(peer, selectors, svids.getFirst());
  }
}
