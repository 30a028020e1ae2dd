package dev.warden.agent.edge;

import dev.warden.agent.workloadapi.X509Svid;

/** Asks the server for a new credential, as the workload (its X.509-SVID) for one resource. */
@FunctionalInterface
public interface CredentialFetcher {
  /**
   * @throws EdgeException with the server's reason when it refuses or cannot be reached
   */
  EdgeCredential fetch(X509Svid workload, String resource) throws EdgeException;
}
