package dev.warden.store;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells a node, within milliseconds, that another node committed a change it caches: configuration,
 * signing keys, CA authorities. On PostgreSQL one connection of its own (outside the pool, which
 * would recycle it) runs {@code LISTEN warden_changes}; a trigger on {@code change_counters} sends
 * the notification, which PostgreSQL delivers only once the change commits.
 *
 * <p>The feed only wakes the node's reload, which then compares the counters: a notification
 * carries no data to trust, a lost one costs only delay, and the node's poll of the counters stays
 * the fallback. When the connection breaks the feed reconnects with backoff and wakes the reload at
 * once on every (re)connect, so a change committed while nobody listened is picked up then rather
 * than at the next poll. On the embedded H2 store (one node) there is nothing to listen to and the
 * feed is {@linkplain State#NONE idle}.
 *
 * <p>{@link #status()} says whether it listens, for readiness and metrics; the methods never throw.
 */
public final class ChangeFeed implements AutoCloseable {
  /** The channel the {@code change_counters} trigger notifies (migration V17). */
  static final String CHANNEL = "warden_changes";

  /** How the listening connection names itself in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "warden-change-feed";

  private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
  // with no notification for this long the connection is pinged: a peer that vanished without a
  // FIN (a host gone, a network cut) is found by a failing query, not by waiting for keepalives
  private static final int PING_AFTER_MILLIS = 5_000;
  private static final long FIRST_RETRY_MILLIS = 100;
  private static final long MAX_RETRY_MILLIS = 5_000;

  /** Whether the feed listens. */
  public enum State {
    /** Notifications arrive: changes from other nodes are seen within milliseconds. */
    LISTENING,
    /** The listening connection is down and being retried: changes are seen at the next poll. */
    RECONNECTING,
    /** Nothing to listen to (the embedded store serves one node), or closed. */
    NONE
  }

  /**
   * @param state whether it listens
   * @param detail why not, when it does not (a database error, without secrets); null when
   *     listening
   */
  public record Status(State state, @Nullable String detail) {}

  private final @Nullable String url;
  private final @Nullable Properties props;
  private final @Nullable String where;
  private final Runnable onChange;
  private final InstantSource clock;
  private final Thread thread;
  private volatile Status status;
  private volatile boolean closed;
  private volatile @Nullable Connection connection;
  // the id of the current unbroken span of listening, -1 while not listening (see session())
  private volatile long session = -1;
  private long sessions;

  private ChangeFeed(
      @Nullable String url,
      @Nullable Properties props,
      @Nullable String where,
      Runnable onChange,
      InstantSource clock) {
    this.url = url;
    this.props = props;
    this.where = where;
    this.onChange = onChange;
    this.clock = clock;
    this.status = new Status(State.RECONNECTING, "not connected yet");
    this.thread = Thread.ofPlatform().name("warden-change-feed").daemon(true).unstarted(this::run);
  }

  /** A feed with nothing to listen to. */
  static ChangeFeed none(String why) {
    ChangeFeed f = new ChangeFeed(null, null, null, () -> {}, InstantSource.system());
    f.status = new Status(State.NONE, why);
    f.closed = true;
    f.session = 0; // one node: its own changes reach its caches directly
    return f;
  }

  /**
   * Starts listening on PostgreSQL; {@code onChange} runs on the feed's thread and must return
   * quickly.
   */
  static ChangeFeed start(
      StoreConfig config, Dialect dialect, Runnable onChange, InstantSource clock) {
    Properties p = new Properties();
    p.putAll(dialect.driverProperties());
    p.setProperty("ApplicationName", APPLICATION_NAME);
    p.setProperty("user", config.user());
    if (config.password() != null) {
      p.setProperty("password", config.password());
    }
    ChangeFeed f = new ChangeFeed(config.url(), p, config.redactedUrl(), onChange, clock);
    f.thread.start();
    return f;
  }

  /** Whether notifications arrive now. */
  public Status status() {
    return status;
  }

  /**
   * The id of the current unbroken span over which every change committed on any node is notified
   * here: a new id each time {@code LISTEN} takes effect, -1 while the connection is down. A cache
   * that is dropped on every notification may keep values only within one span (decision 662). On
   * the embedded store (one node, whose own changes reach its caches directly) it is always 0.
   */
  public long session() {
    return session;
  }

  private void run() {
    long retry = FIRST_RETRY_MILLIS;
    java.time.Instant downSince = null;
    while (!closed) {
      try (Connection c = connect()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        session = ++sessions;
        status = new Status(State.LISTENING, null);
        if (downSince != null) {
          LOG.log(
              System.Logger.Level.INFO,
              "change notifications from "
                  + where
                  + " resumed after "
                  + Duration.between(downSince, clock.instant()).toMillis()
                  + " ms");
          downSince = null;
        }
        retry = FIRST_RETRY_MILLIS;
        // whatever committed before LISTEN took effect was not notified: look now
        wake();
        listen(c, pg);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        String why =
            "cannot listen for changes on "
                + where
                + " ("
                + StoreConfig.redact(String.valueOf(e.getMessage()))
                + "); changes made on other nodes are picked up by the poll (reload.interval) until it reconnects";
        if (downSince == null) {
          downSince = clock.instant();
          LOG.log(System.Logger.Level.WARNING, why);
        }
        status = new Status(State.RECONNECTING, why);
      } finally {
        session = -1;
        connection = null;
      }
      sleep(retry);
      retry = Math.min(MAX_RETRY_MILLIS, retry * 2);
    }
    status = new Status(State.NONE, "closed");
  }

  private void listen(Connection c, PGConnection pg) throws SQLException {
    while (!closed) {
      PGNotification[] got = pg.getNotifications(PING_AFTER_MILLIS);
      if (got != null && got.length > 0) {
        wake();
      } else {
        try (Statement s = c.createStatement()) {
          s.setQueryTimeout(PING_AFTER_MILLIS / 1000);
          s.execute("SELECT 1");
        }
      }
    }
  }

  private Connection connect() throws SQLException {
    Driver d = new org.postgresql.Driver();
    Connection c = d.connect(url, props);
    if (c == null) {
      throw new SQLException("the PostgreSQL driver does not accept " + where);
    }
    return c;
  }

  private void wake() {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "change notification handler failed: " + e.getMessage());
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // close() interrupts: the loop checks closed
    }
  }

  /** Stops listening and closes the connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Connection c = connection;
    if (c != null) {
      try {
        // closes the socket at once, breaking a blocked getNotifications (close() would wait for
        // it)
        c.abort(Runnable::run);
      } catch (SQLException e) {
        // closing anyway
      }
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
