package dev.warden.core.auditstream;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.ChainHead;
import dev.warden.core.checkpoint.Checkpointer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Copies the audit log to one {@link AuditSink}, in chain order and at least once, on a thread of
 * its own and never on the request path: a sink that is down delays only the copy, never a grant.
 *
 * <p>Design note. The log itself is the outbox: each turn reads the events after the sink's cursor
 * ({@link AuditSinkStore}), hands them to the sink with a checkpoint signed over the last one, and
 * moves the cursor only once the sink returned (its far end acknowledged everything). A crash
 * between the two re-sends that batch, which the sink de-duplicates by sequence number. One node at
 * a time drains a sink: the one holding its lease, renewed each turn while less than half of it is
 * left; a node that stops gives the lease up, one that dies loses it after {@code leaseTtl}. A
 * failing sink is retried with a doubling pause up to {@code maxBackoff}, logged when it starts and
 * ends failing (and once a minute between). Every node keeps the sink's backlog (head − cursor) for
 * {@code /metrics}, whether or not it drains.
 */
public final class AuditStreamer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AuditStreamer.class.getName());
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /**
   * @param batch most events per publish
   * @param interval pause between turns when the sink is caught up (how far behind a quiet log the
   *     sink may be)
   * @param leaseTtl how long a lease lasts unless renewed; above the clock skew between nodes
   * @param maxBackoff longest pause between attempts at a failing sink
   */
  public record Settings(int batch, Duration interval, Duration leaseTtl, Duration maxBackoff) {
    /**
     * @throws IllegalArgumentException when a value is out of range
     */
    public Settings {
      if (batch < 1) {
        throw new IllegalArgumentException("batch must be 1 or more, got " + batch);
      }
      if (interval.isNegative()
          || interval.isZero()
          || leaseTtl.compareTo(interval.multipliedBy(4)) < 0) {
        throw new IllegalArgumentException(
            "interval must be positive and leaseTtl at least 4 intervals");
      }
      if (maxBackoff.compareTo(interval) < 0) {
        throw new IllegalArgumentException("maxBackoff must be at least the interval");
      }
    }
  }

  private final AuditSink sink;
  private final AuditStore audit;
  private final AuditSinkStore cursors;
  private final Checkpointer checkpoints;
  private final Clock clock;
  private final String node;
  private final Settings settings;
  private final Thread thread;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;
  private volatile long backlog;
  private volatile long cursor;
  private volatile boolean holding;

  /** The cursor as this node last wrote it; null until read after taking the lease. */
  private @Nullable Long ownCursor;

  private Instant leaseUntil = Instant.EPOCH;

  private AuditStreamer(
      AuditSink sink,
      AuditStore audit,
      AuditSinkStore cursors,
      Checkpointer checkpoints,
      Clock clock,
      String node,
      Settings settings) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.audit = audit;
    this.cursors = cursors;
    this.checkpoints = checkpoints;
    this.clock = clock;
    this.node = Objects.requireNonNull(node, "node");
    this.settings = settings;
    this.thread =
        Thread.ofPlatform()
            .name("warden-audit-stream-" + sink.name())
            .daemon(true)
            .unstarted(this::run);
  }

  /**
   * Starts copying the log to {@code sink} on a thread of its own.
   *
   * @param node this node's name in the lease, unique among the nodes
   */
  public static AuditStreamer start(
      AuditSink sink,
      AuditStore audit,
      AuditSinkStore cursors,
      Checkpointer checkpoints,
      Clock clock,
      String node,
      Settings settings) {
    AuditStreamer s = new AuditStreamer(sink, audit, cursors, checkpoints, clock, node, settings);
    s.thread.start();
    return s;
  }

  public String sink() {
    return sink.name();
  }

  /**
   * Events written and not yet acknowledged by the sink: read now from the store (head − cursor),
   * so that every node shows it and no scrape sees a turn's stale figure; the last turn's figure
   * when the store cannot be read.
   */
  public long backlog() {
    try {
      long b = Math.max(0, audit.head().seq() - cursors.state(sink.name()).ackedSeq());
      backlog = b;
      return b;
    } catch (RuntimeException e) {
      return backlog;
    }
  }

  /** The last sequence number the sink acknowledged, as of the last turn. */
  public long cursor() {
    return cursor;
  }

  /** True when this node drains the sink. */
  public boolean holding() {
    return holding;
  }

  /** Events this node published and the sink acknowledged, since start. */
  public long published() {
    return published.get();
  }

  /** Failed attempts at the sink since start. */
  public long failures() {
    return failures.get();
  }

  private void run() {
    long pauseMs = settings.interval().toMillis();
    long backoffMs = pauseMs;
    long failingSince = 0;
    long lastLogged = 0;
    while (!closed) {
      try {
        boolean more = turn();
        if (failingSince != 0) {
          LOG.log(
              System.Logger.Level.INFO,
              "audit stream "
                  + sink.name()
                  + ": delivering again after "
                  + (System.nanoTime() - failingSince) / 1_000_000
                  + " ms of failures");
          failingSince = 0;
        }
        backoffMs = pauseMs;
        if (!more) {
          sleep(pauseMs);
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          break;
        }
        failures.incrementAndGet();
        long now = System.nanoTime();
        if (failingSince == 0 || now - lastLogged > LOG_EVERY_NANOS) {
          LOG.log(
              System.Logger.Level.WARNING,
              "audit stream "
                  + sink.name()
                  + ": "
                  + e.getMessage()
                  + " (backlog "
                  + backlog
                  + " events; retrying, grants are not affected)");
          lastLogged = now;
        }
        if (failingSince == 0) {
          failingSince = now;
        }
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, settings.maxBackoff().toMillis());
      }
    }
  }

  /**
   * One turn: keep the lease, publish the next batch after the cursor, move the cursor.
   *
   * @return true when a full batch went out, so more may be waiting
   */
  boolean turn() throws IOException {
    ChainHead head = audit.head();
    if (!holdLease()) {
      holding = false;
      ownCursor = null;
      long c = cursors.state(sink.name()).ackedSeq();
      cursor = c;
      backlog = Math.max(0, head.seq() - c);
      return false;
    }
    holding = true;
    if (ownCursor == null) {
      ownCursor = cursors.state(sink.name()).ackedSeq();
    }
    long from = ownCursor;
    cursor = from;
    backlog = Math.max(0, head.seq() - from);
    if (from >= head.seq()) {
      return false;
    }
    List<AuditRecord> batch = audit.readChain(from + 1, settings.batch());
    if (batch.isEmpty()) {
      return false;
    }
    if (batch.getFirst().seq() != from + 1) {
      LOG.log(
          System.Logger.Level.ERROR,
          "audit stream "
              + sink.name()
              + ": events "
              + (from + 1)
              + ".."
              + (batch.getFirst().seq() - 1)
              + " are not in the log; streaming on from "
              + batch.getFirst().seq()
              + " (run 'warden audit verify')");
    }
    sink.publish(batch, checkpoints.sign(batch.getLast()));
    long last = batch.getLast().seq();
    if (!cursors.advance(sink.name(), node, last)) {
      // another node took the lease while this batch was out: it re-sends from the cursor it read
      holding = false;
      ownCursor = null;
      leaseUntil = Instant.EPOCH;
      return false;
    }
    ownCursor = last;
    published.addAndGet(batch.size());
    cursor = last;
    backlog = Math.max(0, head.seq() - last);
    return batch.size() == settings.batch();
  }

  private boolean holdLease() {
    Instant now = clock.instant();
    if (leaseUntil.minus(settings.leaseTtl().dividedBy(2)).isAfter(now)) {
      return true;
    }
    Instant until = now.plus(settings.leaseTtl());
    if (cursors.lease(sink.name(), node, now, until)) {
      leaseUntil = until;
      return true;
    }
    leaseUntil = Instant.EPOCH;
    return false;
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      // only close() interrupts this thread; the loop sees closed and ends
    }
  }

  /** Stops after the current turn, gives the lease up and closes the sink. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      cursors.release(sink.name(), node);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "audit stream " + sink.name() + ": could not give up the lease: " + e.getMessage());
    }
    sink.close();
  }
}
