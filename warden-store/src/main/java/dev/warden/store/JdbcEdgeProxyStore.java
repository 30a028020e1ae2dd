package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.store.EdgeProxyStore;
import java.time.InstantSource;

/** The store of proxies declared for agents. */
final class JdbcEdgeProxyStore extends JdbcObjectStore<ProxyDeclaration> implements EdgeProxyStore {
  JdbcEdgeProxyStore(Db db, InstantSource clock) {
    super(db, Kind.EDGE_PROXY, ProxyDeclaration.class, clock);
  }
}
