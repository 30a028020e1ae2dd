package dev.warden.agent.workloadapi;

import dev.warden.core.model.Selector;
import java.util.Set;

/** Turns a connected process into selectors. */
public interface WorkloadAttestor {
  /**
   * @throws AttestationException when the process cannot be attested (gone, or its pid was reused
   *     while it was being examined)
   */
  Set<Selector> attest(PeerCredentials peer) throws AttestationException;

  /** Attestation failed; the caller gets no identity. */
  final class AttestationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AttestationException(String message) {
      super(message);
    }
  }
}
