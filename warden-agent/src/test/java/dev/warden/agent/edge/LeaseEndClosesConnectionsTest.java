package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.edge.ProxySpec;
import java.nio.file.Path;
import java.util.List;
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

/**
 * When a lease ends, the agent closes the proxied connections logged in with its credential by
 * itself — here with the server's reaper effectively off, so the target never hears of the
 * revocation and the user still exists there: only the agent can have ended the session.
 */
class LeaseEndClosesConnectionsTest {
  static final String SFX = UUID.randomUUID().toString().substring(0, 8);
  static final String ADMIN = "lec_admin_" + SFX;
  static final String PREFIX = "lec" + SFX + "_";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static int port;

  static Jedis root() {
    return new Jedis("127.0.0.1", 6379);
  }

  @BeforeAll
  static void start() throws Exception {
    try (Jedis root = root()) {
      root.sendCommand(
          Protocol.Command.ACL, "SETUSER", ADMIN, "on", ">admin-pw", "+acl", "+client", "+ping");
    } catch (RuntimeException e) {
      Assumptions.abort("Redis is not reachable at 127.0.0.1:6379: " + e.getMessage());
    }
    warden = EdgeFixture.start(dir, Map.of("databases.reapInterval", "1h"));
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
                        List.of("~lec:*", "+get", "+set", "+ping", "+acl|whoami"),
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
    port = EdgeFixture.freePort();
    warden.startAgent(
        List.of(
            ProxySpec.parse(
                "redis:resource=cache,listen=127.0.0.1:" + port + ",upstream-tls=disable")));
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
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

  static Jedis proxied() {
    return new Jedis(
        new HostAndPort("127.0.0.1", port),
        DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
  }

  @Test
  void revokingALeaseClosesItsProxiedConnectionsAndTheNextConnectionGetsANewCredential()
      throws Exception {
    String user;
    try (Jedis j = proxied()) {
      user = j.aclWhoAmI();
      assertThat(user).startsWith(PREFIX);
      warden.admin("POST", "/v1/leases/" + user + ":revoke", "{}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          j.ping();
          Thread.sleep(100);
        } catch (RuntimeException e) {
          closed = true;
        }
      }
      assertThat(closed).as("the agent closed the connection of the revoked lease").isTrue();
    }
    try (Jedis root = root()) {
      assertThat(root.aclUsers())
          .as("the target never heard of the revocation: the user is still there")
          .contains(user);
    }
    var event =
        warden.awaitEvent(
            "connection.closed", e -> user.equals(e.path("details").path("leaseId").asText()));
    assertThat(event.path("reason").asText()).isEqualTo("ended");
    try (Jedis j = proxied()) {
      assertThat(j.aclWhoAmI())
          .as("a new credential, not the revoked one")
          .startsWith(PREFIX)
          .isNotEqualTo(user);
    }
  }
}
