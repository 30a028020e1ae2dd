package dev.warden.agent.edge;

import dev.warden.core.edge.ProxySpec;
import java.net.SocketAddress;

/** One running credential-injecting proxy, whatever its protocol. */
public interface EdgeProxy extends AutoCloseable {
  ProxySpec spec();

  /** Connections accepted since start. */
  long accepted();

  /**
   * Closes every connection this proxy accepted that is still open (each proxy closes its
   * connection to the target with it); returns how many there were.
   */
  int closeConnections();

  /** The bound address (for a TCP listener on port 0, the port chosen). */
  SocketAddress address();

  @Override
  void close();
}
