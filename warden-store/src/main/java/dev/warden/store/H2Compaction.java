package dev.warden.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the embedded H2 file near the size of its live data.
 *
 * <p>Every durable commit writes a new chunk to the file (a grant's audit event and lease: 20–50 KB
 * of pages). H2 reuses a chunk's space only once every page in it is dead, and it moves the live
 * pages out of mostly-dead chunks only from its background writer while the database is idle —
 * which a busy server never is. Without this the file grew by 24–48 KB per commit and never reused
 * any of it (4.7 GB after 150,000 grants). Once a second this rewrites the live pages of the
 * emptiest chunks, {@link #WRITE_LIMIT_BYTES} at a time for up to {@link #BUDGET}, so their space
 * is freed and reused.
 *
 * <p>It also shortens H2's {@code RETENTION_TIME} from 45 s to {@link #RETENTION}: H2 keeps a dead
 * chunk's space for that long as a margin for stores that leave flushing to the operating system.
 * This store fsyncs every commit before it answers (see {@link Dialect}), so the margin only has to
 * cover one fsync, and a busy server no longer carries 45 s of chunks (gigabytes) in its file.
 */
final class H2Compaction implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(H2Compaction.class.getName());

  /** How long H2 keeps the space of a dead chunk; far longer than one fsync takes. */
  static final Duration RETENTION = Duration.ofSeconds(5);

  /** Chunks less full than this (percent live) are rewritten. */
  static final int TARGET_FILL_RATE = 90;

  /** Live bytes rewritten per step, so a step holds commits back for milliseconds, not seconds. */
  static final int WRITE_LIMIT_BYTES = 4 << 20;

  static final Duration PERIOD = Duration.ofSeconds(1);

  /** Time one run may spend rewriting: a tenth of a core at most. */
  static final Duration BUDGET = Duration.ofMillis(100);

  private final HikariDataSource pool;
  private final ScheduledExecutorService timer;
  private volatile boolean warned;

  private H2Compaction(HikariDataSource pool) {
    this.pool = pool;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warden-store-compaction").daemon().unstarted(r));
  }

  /** Sets the retention time and starts compacting in the background. */
  static H2Compaction start(HikariDataSource pool) throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET RETENTION_TIME " + RETENTION.toMillis());
    }
    H2Compaction compaction = new H2Compaction(pool);
    compaction.timer.scheduleWithFixedDelay(
        compaction::runQuietly, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return compaction;
  }

  private void runQuietly() {
    try {
      runOnce();
      warned = false;
    } catch (SQLException | RuntimeException e) {
      // a full disk or a database closed by H2 after a failed write: the store reports that to
      // its callers and recovers by itself; say it here once, not every second
      if (!warned) {
        warned = true;
        LOG.log(
            System.Logger.Level.WARNING,
            "could not compact the embedded database file: "
                + e.getMessage()
                + " (retried every "
                + PERIOD.toSeconds()
                + " s)");
      }
    }
  }

  /**
   * Rewrites the live pages of the emptiest chunks for up to {@link #BUDGET}.
   *
   * @return true when a chunk was rewritten
   */
  boolean runOnce() throws SQLException {
    // asked through a pooled connection each time: after a disk-full error H2 closes the database
    // and the pool opens it again, with a new MVStore
    try (Connection c = pool.getConnection()) {
      MVStore store = mvStore(c);
      if (store == null) {
        return false;
      }
      // rewrite in steps of WRITE_LIMIT_BYTES, each under H2's store lock and with commits going
      // on in between, until the chunks are full enough or this run's time is up
      boolean rewrote = false;
      long deadline = System.nanoTime() + BUDGET.toNanos();
      while (!store.isClosed()
          && System.nanoTime() < deadline
          && store.compact(TARGET_FILL_RATE, WRITE_LIMIT_BYTES)) {
        rewrote = true;
      }
      return rewrote;
    }
  }

  /** The MVStore under an embedded connection; null for a connection to an H2 server. */
  static @Nullable MVStore mvStore(Connection c) throws SQLException {
    if (c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local) {
      var store = local.getDatabase().getStore();
      return store == null ? null : store.getMvStore();
    }
    return null;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
