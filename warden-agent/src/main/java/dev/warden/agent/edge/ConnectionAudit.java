package dev.warden.agent.edge;

import dev.warden.core.agent.ProxiedConnection;

/** Where a proxy reports each connection it accepted or refused; must not block the event loop. */
@FunctionalInterface
public interface ConnectionAudit {
  void record(ProxiedConnection event);

  /** For proxies whose connections nobody audits (tests of the protocol alone). */
  ConnectionAudit NONE = e -> {};
}
