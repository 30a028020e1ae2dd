package dev.warden.agent.edge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.agent.edge.EdgeFixture;
import dev.warden.agent.edge.Forwarder;
import dev.warden.core.edge.ProxySpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;

/**
 * The Redis proxy end to end, with nothing faked: a Warden server over HTTPS issuing ACL users on
 * the local Redis (127.0.0.1:6379), the agent joined with a token, and unmodified clients — {@code
 * redis-cli} on the Unix socket and loopback TCP, Jedis in RESP2 and RESP3 — that hold no Redis
 * password, or a wrong one: they are the user Warden issued to the workload either way.
 */
class RedisProxyTest {
  static final String SUFFIX =
      UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
  static final String ADMIN = "wt_admin_" + SUFFIX;
  static final String PREFIX = "wr" + SUFFIX + "_";
  static final String KEYS = "wt" + SUFFIX + ":";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static Forwarder flaky;
  static Path socket;
  static int tcpPort;
  static int flakyPort;

  @BeforeAll
  static void start() throws Exception {
    try (Jedis root = root()) {
      root.sendCommand(
          Protocol.Command.ACL, "SETUSER", ADMIN, "on", ">admin-pw", "+acl", "+client", "+ping");
    } catch (RuntimeException e) {
      Assumptions.abort("Redis is not reachable at 127.0.0.1:6379: " + e.getMessage());
    }
    flaky = new Forwarder("127.0.0.1", 6379);
    warden = EdgeFixture.start(dir);
    warden.admin("PUT", "/v1/target-secrets/cache-admin", "{\"value\": \"admin-pw\"}");
    List<String> acl = List.of("~" + KEYS + "*", "+get", "+set", "+ping", "+acl|whoami");
    warden.apply(
        List.of(
            EdgeFixture.workload(),
            resource("cache", "redis://127.0.0.1:6379", acl),
            resource("other-cache", "redis://127.0.0.1:6379", acl),
            resource("flaky-cache", "redis://127.0.0.1:" + flaky.port(), acl),
            resource(
                "cache-db2",
                "redis://127.0.0.1:6379/2",
                List.of("~" + KEYS + "*", "+get", "+set", "+select")),
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
                    List.of("cache", "flaky-cache", "cache-db2"),
                    "credentialKind",
                    "database_user",
                    "maxTtl",
                    "5m"))));
    socket = dir.resolve("redis/cache.sock");
    tcpPort = EdgeFixture.freePort();
    flakyPort = EdgeFixture.freePort();
    warden.startAgent(
        List.of(
            ProxySpec.parse("redis:resource=cache,listen=unix:" + socket + ",upstream-tls=disable"),
            ProxySpec.parse(
                "redis:resource=cache,listen=127.0.0.1:" + tcpPort + ",upstream-tls=disable"),
            ProxySpec.parse(
                "redis:resource=other-cache,listen=unix:"
                    + dir.resolve("redis/other.sock")
                    + ",upstream-tls=disable"),
            ProxySpec.parse(
                "redis:resource=flaky-cache,listen=127.0.0.1:"
                    + flakyPort
                    + ",upstream-tls=disable"),
            ProxySpec.parse("redis:resource=cache,listen=unix:" + dir.resolve("redis/tls.sock")),
            ProxySpec.parse(
                "redis:resource=cache-db2,listen=unix:"
                    + dir.resolve("redis/db2.sock")
                    + ",upstream-tls=disable")));
  }

  static Map<String, Object> resource(String name, String url, List<String> acl) {
    return Map.of(
        "kind",
        "Resource",
        "metadata",
        Map.of("name", name),
        "spec",
        Map.of(
            "audience",
            "redis://" + name,
            "kind",
            "redis",
            "database",
            Map.of(
                "url",
                url,
                "adminUser",
                ADMIN,
                "adminPasswordSecret",
                "cache-admin",
                "acl",
                acl,
                "usernameTemplate",
                PREFIX + "{workload}_{random}",
                "maxTtl",
                "10m")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (warden != null) {
      warden.close();
    }
    if (flaky != null) {
      flaky.close();
    }
    try (Jedis root = root()) {
      for (Object u : root.aclUsers()) {
        if (u.toString().startsWith(PREFIX) || u.toString().equals(ADMIN)) {
          root.aclDelUser(u.toString());
        }
      }
    } catch (RuntimeException ignored) {
      // best effort
    }
  }

  @Test
  void redisCliOnTheUnixSocketWithNoPasswordIsTheUserWardenIssued() throws Exception {
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-s", socket.toString(), "ACL", "WHOAMI"));
    assertThat(r.exit()).as(r.output()).isZero();
    String user = r.output().strip();
    assertThat(user).startsWith(PREFIX);
    assertThat(warden.admin("GET", "/v1/database-leases?state=active", null).toString())
        .contains(user);
  }

  @Test
  void eachConnectionAndEachRefusalIsInTheServersAuditLog() throws Exception {
    EdgeFixture.Result r =
        EdgeFixture.run(List.of("redis-cli", "-s", socket.toString(), "ACL", "WHOAMI"));
    String user = r.output().strip();
    EdgeFixture.run(List.of("redis-cli", "-s", dir.resolve("redis/other.sock").toString(), "PING"));
    var proxied =
        warden.awaitEvent(
            "connection.proxied", e -> user.equals(e.path("details").path("leaseId").asText()));
    assertThat(proxied.path("details").path("protocol").asText()).isEqualTo("redis");
    assertThat(proxied.path("details").path("caller.path").asText()).contains("redis-cli");
    var refused =
        warden.awaitEvent(
            "connection.refused",
            e ->
                e.path("details").path("protocol").asText().equals("redis")
                    && e.path("reason").asText().equals("denied"));
    assertThat(refused.path("details").path("message").asText()).contains("access_denied");
  }

  @Test
  void aClientsOwnPasswordNeverReachesRedisItsAuthIsAnsweredAsTheIssuedUser() throws Exception {
    // redis-cli sends AUTH default wrong-password first; the proxy sends the issued user instead
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of(
                "redis-cli",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(tcpPort),
                "--user",
                "default",
                "--pass",
                "not-a-real-password",
                "--no-auth-warning",
                "ACL",
                "WHOAMI"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output().strip()).startsWith(PREFIX);
    // RESP3: redis-cli -3 says HELLO 3 (with AUTH given a password); the reply is Redis's own
    EdgeFixture.Result r3 =
        EdgeFixture.run(
            List.of(
                "redis-cli",
                "-3",
                "-s",
                socket.toString(),
                "--pass",
                "x",
                "--no-auth-warning",
                "ACL",
                "WHOAMI"));
    assertThat(r3.exit()).as(r3.output()).isZero();
    assertThat(r3.output().strip()).startsWith(PREFIX);
  }

  @Test
  void jedisInResp2AndResp3WithAnyCredentialReadsAndWritesWithinTheIssuedAcl() {
    for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
      try (Jedis j =
          new Jedis(
              new HostAndPort("127.0.0.1", tcpPort),
              DefaultJedisClientConfig.builder()
                  .user("app")
                  .password("whatever")
                  .protocol(protocol)
                  .socketTimeoutMillis(10_000)
                  .build())) {
        j.set(KEYS + "k", "v-" + protocol);
        assertThat(j.get(KEYS + "k")).isEqualTo("v-" + protocol);
        assertThat(
                new String(
                    (byte[]) j.sendCommand(Protocol.Command.ACL, "WHOAMI"), StandardCharsets.UTF_8))
            .startsWith(PREFIX);
        // the issued ACL, not the default user's: other keys are refused by Redis itself
        assertThatThrownBy(() -> j.get("not-ours")).hasMessageContaining("NOPERM");
      }
    }
  }

  @Test
  void aResourceNamingADatabaseNumberIsSelectedByTheAgentsLogin() throws Exception {
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of(
                "redis-cli",
                "-s",
                dir.resolve("redis/db2.sock").toString(),
                "SET",
                KEYS + "in-db2",
                "yes"));
    assertThat(r.output().strip()).as(r.output()).isEqualTo("OK");
    try (Jedis root = root()) {
      assertThat(root.get(KEYS + "in-db2")).isNull();
      root.select(2);
      assertThat(root.get(KEYS + "in-db2")).isEqualTo("yes");
      root.del(KEYS + "in-db2");
    }
  }

  @Test
  void commandsPipelinedBeforeTheLoginAreAnsweredInOrder() throws Exception {
    String replies =
        raw(
            tcpPort,
            "*3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$5\r\nwrong\r\n*1\r\n$4\r\nPING\r\n"
                + "*2\r\n$3\r\nACL\r\n$6\r\nWHOAMI\r\n",
            3);
    assertThat(replies).startsWith("+OK\r\n+PONG\r\n$").contains(PREFIX);
  }

  @Test
  void aProcessNoRegistrationMatchesGetsAnErrorReply() throws Exception {
    Assumptions.assumeTrue(EdgeFixture.root(), "running a client as another user needs root");
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of(
                "runuser",
                "-u",
                "nobody",
                "--",
                "redis-cli",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(tcpPort),
                "PING"));
    assertThat(r.output())
        .contains("ERR Warden: no workload registered on this agent matches the calling process");
  }

  @Test
  void aResourceThePolicyDoesNotGrantIsRefusedWithTheServersReason() throws Exception {
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of("redis-cli", "-s", dir.resolve("redis/other.sock").toString(), "PING"));
    assertThat(r.output())
        .contains("ERR Warden: Warden refused a credential for other-cache")
        .contains("access_denied");
  }

  @Test
  void tlsToARedisWithoutTlsFailsWithTheReasonNotAHang() throws Exception {
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of("redis-cli", "-s", dir.resolve("redis/tls.sock").toString(), "PING"));
    assertThat(r.output())
        .contains("ERR Warden: TLS to redis at 127.0.0.1:6379 failed (upstream-tls=verify-full)");
  }

  @Test
  void theTargetDownGivesAnErrorReplyNotAHang() throws Exception {
    // the first connection caches the credential; then the way to Redis goes away
    EdgeFixture.Result ok =
        EdgeFixture.run(
            List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(flakyPort), "PING"));
    assertThat(ok.output().strip()).isEqualTo("PONG");
    flaky.close();
    long t0 = System.nanoTime();
    String reply = raw(flakyPort, "*1\r\n$4\r\nPING\r\n", 1);
    assertThat(reply)
        .startsWith("-ERR Warden: cannot connect to redis at 127.0.0.1:" + flaky.port())
        .contains("refused");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
  }

  @Test
  void aClientThatClosesMidCommandLeavesTheProxyServing() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.getOutputStream().write("*1\r\n$4\r\nPI".getBytes(StandardCharsets.US_ASCII));
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
    }
    assertThat(raw(tcpPort, "*1\r\n$4\r\nPING\r\n", 1)).isEqualTo("+PONG\r\n");
  }

  @Test
  void garbageAnOversizedBulkOrResetGetAProtocolErrorAndTheConnectionCloses() throws Exception {
    assertThat(raw(tcpPort, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1))
        .isEqualTo(
            "-ERR Protocol error: the Warden proxy takes commands as RESP arrays, not inline\r\n");
    assertThat(raw(tcpPort, "*1\r\n$999999999999\r\n", 1))
        .isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
    assertThat(raw(tcpPort, "*1\r\n$4\r\nPING\r\n*1\r\n$5\r\nRESET\r\n*1\r\n$4\r\nPING\r\n", 2))
        .isEqualTo(
            "+PONG\r\n-ERR RESET would log this connection out of the user Warden issued to the workload; "
                + "reconnect instead\r\n");
  }

  @Test
  void revokingTheLeaseEndsTheProxiedSession() throws Exception {
    try (Jedis j =
        new Jedis(
            new HostAndPort("127.0.0.1", tcpPort),
            DefaultJedisClientConfig.builder().socketTimeoutMillis(10_000).build())) {
      String user =
          new String(
              (byte[]) j.sendCommand(Protocol.Command.ACL, "WHOAMI"), StandardCharsets.UTF_8);
      assertThat(warden.admin("POST", "/v1/leases/" + user + ":revoke", "{}").toString())
          .contains(user);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      boolean ended = false;
      while (!ended && System.nanoTime() < deadline) {
        try {
          j.ping();
          Thread.sleep(100);
        } catch (RuntimeException e) {
          ended = true;
        }
      }
      assertThat(ended).as("the revoked user's session was ended").isTrue();
      // the agent's cached credential is that revoked user: the first login refused drops it, so
      // the
      // connection after gets a new user
      String first = raw(tcpPort, "*2\r\n$3\r\nACL\r\n$6\r\nWHOAMI\r\n", 1);
      String second = raw(tcpPort, "*2\r\n$3\r\nACL\r\n$6\r\nWHOAMI\r\n", 1);
      assertThat(first + second).as(first).contains(PREFIX);
      assertThat(second).doesNotContain(user).contains(PREFIX);
    }
  }

  /**
   * Sends bytes, reads until {@code replies} CR LF-terminated lines (plus bulk bodies) or the
   * close.
   */
  static String raw(int port, String send, int replies) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port));
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(send.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      int lines = 0;
      int lineStart = 0;
      int b;
      while (lines < replies && (b = in.read()) >= 0) {
        got.append((char) b);
        if (b == '\n') {
          if (got.charAt(lineStart) != '$') { // a bulk's length line: its body is the reply
            lines++;
          }
          lineStart = got.length();
        }
      }
      return got.toString();
    }
  }

  static Jedis root() {
    return new Jedis(
        new HostAndPort("127.0.0.1", 6379),
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(3000)
            .socketTimeoutMillis(10_000)
            .build());
  }
}
