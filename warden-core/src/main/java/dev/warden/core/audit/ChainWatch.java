package dev.warden.core.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * Follows the audit log from its first event: re-checks every hash link (so a change anywhere in
 * the history shows as "broken at event N"), and tallies issuances, denials and revocations per
 * hour for the last {@code window}. What a console or a report shows about the log's integrity and
 * its recent rates is read from here, never by scanning the log per request.
 *
 * <p>Design note: one reader per node, run on a timer; the first pass reads the whole history in
 * the background (like the posture index's first read), later passes read only what was appended.
 * Counts before {@code window} are dropped as the hour they belong to falls out of it.
 *
 * <p>The first pass can give way (decision 023): below 100 {@code firstPassPercent}, after each
 * full batch it pauses in proportion to the time that batch took to read and verify, so that it is
 * at work at most that share of the time. The server's default is 100 (no pause): measured at ten
 * million events, pacing did not make pages faster after a start. Once it has reached the end of
 * the log, later passes (a few new events each) never pause.
 */
public final class ChainWatch {
  /**
   * What the watch has checked: the chain verifies from event 1 through {@code verifiedThrough}.
   */
  public record Status(
      long verifiedThrough,
      @Nullable Instant verifiedAt,
      @Nullable Instant lastEventTime,
      long brokenAt,
      @Nullable String problem,
      boolean caughtUp) {
    /** True while no link failed. */
    public boolean intact() {
      return brokenAt == 0;
    }
  }

  /** One hour's counts. */
  public record Hour(Instant start, long issued, long denied, long revoked) {}

  private static final int ISSUED = 0;
  private static final int DENIED = 1;
  private static final int REVOKED = 2;

  private final AuditStore store;
  private final Clock clock;
  private final Duration window;
  private final int batch;
  private final int firstPassPercent;
  private final Pauses pauses;
  private final ConcurrentSkipListMap<Long, AtomicLongArray> hours = new ConcurrentSkipListMap<>();
  private volatile Status status = new Status(0, null, null, 0, null, false);
  private final java.util.concurrent.locks.ReentrantLock lock =
      new java.util.concurrent.locks.ReentrantLock();
  private long nextSeq = 1;
  private byte[] prevHash = AuditChain.GENESIS;

  /**
   * How the watch times its own work and pauses: the system's monotonic clock and sleep, or a
   * test's fake.
   */
  interface Pauses {
    long nanoTime();

    void sleep(long nanos) throws InterruptedException;

    Pauses SYSTEM =
        new Pauses() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleep(long nanos) throws InterruptedException {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
          }
        };
  }

  /**
   * A watch whose first pass never pauses.
   *
   * @param window how far back the hourly counts go
   * @param batch how many events one read takes
   */
  public ChainWatch(AuditStore store, Clock clock, Duration window, int batch) {
    this(store, clock, window, batch, 100, Pauses.SYSTEM);
  }

  /**
   * @param window how far back the hourly counts go
   * @param batch how many events one read takes
   * @param firstPassPercent how much of the time the first pass may be at work, 1 to 100 (100: it
   *     never pauses)
   */
  public ChainWatch(
      AuditStore store, Clock clock, Duration window, int batch, int firstPassPercent) {
    this(store, clock, window, batch, firstPassPercent, Pauses.SYSTEM);
  }

  ChainWatch(
      AuditStore store,
      Clock clock,
      Duration window,
      int batch,
      int firstPassPercent,
      Pauses pauses) {
    if (window.isNegative() || window.isZero() || batch < 1) {
      throw new IllegalArgumentException("window and batch must be positive");
    }
    if (firstPassPercent < 1 || firstPassPercent > 100) {
      throw new IllegalArgumentException(
          "firstPassPercent must be 1 to 100, got " + firstPassPercent);
    }
    this.store = store;
    this.clock = clock;
    this.window = window;
    this.batch = batch;
    this.firstPassPercent = firstPassPercent;
    this.pauses = pauses;
  }

  /**
   * Reads and checks everything appended since the last call, at most {@code maxBatches} reads.
   *
   * @return true when it reached the end of the log
   * @throws dev.warden.core.error.StoreException when the database fails (the next call resumes)
   */
  public boolean catchUp(int maxBatches) {
    lock.lock();
    try {
      return read(maxBatches);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #catchUp} unless another caller is reading (the timer's first pass over a long history):
   * a page that wants fresh counts reads what was appended since, and never waits behind that pass.
   *
   * @return false when another caller was reading
   */
  public boolean catchUpIfIdle(int maxBatches) {
    if (!lock.tryLock()) {
      return false;
    }
    try {
      read(maxBatches);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean read(int maxBatches) {
    Status s = status;
    long verified = s.verifiedThrough();
    long broken = s.brokenAt();
    String problem = s.problem();
    Instant last = s.lastEventTime();
    boolean end = false;
    for (int i = 0; i < maxBatches; i++) {
      long started = pauses.nanoTime();
      List<AuditRecord> read = store.readChain(nextSeq, batch);
      for (AuditRecord r : read) {
        if (broken == 0) {
          if (r.seq() != nextSeq) {
            broken = r.seq();
            problem =
                "event "
                    + nextSeq
                    + " is missing: the chain jumps from "
                    + (nextSeq - 1)
                    + " to "
                    + r.seq();
          } else if (!AuditChain.verifies(prevHash, r)) {
            broken = r.seq();
            problem =
                "event "
                    + r.seq()
                    + " does not match its hash or its link to event "
                    + (r.seq() - 1);
          } else {
            verified = r.seq();
          }
        }
        prevHash = r.hash();
        nextSeq = r.seq() + 1;
        last = r.event().time();
        tally(r.event());
      }
      if (read.size() < batch) {
        end = true;
        break;
      }
      if (!s.caughtUp()) {
        // a first pass over a long history takes minutes: the console shows how far it has got
        status = new Status(verified, clock.instant(), last, broken, problem, false);
        // the pause is taken holding the lock: a page's catchUpIfIdle skips rather than reading
        // the first pass's next batch on a request thread
        if (!giveWay(pauses.nanoTime() - started)) {
          break;
        }
      }
    }
    dropOld();
    status = new Status(verified, clock.instant(), last, broken, problem, end || s.caughtUp());
    return end;
  }

  /**
   * Pauses for as long as {@code workNanos} times the share of the time the first pass leaves to
   * others: as long as the work itself at 50 %, three times as long at 25 %.
   *
   * @return false when interrupted (the node is stopping): the pass stops here
   */
  private boolean giveWay(long workNanos) {
    long pause = workNanos * (100 - firstPassPercent) / firstPassPercent;
    if (pause <= 0) {
      return true;
    }
    try {
      pauses.sleep(pause);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public Status status() {
    return status;
  }

  /**
   * The hourly counts from {@code since} (rounded down to the hour) to now, oldest first, empty
   * hours included.
   */
  public List<Hour> hours(Instant since) {
    long from = hourOf(since);
    long to = hourOf(clock.instant());
    List<Hour> out = new ArrayList<>();
    for (long h = from; h <= to; h += 3600) {
      AtomicLongArray c = hours.get(h);
      out.add(
          c == null
              ? new Hour(Instant.ofEpochSecond(h), 0, 0, 0)
              : new Hour(Instant.ofEpochSecond(h), c.get(ISSUED), c.get(DENIED), c.get(REVOKED)));
    }
    return out;
  }

  private void tally(AuditEvent e) {
    int what = category(e);
    if (what < 0 || e.time().isBefore(clock.instant().minus(window))) {
      return;
    }
    hours.computeIfAbsent(hourOf(e.time()), h -> new AtomicLongArray(3)).incrementAndGet(what);
  }

  /** Which count an event adds to, or -1: issuances allowed, requests denied, leases revoked. */
  static int category(AuditEvent e) {
    if (AuditOutcome.DENY.wire().equals(e.outcome())) {
      return DENIED;
    }
    AuditType t = AuditType.fromWire(e.type());
    if (t == null) {
      return -1;
    }
    return switch (t) {
      case TOKEN_ISSUED, SVID_ISSUED, AUTHORIZATION_GRANTED -> ISSUED;
      case LEASE_REVOKED -> REVOKED;
      default -> -1;
    };
  }

  private void dropOld() {
    hours.headMap(hourOf(clock.instant().minus(window))).clear();
  }

  private static long hourOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 3600) * 3600;
  }
}
