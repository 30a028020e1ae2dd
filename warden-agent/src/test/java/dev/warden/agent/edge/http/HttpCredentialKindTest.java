package dev.warden.agent.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.ClientTls;
import dev.warden.agent.edge.ConnectionAudit;
import dev.warden.agent.edge.CredentialCache;
import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.LiveConnections;
import dev.warden.agent.edge.LoopbackPeers;
import dev.warden.agent.workloadapi.IdentitySource;
import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.crypto.Secret;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A route's credential whose kind the server did not name (an older server, or a database user
 * whose URL the agent cannot read) is refused with the reason, like any other kind the HTTP proxy
 * cannot put into a request; it used to fail inside the agent with a NullPointerException.
 */
class HttpCredentialKindTest {
  static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://warden.local/payments/api");

  @Test
  void aRouteCredentialOfNoNamedKindIsRefusedWithTheReason() throws Exception {
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();
    // a database user, as an older server answers it: no engine named
    EdgeCredential unnamed =
        new EdgeCredential(
            "lease-1",
            "app",
            Secret.of("pw"),
            "db.internal",
            5432,
            null,
            now,
            now.plus(Duration.ofHours(1)),
            null);
    X509Svid svid =
        new X509Svid(
            WORKLOAD,
            List.of(),
            KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate(),
            null);
    IdentitySource identities =
        new IdentitySource() {
          @Override
          public List<X509Svid> x509Svids(Set<Selector> callerSelectors) {
            return List.of(svid);
          }

          @Override
          public Map<String, List<X509Certificate>> x509Bundles() {
            return Map.of();
          }

          @Override
          public Map<String, List<String>> jwtAuthorities() {
            return Map.of();
          }

          @Override
          public String jwtSvid(SpiffeId id, List<String> audience) {
            throw new UnsupportedOperationException();
          }

          @Override
          public AutoCloseable onChange(Runnable listener) {
            return () -> {};
          }
        };
    ClientTls noCertificates =
        resource -> {
          throw new EdgeException(EdgeException.Kind.FAILED, "not in this test");
        };
    int port = dev.warden.testkit.FreePorts.next();
    ProxySpec spec =
        ProxySpec.parse(
            "http:listen=127.0.0.1:" + port + ",route=db.internal:8080=resource:ledger;plaintext");
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try (CredentialCache cache = new CredentialCache((workload, resource) -> unnamed, clock)) {
      EdgeContext context =
          new EdgeContext(
              spec,
              new Callers(peer -> Set.of(Selector.parse("unix:uid=" + peer.uid())), identities),
              cache,
              new LoopbackPeers(),
              executor,
              "http",
              ConnectionAudit.NONE,
              clock,
              new LiveConnections());
      HttpProxy proxy = HttpProxy.start(context, noCertificates, group);
      try {
        HttpResponse<String> r =
            HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)))
                .build()
                .send(
                    HttpRequest.newBuilder(URI.create("http://db.internal:8080/"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body())
            .contains("resource ledger answers a credential of no named kind")
            .doesNotContain("NullPointerException");
      } finally {
        proxy.close();
      }
    } finally {
      executor.shutdownNow();
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
