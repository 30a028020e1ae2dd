package dev.warden.agent.edge;

import java.net.SocketAddress;

/** One running credential-injecting proxy, whatever its protocol. */
public interface EdgeProxy extends AutoCloseable {
  ProxySpec spec();

  /** Connections accepted since start. */
  long accepted();

  /** The bound address (for a TCP listener on port 0, the port chosen). */
  SocketAddress address();

  @Override
  void close();
}
