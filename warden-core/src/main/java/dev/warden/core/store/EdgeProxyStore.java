package dev.warden.core.store;

import dev.warden.core.edge.ProxyDeclaration;

/** Proxies declared for agents ({@code EdgeProxy} documents), keyed by name. */
public interface EdgeProxyStore extends ObjectStore<ProxyDeclaration> {}
