package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.edge.ProxySpec;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Proxies declared on the server (EdgeProxy documents) end to end, nothing faked: a Warden server
 * over HTTPS issuing ACL users on the local Redis, an agent joined with a token that also runs one
 * {@code --proxy}, documents applied and deleted through the admin API, and {@code redis-cli} with
 * no password as the client.
 */
class DeclaredProxyTest {
  static final String SUFFIX =
      UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
  static final String ADMIN = "wt_admin_" + SUFFIX;
  static final String PREFIX = "wd" + SUFFIX + "_";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static int flagPort;

  @BeforeAll
  static void start() throws Exception {
    try (Jedis root = new Jedis("127.0.0.1", 6379)) {
      root.aclSetUser(ADMIN, "on", ">admin-pw", "+acl", "+client", "+ping");
    } catch (RuntimeException e) {
      Assumptions.abort("Redis is not reachable at 127.0.0.1:6379: " + e.getMessage());
    }
    warden = EdgeFixture.start(dir);
    warden.admin("PUT", "/v1/target-secrets/cache-admin", "{\"value\": \"admin-pw\"}");
    warden.apply(
        List.of(
            EdgeFixture.workload(),
            Map.of(
                "kind",
                "Resource",
                "metadata",
                Map.of("name", "cache"),
                "spec",
                Map.of(
                    "audience",
                    "redis://cache",
                    "kind",
                    "redis",
                    "database",
                    Map.of(
                        "url",
                        "redis://127.0.0.1:6379",
                        "adminUser",
                        ADMIN,
                        "adminPasswordSecret",
                        "cache-admin",
                        "acl",
                        List.of("+ping", "+acl|whoami"),
                        "usernameTemplate",
                        PREFIX + "{workload}_{random}",
                        "maxTtl",
                        "10m"))),
            Map.of(
                "kind",
                "AccessPolicy",
                "metadata",
                Map.of("name", "api-to-cache"),
                "spec",
                Map.of(
                    "workloads",
                    Map.of("spiffeIds", List.of(EdgeFixture.WORKLOAD)),
                    "resources",
                    List.of("cache"),
                    "credentialKind",
                    "database_user",
                    "maxTtl",
                    "5m"))));
    flagPort = EdgeFixture.freePort();
    warden.startAgent(
        List.of(
            ProxySpec.parse(
                "redis:resource=cache,listen=127.0.0.1:" + flagPort + ",upstream-tls=disable")));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    try (Jedis root = new Jedis("127.0.0.1", 6379)) {
      for (String u : root.aclUsers()) {
        if (u.startsWith(PREFIX) || u.equals(ADMIN)) {
          root.aclDelUser(u);
        }
      }
    } catch (RuntimeException ignored) {
      // best effort
    }
  }

  static Map<String, Object> declaration(String name, String listen) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("nodeSelectors", List.of("node:pool=test"));
    spec.put("protocol", "redis");
    spec.put("resource", "cache");
    spec.put("listen", listen);
    spec.put("upstreamTls", "disable");
    return Map.of("kind", "EdgeProxy", "metadata", Map.of("name", name), "spec", spec);
  }

  /** The state the server shows for a declared proxy on the (only) agent, or null. */
  static JsonNode shown(String name) throws Exception {
    for (JsonNode a : warden.admin("GET", "/v1/agents", null).path("agents")) {
      for (JsonNode p : a.path("proxies")) {
        if (p.path("name").asText().equals(name)) {
          return p;
        }
      }
    }
    return null;
  }

  static void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  static JsonNode awaitShown(String name, String state) throws Exception {
    JsonNode[] got = new JsonNode[1];
    await(
        name + " is shown " + state,
        () -> {
          try {
            got[0] = shown(name);
            return got[0] != null && got[0].path("state").asText().equals(state);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return got[0];
  }

  @Test
  void aProxyDeclaredThroughTheApiServesRedisCliWithNoPasswordAndGoesAwayWhenDeleted()
      throws Exception {
    Path socket = dir.resolve("declared/cache.sock");
    warden.apply(List.of(declaration("cache-proxy", "unix:" + socket)));

    await("the agent listens on " + socket, () -> Files.exists(socket));
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-s", socket.toString(), "ACL", "WHOAMI"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output().strip()).startsWith(PREFIX);
    assertThat(awaitShown("cache-proxy", "running").path("version").asText()).hasSize(32);
    warden.awaitEvent(
        "agent.proxy.running", e -> e.path("details").path("proxy").asText().equals("cache-proxy"));
    assertThat(
            warden
                .admin("GET", "/v1/edgeproxies/cache-proxy", null)
                .path("spec")
                .path("listen")
                .asText())
        .isEqualTo("unix:" + socket);

    try (SocketChannel open = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      open.connect(UnixDomainSocketAddress.of(socket));
      assertThat(exchange(open, "*1\r\n$4\r\nPING\r\n")).isEqualTo("+PONG\r\n");

      warden.admin("DELETE", "/v1/edgeproxies/cache-proxy", null);

      await("the listener is gone", () -> !Files.exists(socket));
      assertThat(read(open)).as("the connection it carried is closed").isNull();
    }
    EdgeFixture.Result after =
        EdgeFixture.run(List.of("redis-cli", "-s", socket.toString(), "PING"));
    assertThat(after.exit()).isNotZero();
    await(
        "the server shows it no more",
        () -> {
          try {
            return shown("cache-proxy") == null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    warden.awaitEvent(
        "connection.closed",
        e ->
            e.path("details")
                .path("message")
                .asText()
                .contains("EdgeProxy cache-proxy) was removed"));
  }

  @Test
  void aChangedDeclarationRestartsTheProxyOnItsNewAddress() throws Exception {
    Path first = dir.resolve("moving/a.sock");
    Path second = dir.resolve("moving/b.sock");
    warden.apply(List.of(declaration("moving-proxy", "unix:" + first)));
    await("it listens on " + first, () -> Files.exists(first));

    warden.apply(List.of(declaration("moving-proxy", "unix:" + second)));

    await("it listens on " + second + " only", () -> Files.exists(second) && !Files.exists(first));
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-s", second.toString(), "ACL", "WHOAMI"));
    assertThat(r.output().strip()).as(r.output()).startsWith(PREFIX);
    warden.admin("DELETE", "/v1/edgeproxies/moving-proxy", null);
    await("it is gone", () -> !Files.exists(second));
  }

  @Test
  void aDeclarationOnTheAddressOfACommandLineProxyIsRefusedAndTheFlagOneKeepsWorking()
      throws Exception {
    warden.apply(List.of(declaration("clash", "127.0.0.1:" + flagPort)));

    JsonNode s = awaitShown("clash", "refused");
    assertThat(s.path("message").asText())
        .contains(
            "the command line's --proxy redis proxy already listens on 127.0.0.1:" + flagPort);
    JsonNode event =
        warden.awaitEvent(
            "agent.proxy.failed", e -> e.path("details").path("proxy").asText().equals("clash"));
    assertThat(event.path("reason").asText()).isEqualTo("proxy_refused");
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-p", Integer.toString(flagPort), "ACL", "WHOAMI"));
    assertThat(r.output().strip()).as(r.output()).startsWith(PREFIX);
    warden.admin("DELETE", "/v1/edgeproxies/clash", null);
  }

  @Test
  void aDeclarationWhoseAddressIsInUseIsReportedFailedAndStartsOnceItIsFree() throws Exception {
    int port;
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = taken.getLocalPort();
      warden.apply(List.of(declaration("busy", "127.0.0.1:" + port)));

      JsonNode s = awaitShown("busy", "failed");
      assertThat(s.path("message").asText())
          .contains("cannot listen for the redis proxy on 127.0.0.1:" + port);
      warden.awaitEvent(
          "agent.proxy.failed",
          e ->
              e.path("details").path("proxy").asText().equals("busy")
                  && e.path("reason").asText().equals("proxy_failed"));
    }

    awaitShown("busy", "running");
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-p", Integer.toString(port), "ACL", "WHOAMI"));
    assertThat(r.output().strip()).as(r.output()).startsWith(PREFIX);
    warden.admin("DELETE", "/v1/edgeproxies/busy", null);
  }

  @Test
  void aBrokenDocumentIsRefusedByTheApiNamingItsFieldAndNothingIsStored() throws Exception {
    String before = warden.admin("GET", "/v1/edgeproxies", null).toString();
    Map<String, Object> notLoopback = declaration("open-to-all", "0.0.0.0:6390");
    Map<String, Object> wrongKind =
        new LinkedHashMap<>(declaration("wrong-kind", "127.0.0.1:6391"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) wrongKind.get("spec"));
    spec.put("protocol", "postgres");
    wrongKind.put("spec", spec);

    HttpResponse<String> a =
        warden.adminResponse(
            "POST",
            "/v1/apply",
            EdgeFixture.JSON.writeValueAsString(
                Map.of("documents", List.of(declaration("fine", "127.0.0.1:6392"), notLoopback))));
    HttpResponse<String> b =
        warden.adminResponse(
            "POST",
            "/v1/apply",
            EdgeFixture.JSON.writeValueAsString(
                Map.of("documents", List.of(declaration("fine", "127.0.0.1:6392"), wrongKind))));

    assertThat(a.statusCode()).isEqualTo(400);
    assertThat(a.body()).contains("documents[1].spec.listen").contains("loopback only");
    assertThat(b.statusCode()).isEqualTo(400);
    assertThat(b.body()).contains("spec.resource").contains("resource 'cache' is of kind redis");
    assertThat(warden.admin("GET", "/v1/edgeproxies", null).toString()).isEqualTo(before);
  }

  /** Sends a RESP command and reads the reply. */
  private static String exchange(SocketChannel ch, String command) throws Exception {
    ch.write(ByteBuffer.wrap(command.getBytes(StandardCharsets.US_ASCII)));
    return read(ch);
  }

  /**
   * What arrives next, or null when the other end closed the connection; fails after 15 s of
   * neither.
   */
  private static String read(SocketChannel ch) throws Exception {
    ch.configureBlocking(false);
    ByteBuffer buf = ByteBuffer.allocate(4096);
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      int n = ch.read(buf);
      if (n < 0) {
        return null;
      }
      if (n > 0) {
        return new String(buf.array(), 0, n, StandardCharsets.US_ASCII);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("nothing arrived and the connection stayed open");
  }
}
