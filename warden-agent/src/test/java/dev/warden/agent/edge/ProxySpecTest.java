package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxySpec;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProxySpecTest {
  @Test
  void theCommandLineFormGivesAProxyWithVerifyFullByDefault() {
    ProxySpec p =
        ProxySpec.parse("postgres:resource=ledger-db,listen=unix:/run/warden/.s.PGSQL.5432");
    assertThat(p.protocol()).isEqualTo(ProxySpec.Protocol.POSTGRES);
    assertThat(p.resource()).isEqualTo("ledger-db");
    assertThat(p.listenUnix()).isEqualTo(Path.of("/run/warden/.s.PGSQL.5432"));
    assertThat(p.upstreamTls()).isEqualTo(ProxySpec.UpstreamTls.VERIFY_FULL);
    assertThat(p.allowWeakAuth()).isFalse();
    ProxySpec t =
        ProxySpec.parse(
            "postgres:resource=x,listen=[::1]:6432,upstream-tls=verify-ca,upstream-ca=/ca.pem");
    assertThat(t.listenTcp().getPort()).isEqualTo(6432);
    assertThat(t.upstreamTls()).isEqualTo(ProxySpec.UpstreamTls.VERIFY_CA);
    assertThat(t.where()).isEqualTo("0:0:0:0:0:0:0:1:6432");
  }

  @Test
  void mysqlAndRedisProxiesParseLikePostgresAndAlsoDefaultToVerifiedTls() {
    ProxySpec m = ProxySpec.parse("mysql:resource=shop-db,listen=127.0.0.1:3307");
    assertThat(m.protocol()).isEqualTo(ProxySpec.Protocol.MYSQL);
    assertThat(m.upstreamTls()).isEqualTo(ProxySpec.UpstreamTls.VERIFY_FULL);
    ProxySpec r =
        ProxySpec.parse(
            "redis:resource=cache,listen=unix:/run/warden/cache.sock,upstream-tls=disable");
    assertThat(r.protocol()).isEqualTo(ProxySpec.Protocol.REDIS);
    assertThat(r.upstreamTls()).isEqualTo(ProxySpec.UpstreamTls.DISABLE);
    assertThatThrownBy(() -> ProxySpec.parse("memcached:resource=x,listen=unix:/a"))
        .hasMessageContaining("(postgres, mysql, redis, http)");
  }

  @Test
  void aNonLoopbackListenerANameOrAMissingPieceIsRefusedWithWhatToWrite() {
    assertThatThrownBy(() -> ProxySpec.parse("postgres:resource=x,listen=0.0.0.0:5432"))
        .hasMessageContaining("loopback only");
    assertThatThrownBy(() -> ProxySpec.parse("postgres:resource=x,listen=localhost:5432"))
        .hasMessageContaining("not a name");
    assertThatThrownBy(() -> ProxySpec.parse("postgres:listen=unix:/a"))
        .hasMessageContaining("--proxy resource: a postgres proxy needs the Warden resource");
    assertThatThrownBy(() -> ProxySpec.parse("postgres:resource=x"))
        .hasMessageContaining("listen=");
    assertThatThrownBy(() -> ProxySpec.parse("oracle:resource=x,listen=unix:/a"))
        .hasMessageContaining("unknown proxy");
    assertThatThrownBy(
            () -> ProxySpec.parse("postgres:resource=x,listen=unix:/a,upstream-tls=prefer"))
        .hasMessageContaining("verify-full, verify-ca or disable");
    assertThatThrownBy(() -> ProxySpec.parse("postgres:resource=x,listen=unix:/a,colour=red"))
        .hasMessageContaining("unknown --proxy option colour");
    assertThatThrownBy(() -> ProxySpec.parse("postgres:resource=x,listen=127.0.0.1:99999"))
        .hasMessageContaining("1..65535");
  }

  @Test
  void loopbackAddressesAreWrittenAsTheKernelsSocketTableShowsThem() throws Exception {
    assertThat(LoopbackPeers.hex(InetAddress.getByName("127.0.0.1"), 5432))
        .isEqualTo("0100007F:1538");
    assertThat(LoopbackPeers.hex6(InetAddress.getByName("127.0.0.1"), 5432))
        .isEqualTo("0000000000000000FFFF00000100007F:1538");
    assertThat(LoopbackPeers.hex(InetAddress.getByName("::1"), 80))
        .isEqualTo("00000000000000000000000001000000:0050");
    LoopbackPeers.Socket s =
        LoopbackPeers.parseLine(
            "   3: 0100007F:D431 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1000        0 778899 1 0",
            "0100007F:D431",
            "0100007F:1538");
    assertThat(s).isEqualTo(new LoopbackPeers.Socket(1000, 778899));
    assertThat(LoopbackPeers.parseLine("garbage", "a", "b")).isNull();
  }

  @Test
  void anHttpProxyTakesRoutesPerDestinationAndNoResource() {
    ProxySpec h =
        ProxySpec.parse(
            "http:listen=127.0.0.1:3128,route=api.example.com=resource:billing-api,"
                + "route=Keys.Example.com:8443=resource:keyed;header=X-Api-Key,route=q.example.com=resource:q;query=api_key,"
                + "route=legacy.example.com=resource:legacy;basic;plaintext,unlisted=refuse,upstream-ca=/ca.pem");
    assertThat(h.protocol()).isEqualTo(ProxySpec.Protocol.HTTP);
    assertThat(h.resource()).isNull();
    assertThat(h.refuseUnlisted()).isTrue();
    assertThat(h.routes())
        .containsExactly(
            new HttpRoute(
                "api.example.com", 0, "billing-api", HttpRoute.Placement.HEADER, "Authorization"),
            new HttpRoute(
                "keys.example.com", 8443, "keyed", HttpRoute.Placement.HEADER, "X-Api-Key"),
            new HttpRoute("q.example.com", 0, "q", HttpRoute.Placement.QUERY, "api_key"),
            new HttpRoute(
                "legacy.example.com",
                0,
                "legacy",
                HttpRoute.Placement.BASIC,
                "Authorization",
                true));
    assertThat(h.routes().get(0).plaintext()).isFalse();
    assertThat(h.routes().get(0).matches("API.example.com", 443)).isTrue();
    assertThat(h.routes().get(1).matches("keys.example.com", 443)).isFalse();
    assertThat(ProxySpec.parse("http:listen=127.0.0.1:3128").refuseUnlisted()).isFalse();
    assertThat(h.responseTimeout()).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(ProxySpec.parse("http:listen=127.0.0.1:3128,response-timeout=5s").responseTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(5));
  }

  @Test
  void httpRouteMistakesAreRefusedWithWhatToWrite() {
    assertThatThrownBy(() -> ProxySpec.parse("http:resource=x,listen=127.0.0.1:3128"))
        .hasMessageContaining("--proxy resource:")
        .hasMessageContaining("a resource per route");
    assertThatThrownBy(() -> ProxySpec.parse("http:listen=unix:/run/h.sock"))
        .hasMessageContaining("loopback TCP");
    assertThatThrownBy(() -> ProxySpec.parse("http:listen=127.0.0.1:1,route=a.example=billing"))
        .hasMessageContaining("resource:<name>");
    assertThatThrownBy(
            () -> ProxySpec.parse("http:listen=127.0.0.1:1,route=a.example=resource:b;cookie"))
        .hasMessageContaining("unknown option cookie")
        .hasMessageContaining("plaintext");
    assertThatThrownBy(
            () ->
                ProxySpec.parse(
                    "http:listen=127.0.0.1:1,route=a.example=resource:b;header=X;basic"))
        .hasMessageContaining("at most one");
    assertThatThrownBy(
            () ->
                ProxySpec.parse(
                    "http:listen=127.0.0.1:1,route=a.example=resource:b;header=Bad Name"))
        .hasMessageContaining("not a header name");
    assertThatThrownBy(() -> ProxySpec.parse("http:listen=127.0.0.1:1,route=*.example=resource:b"))
        .hasMessageContaining("not a host name");
    assertThatThrownBy(() -> ProxySpec.parse("http:listen=127.0.0.1:1,unlisted=allow"))
        .hasMessageContaining("tunnel or refuse");
    assertThatThrownBy(
            () -> ProxySpec.parse("redis:resource=c,listen=127.0.0.1:1,route=a=resource:b"))
        .hasMessageContaining("unknown --proxy option route");
    assertThatThrownBy(() -> ProxySpec.parse("redis:resource=c,listen=127.0.0.1:1,unlisted=refuse"))
        .hasMessageContaining("http proxy only");
    assertThatThrownBy(
            () -> ProxySpec.parse("redis:resource=c,listen=127.0.0.1:1,response-timeout=5"))
        .hasMessageContaining("http proxy only");
    assertThatThrownBy(() -> ProxySpec.parse("http:listen=127.0.0.1:1,response-timeout=0"))
        .hasMessageContaining("must be positive");
  }
}
