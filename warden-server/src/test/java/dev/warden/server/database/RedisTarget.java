package dev.warden.server.database;

import dev.warden.core.database.UserDatabase;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.UsernameTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A target of its own on the test Redis (127.0.0.1:6379, default user without a password): an admin
 * ACL user with only {@code +acl +client +ping}, and issued users that may read and write the keys
 * {@code <prefix>:*}. Issued names start with a per-instance prefix. Deleted on close with every
 * user carrying the prefix. Skipped when Redis is unreachable, unless CI is set.
 */
public final class RedisTarget implements TargetDb {
  static final String HOST = System.getenv().getOrDefault("WARDEN_TEST_REDIS_HOST", "127.0.0.1");
  static final int PORT =
      Integer.parseInt(System.getenv().getOrDefault("WARDEN_TEST_REDIS_PORT", "6379"));

  public final String suffix =
      UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
  public final String admin = "wt_admin_" + suffix;
  public final String prefix = "wr" + suffix + "_";
  public final String keys = "wt" + suffix + ":";
  final RedisUsers users = new RedisUsers(Duration.ofSeconds(3), Duration.ofSeconds(20));

  private RedisTarget() {}

  public static RedisTarget create() {
    RedisTarget t = new RedisTarget();
    try (Jedis j = root()) {
      j.sendCommand(
          Protocol.Command.ACL,
          "SETUSER",
          t.admin,
          "on",
          ">" + INITIAL_ADMIN_PASSWORD,
          "+acl",
          "+client",
          "+ping");
    } catch (RuntimeException e) {
      String message = "Redis is not reachable at " + HOST + ":" + PORT + ": " + e.getMessage();
      if (System.getenv("CI") != null) {
        throw new AssertionError(message + " (failing, not skipping, because CI is set)", e);
      }
      Assumptions.abort(message);
    }
    return t;
  }

  static Jedis root() {
    return new Jedis(
        new HostAndPort(HOST, PORT),
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(3000)
            .socketTimeoutMillis(10_000)
            .build());
  }

  @Override
  public UserDatabase users() {
    return users;
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public DatabaseTarget target(String secretName, int maxLeases) {
    return new DatabaseTarget(
        "redis://" + HOST + ":" + PORT,
        admin,
        secretName,
        List.of(),
        new UsernameTemplate(prefix + "{workload}_{random}"),
        Duration.ofHours(1),
        maxLeases,
        null,
        List.of("~" + keys + "*", "+get", "+set", "+ping"));
  }

  @Override
  public Session connectAs(String user, String password) {
    Jedis j =
        new Jedis(
            new HostAndPort(HOST, PORT),
            DefaultJedisClientConfig.builder()
                .user(user)
                .password(password)
                .connectionTimeoutMillis(3000)
                .socketTimeoutMillis(10_000)
                .build());
    j.ping();
    return new Session() {
      @Override
      public void use() {
        j.set(keys + "ledger", "100");
        j.get(keys + "ledger");
      }

      @Override
      public void close() {
        try {
          j.close();
        } catch (RuntimeException ignored) {
          // already ended by the server
        }
      }
    };
  }

  @Override
  public boolean userExists(String user) {
    try (Jedis j = root()) {
      return j.sendCommand(Protocol.Command.ACL, "GETUSER", user) != null;
    }
  }

  @Override
  public List<String> tagged() {
    List<String> out = new ArrayList<>();
    try (Jedis j = root()) {
      for (Object u : (List<?>) j.sendCommand(Protocol.Command.ACL, "USERS")) {
        String name = SafeEncoder.encode((byte[]) u);
        if (name.startsWith(prefix)) {
          out.add(name);
        }
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public int sessionsOf(String user) {
    try (Jedis j = root()) {
      int n = 0;
      for (String line :
          SafeEncoder.encode((byte[]) j.sendCommand(Protocol.Command.CLIENT, "LIST")).split("\n")) {
        if ((" " + line + " ").contains(" user=" + user + " ")) {
          n++;
        }
      }
      return n;
    }
  }

  @Override
  public void createForeignUser(String name, boolean tagged) {
    try (Jedis j = root()) {
      j.sendCommand(Protocol.Command.ACL, "SETUSER", name, "on", ">x", "+ping");
    }
  }

  @Override
  public void createStaticAccount(String name, String password) {
    try (Jedis j = root()) {
      j.sendCommand(Protocol.Command.ACL, "SETUSER", name, "on", ">" + password, "+ping");
    }
  }

  @Override
  public void dropForeignUser(String name) {
    try (Jedis j = root()) {
      j.sendCommand(Protocol.Command.ACL, "DELUSER", name);
    }
  }

  @Override
  public void close() {
    try (Jedis j = root()) {
      for (String u : tagged()) {
        j.sendCommand(Protocol.Command.ACL, "DELUSER", u);
      }
      j.sendCommand(Protocol.Command.ACL, "DELUSER", admin);
    }
  }
}
