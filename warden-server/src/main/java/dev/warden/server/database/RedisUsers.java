package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.UserDatabase;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Dynamic Redis ACL users, through Jedis.
 *
 * <p>Design note. A user is created by one {@code ACL SETUSER name reset on #sha256 rules...}:
 * atomic, starting from nothing ({@code reset}), with the password sent only as its SHA-256 (the
 * form Redis stores). Redis users carry no tags and never expire, so the tag is the name (the
 * template's literal prefix and shape) and the reaper is the only path to expiry. Removal turns the
 * user off (no new logins), kills its connections ({@code CLIENT KILL USER}) and deletes it. {@code
 * rediss://} targets are reached over TLS with the JVM's trust store and host-name verification.
 */
public final class RedisUsers implements UserDatabase {
  private final Duration connectTimeout;
  private final Duration socketTimeout;

  public RedisUsers(Duration connectTimeout, Duration socketTimeout) {
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
  }

  @Override
  public void verify(DatabaseTarget t, Secret adminPassword) {
    try (Jedis j = connect(t, adminPassword)) {
      String who = text(j.sendCommand(Protocol.Command.ACL, "WHOAMI"));
      for (String[] probe :
          List.of(
              new String[] {"ACL", "SETUSER", "warden-probe"},
              new String[] {"ACL", "DELUSER", "warden-probe"},
              new String[] {"CLIENT", "KILL", "USER", "warden-probe"})) {
        String[] args = new String[probe.length + 2];
        args[0] = "DRYRUN";
        args[1] = who;
        System.arraycopy(probe, 0, args, 2, probe.length);
        String answer = text(j.sendCommand(Protocol.Command.ACL, args));
        if (!"OK".equals(answer)) {
          throw new ValidationException(
              "spec.database.adminUser",
              "'"
                  + t.adminUser()
                  + "' may not run "
                  + String.join(" ", probe).replace(" warden-probe", "")
                  + " on "
                  + t.where()
                  + "; give it +acl and"
                  + " +client (e.g. ACL SETUSER "
                  + t.adminUser()
                  + " +acl +client)");
        }
      }
    } catch (JedisException e) {
      throw EngineFailures.cannotManage(t, field(e), reason(e));
    }
  }

  @Override
  public void createUser(
      DatabaseTarget t,
      Secret adminPassword,
      String username,
      Secret password,
      Instant validUntil) {
    Jedis jedis = open(t, adminPassword);
    boolean sent = false;
    try (Jedis j = jedis) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "SETUSER", username, "reset", "on", "#" + PasswordDigest.sha256Hex(password)));
      args.addAll(t.acl());
      sent = true;
      j.sendCommand(Protocol.Command.ACL, args.toArray(String[]::new));
    } catch (JedisException e) {
      boolean maybe = sent && e instanceof JedisConnectionException;
      throw EngineFailures.createFailed(
          t, reason(e), maybe ? EngineFailures.REAPER_REMOVES_IT : null, e);
    }
  }

  @Override
  public Removal removeUser(DatabaseTarget t, Secret adminPassword, String username) {
    NameTag.require(t, username);
    Jedis jedis = open(t, adminPassword);
    try (Jedis j = jedis) {
      if (j.sendCommand(Protocol.Command.ACL, "GETUSER", username) == null) {
        return Removal.ABSENT;
      }
      j.sendCommand(Protocol.Command.ACL, "SETUSER", username, "off");
      j.sendCommand(Protocol.Command.CLIENT, "KILL", "USER", username);
      j.sendCommand(Protocol.Command.ACL, "DELUSER", username);
      return Removal.DROPPED;
    } catch (JedisException e) {
      throw EngineFailures.removeFailed(t, username, reason(e), e);
    }
  }

  /**
   * {@link #removeUser} for many users with two pipelined round trips: which exist; then, for
   * those, {@code off}, {@code CLIENT KILL USER} each, and one {@code ACL DELUSER} of all. A name
   * the template does not make is left out (and untouched): removing it alone reports it.
   */
  @Override
  public Map<String, Removal> removeUsers(
      DatabaseTarget t, Secret adminPassword, List<String> usernames) {
    List<String> ours = NameTag.ours(t, usernames);
    if (ours.size() < 2) {
      return UserDatabase.super.removeUsers(t, adminPassword, usernames);
    }
    Jedis jedis = open(t, adminPassword);
    try (Jedis j = jedis) {
      Map<String, Removal> out = new LinkedHashMap<>();
      List<String> present = new ArrayList<>();
      try (redis.clients.jedis.Pipeline p = j.pipelined()) {
        List<redis.clients.jedis.Response<Object>> found = new ArrayList<>();
        for (String u : ours) {
          found.add(p.sendCommand(Protocol.Command.ACL, "GETUSER", u));
        }
        p.sync();
        for (int i = 0; i < ours.size(); i++) {
          out.put(ours.get(i), Removal.ABSENT);
          if (found.get(i).get() != null) {
            present.add(ours.get(i));
          }
        }
      }
      if (present.isEmpty()) {
        return out;
      }
      try (redis.clients.jedis.Pipeline p = j.pipelined()) {
        List<redis.clients.jedis.Response<Object>> replies = new ArrayList<>();
        for (String u : present) {
          replies.add(p.sendCommand(Protocol.Command.ACL, "SETUSER", u, "off"));
        }
        for (String u : present) {
          replies.add(p.sendCommand(Protocol.Command.CLIENT, "KILL", "USER", u));
        }
        List<String> del = new ArrayList<>(List.of("DELUSER"));
        del.addAll(present);
        replies.add(p.sendCommand(Protocol.Command.ACL, del.toArray(String[]::new)));
        p.sync();
        for (redis.clients.jedis.Response<Object> r : replies) {
          r.get(); // an error reply throws here
        }
      }
      present.forEach(u -> out.put(u, Removal.DROPPED));
      return out;
    } catch (JedisException e) {
      throw EngineFailures.removeAllFailed(t, ours.size(), reason(e), e);
    }
  }

  @Override
  public List<String> markedUsers(DatabaseTarget t, Secret adminPassword) {
    Jedis jedis = open(t, adminPassword);
    try (Jedis j = jedis) {
      String prefix = t.usernameTemplate().prefix();
      List<String> out = new ArrayList<>();
      Object users = j.sendCommand(Protocol.Command.ACL, "USERS");
      if (users instanceof List<?> list) {
        for (Object u : list) {
          String name = text(u);
          if (name.startsWith(prefix)) {
            out.add(name);
          }
        }
      }
      out.sort(null);
      return out;
    } catch (JedisException e) {
      throw EngineFailures.listFailed(t, reason(e), e);
    }
  }

  @Override
  public void setPassword(DatabaseTarget t, Secret adminPassword, String account, Secret password) {
    NameTag.requireStatic(t, account);
    Jedis jedis = open(t, adminPassword);
    try (Jedis j = jedis) {
      if (j.sendCommand(Protocol.Command.ACL, "GETUSER", account) == null) {
        throw EngineFailures.noSuchAccount(t, "ACL user", account);
      }
      j.sendCommand(
          Protocol.Command.ACL,
          "SETUSER",
          account,
          "resetpass",
          "#" + PasswordDigest.sha256Hex(password));
      saveAclFile(j);
    } catch (JedisException e) {
      throw EngineFailures.setPasswordFailed(t, account, reason(e), true, e);
    }
  }

  @Override
  public void changeAdminPassword(DatabaseTarget t, Secret current, Secret next) {
    Jedis jedis = open(t, current);
    try (Jedis j = jedis) {
      j.sendCommand(
          Protocol.Command.ACL,
          "SETUSER",
          t.adminUser(),
          "resetpass",
          "#" + PasswordDigest.sha256Hex(next));
      saveAclFile(j);
    } catch (JedisException e) {
      throw EngineFailures.adminPasswordFailed(t, reason(e), e);
    }
  }

  /**
   * Persists the ACL when the server keeps it in an ACL file; a server configured without one keeps
   * users in memory only, which is documented (a restart there forgets a rotated password).
   */
  private static void saveAclFile(Jedis j) {
    try {
      j.sendCommand(Protocol.Command.ACL, "SAVE");
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().contains("ACL file")) {
        throw e;
      }
    }
  }

  private Jedis connect(DatabaseTarget t, Secret password) {
    boolean tls = t.url().startsWith("rediss://");
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .user(t.adminUser())
            .password(password.reveal())
            .connectionTimeoutMillis((int) Math.max(1000, connectTimeout.toMillis()))
            .socketTimeoutMillis((int) Math.max(1000, socketTimeout.toMillis()))
            .clientName("warden")
            .ssl(tls);
    if (tls) {
      SSLParameters params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      config.sslParameters(params);
    }
    Jedis j = new Jedis(new HostAndPort(t.host(), t.port()), config.build());
    try {
      j.ping();
      return j;
    } catch (RuntimeException e) {
      j.close();
      throw e;
    }
  }

  private Jedis open(DatabaseTarget t, Secret password) {
    try {
      return connect(t, password);
    } catch (JedisException e) {
      throw EngineFailures.unreachable(t, reason(e), e);
    }
  }

  private static String text(Object reply) {
    if (reply instanceof byte[] b) {
      return SafeEncoder.encode(b);
    }
    return reply == null ? "" : reply.toString();
  }

  /** What went wrong; Redis errors name a command or a user, never a password. */
  static String reason(JedisException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    m = m.length() > 200 ? m.substring(0, 200) : m;
    if (e instanceof JedisAccessControlException) {
      return "the login was refused (" + m + ")";
    }
    if (e instanceof JedisConnectionException) {
      return "cannot connect (" + m + ")";
    }
    if (m.toUpperCase(Locale.ROOT).startsWith("NOPERM")) {
      return "permission denied (" + m + ")";
    }
    return "Redis refused (" + m + ")";
  }

  private static String field(JedisException e) {
    return e instanceof JedisAccessControlException
        ? "spec.database.adminPasswordSecret"
        : e instanceof JedisConnectionException ? "spec.database.url" : "spec.database.adminUser";
  }
}
