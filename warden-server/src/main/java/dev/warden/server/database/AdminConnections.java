package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Idle admin connections to targets, kept for reuse: opening one costs a TCP handshake and a SCRAM
 * exchange (thousands of hash iterations on both sides), which dominated each issuance and removal.
 * Connections are keyed by URL, admin user and a hash of the password, so a rotated password never
 * reuses a connection authenticated with the old one; they are checked before reuse, returned only
 * with no transaction open, and closed after {@link #maxIdle} unused or {@link #maxAge} in all (a
 * password changed outside Warden is noticed within that time). Checking that a password works
 * ({@code verify}) always opens a new connection.
 */
final class AdminConnections {
  /** Opens a new connection. */
  interface Opener {
    Connection open() throws SQLException;
  }

  private record Key(String url, String user, String passwordHash) {}

  private record Idle(Connection connection, long born, long since) {}

  private final Map<Key, ConcurrentLinkedDeque<Idle>> idle = new ConcurrentHashMap<>();
  private final int maxIdlePerTarget;
  private final long maxIdle;
  private final long maxAge;

  AdminConnections(int maxIdlePerTarget, Duration maxIdle, Duration maxAge) {
    this.maxIdlePerTarget = maxIdlePerTarget;
    this.maxIdle = maxIdle.toNanos();
    this.maxAge = maxAge.toNanos();
  }

  /**
   * A connection for {@code url} as {@code user}: a kept one that still works, else a new one.
   * Close it to give it back.
   */
  Connection borrow(String url, String user, Secret password, Opener opener) throws SQLException {
    Key key = new Key(url, user, PasswordDigest.sha256Hex(password));
    ConcurrentLinkedDeque<Idle> q = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    long now = System.nanoTime();
    for (Idle i = q.pollFirst(); i != null; i = q.pollFirst()) {
      if (now - i.since() < maxIdle && now - i.born() < maxAge && valid(i.connection())) {
        return lend(q, i.connection(), i.born());
      }
      quietlyClose(i.connection());
    }
    return lend(q, opener.open(), now);
  }

  /** Closes every kept connection. */
  void closeAll() {
    idle.values()
        .forEach(
            q -> {
              for (Idle i = q.pollFirst(); i != null; i = q.pollFirst()) {
                quietlyClose(i.connection());
              }
            });
  }

  private Connection lend(ConcurrentLinkedDeque<Idle> q, Connection real, long born) {
    boolean[] closed = {false};
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            if (!closed[0]) {
              closed[0] = true;
              giveBack(q, real, born);
            }
            return null;
          }
          if (method.getName().equals("isClosed") && method.getParameterCount() == 0) {
            return closed[0] || real.isClosed();
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  private void giveBack(ConcurrentLinkedDeque<Idle> q, Connection c, long born) {
    try {
      if (c.isClosed()) {
        return;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      if (q.size() < maxIdlePerTarget && System.nanoTime() - born < maxAge) {
        q.addFirst(new Idle(c, born, System.nanoTime()));
        return;
      }
    } catch (SQLException e) {
      // broken: not kept
    }
    quietlyClose(c);
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void quietlyClose(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // already gone
    }
  }
}
