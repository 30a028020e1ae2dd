package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.document.Kind;
import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.model.Selector;
import dev.warden.core.store.ConfigStore;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link dev.warden.core.store.EdgeProxyStore}: the object store's, and its own
 * change counter.
 */
abstract class EdgeProxyStoreContract extends ObjectStoreContract<ProxyDeclaration> {
  @Override
  ObjectStore<ProxyDeclaration> objectsOf(Store s) {
    return s.edgeProxies();
  }

  /**
   * Even variants a postgres proxy on a Unix socket, odd ones an http proxy with every route
   * option.
   */
  @Override
  ProxyDeclaration sample(String id, int variant) {
    Set<Selector> nodes =
        Set.of(Selector.parse("k8s:node-pool=payments"), Selector.parse("warden:join=j" + variant));
    ProxySpec spec =
        variant % 2 == 0
            ? new ProxySpec(
                ProxySpec.Protocol.POSTGRES,
                "ledger-db",
                Path.of("/run/warden/" + id + "/.s.PGSQL.5432"),
                null,
                ProxySpec.UpstreamTls.VERIFY_CA,
                Path.of("/etc/warden/ledger-ca.pem"),
                true,
                ProxySpec.ClientTlsMode.OFF)
            : new ProxySpec(
                ProxySpec.Protocol.HTTP,
                null,
                null,
                new InetSocketAddress("127.0.0.1", 3128 + variant),
                ProxySpec.UpstreamTls.VERIFY_FULL,
                Path.of("/etc/ssl/certs/ca.pem"),
                false,
                null,
                List.of(
                    new HttpRoute("api.example.com", 0, "billing", null, null),
                    new HttpRoute(
                        "keys.example.com", 8443, "keyed", HttpRoute.Placement.HEADER, "X-Api-Key"),
                    new HttpRoute("q.example.com", 0, "q", HttpRoute.Placement.QUERY, "api_key"),
                    new HttpRoute(
                        "legacy.example.com", 80, "legacy", HttpRoute.Placement.BASIC, null, true)),
                true,
                Duration.ofSeconds(90));
    return new ProxyDeclaration(
        id, nodes, spec, "ledger access for the payments pool — ünïcode " + variant);
  }

  @Test
  void aDeclarationMovesOnlyTheEdgeProxyCounterAndTheRevision() {
    ConfigStore.Revision before = store().config().revision();
    long resources = store().resources().changeCounter();

    store()
        .config()
        .commit(
            before,
            List.of(ConfigStore.Write.put(Kind.EDGE_PROXY, sample(unique("p"), 1), 0)),
            "alice");

    ConfigStore.Revision after = store().config().revision();
    assertThat(after.edgeProxies()).isGreaterThan(before.edgeProxies());
    assertThat(after)
        .isEqualTo(
            new ConfigStore.Revision(
                before.trustProviders(),
                before.workloads(),
                before.resources(),
                before.policies(),
                after.edgeProxies()));
    assertThat(store().resources().changeCounter()).isEqualTo(resources);
  }
}
