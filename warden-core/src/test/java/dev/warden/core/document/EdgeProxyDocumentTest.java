package dev.warden.core.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code EdgeProxy} documents: the {@code --proxy} settings as fields, the same rules, strict
 * parsing.
 */
class EdgeProxyDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode doc(String spec) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            "{\"kind\": \"EdgeProxy\", \"metadata\": {\"name\": \"ledger-db\"}, \"spec\": "
                + spec
                + "}");
  }

  @Test
  void aPostgresProxyOnATcpListenerDefaultsToVerifiedTlsBothWaysAndRoundTrips() throws Exception {
    ProxyDeclaration d =
        (ProxyDeclaration)
            Documents.parse(
                doc(
                    """
        {"nodeSelectors": ["k8s:node-pool=payments"], "protocol": "postgres", "resource": "ledger-db",
         "listen": "127.0.0.1:6432"}"""));

    assertThat(d.nodeSelectors()).containsExactly(Selector.parse("k8s:node-pool=payments"));
    ProxySpec p = d.proxy();
    assertThat(p.protocol()).isEqualTo(ProxySpec.Protocol.POSTGRES);
    assertThat(p.listenTcp().getPort()).isEqualTo(6432);
    assertThat(p.upstreamTls()).isEqualTo(ProxySpec.UpstreamTls.VERIFY_FULL);
    assertThat(p.clientTls()).isEqualTo(ProxySpec.ClientTlsMode.ALLOW);
    assertThat(p).isEqualTo(ProxySpec.parse("postgres:resource=ledger-db,listen=127.0.0.1:6432"));
    assertThat(Documents.parse(Documents.toDocument(d))).isEqualTo(d);
    assertThat(Documents.kindOf(d)).isEqualTo(Kind.EDGE_PROXY);
    assertThat(Kind.parse("edgeproxies")).isEqualTo(Kind.EDGE_PROXY);
    assertThat(Kind.parse("edgeproxy")).isEqualTo(Kind.EDGE_PROXY);
  }

  @Test
  void anHttpProxyTakesRoutesAsObjectsAndEqualsTheSameFlag() throws Exception {
    ProxyDeclaration d =
        (ProxyDeclaration)
            Documents.parse(
                doc(
                    """
        {"nodeSelectors": ["warden:join=0a1b2c3d", "node:pool=ci"], "protocol": "http", "listen": "127.0.0.1:3128",
         "routes": [{"host": "api.example.com", "resource": "billing-api"},
                    {"host": "Keys.Example.com", "port": 8443, "resource": "keyed", "header": "X-Api-Key"},
                    {"host": "q.example.com", "resource": "q", "query": "api_key"},
                    {"host": "legacy.example.com", "resource": "legacy", "basic": true, "plaintext": true}],
         "unlisted": "refuse", "upstreamCa": "/etc/warden/ca.pem", "responseTimeout": "90s",
         "description": "egress for the CI runners"}"""));

    assertThat(d.proxy())
        .isEqualTo(
            ProxySpec.parse(
                "http:listen=127.0.0.1:3128,route=api.example.com=resource:"
                    + "billing-api,route=Keys.Example.com:8443=resource:keyed;header=X-Api-Key,route=q.example.com=resource:q;"
                    + "query=api_key,route=legacy.example.com=resource:legacy;basic;plaintext,unlisted=refuse,"
                    + "upstream-ca=/etc/warden/ca.pem,response-timeout=90"));
    assertThat(d.proxy().routes().get(3).placement()).isEqualTo(HttpRoute.Placement.BASIC);
    assertThat(d.proxy().responseTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(d.description()).isEqualTo("egress for the CI runners");
    assertThat(Documents.parse(Documents.toDocument(d))).isEqualTo(d);
  }

  @Test
  void aUnixSocketProxyRoundTripsWithEveryDatabaseOption() throws Exception {
    ProxyDeclaration d =
        (ProxyDeclaration)
            Documents.parse(
                doc(
                    """
        {"nodeSelectors": ["k8s:node-pool=payments"], "protocol": "mysql", "resource": "shop-db",
         "listen": "unix:/run/warden/shop.sock", "upstreamTls": "verify-ca", "upstreamCa": "/etc/warden/shop-ca.pem",
         "allowWeakAuth": true}"""));

    assertThat(d.proxy().listenUnix()).isEqualTo(Path.of("/run/warden/shop.sock"));
    assertThat(d.proxy().allowWeakAuth()).isTrue();
    assertThat(d.proxy().clientTls()).isEqualTo(ProxySpec.ClientTlsMode.OFF);
    assertThat(
            d.runsOn(
                Set.of(Selector.parse("k8s:node-pool=payments"), Selector.parse("warden:join=x"))))
        .isTrue();
    assertThat(d.runsOn(Set.of(Selector.parse("k8s:node-pool=web")))).isFalse();
    assertThat(Documents.parse(Documents.toDocument(d))).isEqualTo(d);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      no node selectors           | "protocol": "redis", "resource": "c", "listen": "127.0.0.1:6380"                                      | spec.nodeSelectors | is required
      empty node selectors        | "nodeSelectors": [], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:6380"                 | spec.nodeSelectors | is required
      bad node selector           | "nodeSelectors": ["pool"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:6380"           | selector           | type:key=value
      no protocol                 | "nodeSelectors": ["n:p=a"], "resource": "c", "listen": "127.0.0.1:6380"                               | spec.protocol      | is required
      unknown protocol            | "nodeSelectors": ["n:p=a"], "protocol": "oracle", "resource": "c", "listen": "127.0.0.1:1"            | spec.protocol      | postgres, mysql, redis or http
      no resource                 | "nodeSelectors": ["n:p=a"], "protocol": "redis", "listen": "127.0.0.1:6380"                           | spec.resource      | needs the Warden resource
      no listen                   | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c"                                      | spec.listen        | is required
      all interfaces              | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "0.0.0.0:6380"            | spec.listen        | loopback only
      a host name                 | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "localhost:6380"          | spec.listen        | not a name
      port out of range           | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:70000"         | spec.listen        | 1..65535
      relative socket             | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "unix:run/c.sock"         | spec.listen        | relative
      empty socket path           | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "unix:"                   | spec.listen        | needs the socket's path
      socket path too long        | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "unix:/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock" | spec.listen | longer than the kernel's
      relative CA file            | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "upstreamCa": "ca.pem" | spec.upstreamCa | relative
      bad upstream tls            | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "upstreamTls": "prefer" | spec.upstreamTls | verify-full, verify-ca or disable
      client tls on a socket      | "nodeSelectors": ["n:p=a"], "protocol": "postgres", "resource": "c", "listen": "unix:/run/p.sock", "clientTls": "require" | spec.clientTls | TCP listeners
      client tls for redis        | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "clientTls": "require" | spec.clientTls | postgres proxy only
      weak auth as text           | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "allowWeakAuth": "yes" | spec.allowWeakAuth | true or false
      routes on redis             | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "routes": []  | spec.routes | http proxy only
      resource on http            | "nodeSelectors": ["n:p=a"], "protocol": "http", "resource": "c", "listen": "127.0.0.1:1"              | spec.resource      | a resource per route
      http on a socket            | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "unix:/run/h.sock"                           | spec.listen        | loopback TCP
      route without resource      | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "a.example"}] | spec.routes[0] | needs resource
      route wildcard host         | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "*.example", "resource": "r"}] | spec.routes[0] | not a host name
      route two placements        | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "a.example", "resource": "r", "header": "X", "basic": true}] | spec.routes[0] | at most one
      route unknown field         | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "a.example", "resource": "r", "cookie": "c"}] | spec.routes[0].cookie | unknown field
      route port zero             | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "a.example", "resource": "r", "port": 0}] | spec.routes[0].port | 1 to 65535
      route bad header            | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "routes": [{"host": "a.example", "resource": "r", "header": "Bad Name"}] | spec.routes[0] | not a header name
      bad unlisted                | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "unlisted": "allow"           | spec.unlisted      | tunnel or refuse
      zero response timeout       | "nodeSelectors": ["n:p=a"], "protocol": "http", "listen": "127.0.0.1:1", "responseTimeout": "0s"      | spec.responseTimeout | positive
      unknown field               | "nodeSelectors": ["n:p=a"], "protocol": "redis", "resource": "c", "listen": "127.0.0.1:1", "colour": "red" | spec.colour | unknown field
      """)
  void aBrokenDocumentIsRefusedNamingTheField(
      String why, String spec, String field, String message) {
    assertThatThrownBy(() -> Documents.parse(doc("{" + spec + "}")))
        .as(why)
        .isInstanceOf(ValidationException.class)
        .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo(field))
        .hasMessageContaining(message);
  }
}
