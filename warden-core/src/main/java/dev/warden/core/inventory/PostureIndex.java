package dev.warden.core.inventory;

import dev.warden.core.model.Workload;
import dev.warden.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The inventory and its findings under the configured thresholds, kept in memory and brought up to
 * date from the audit log instead of recomputed per request (decision 504).
 *
 * <p>{@link #rebuild} reads everything once ({@link IndexState#load}): the large part (imported
 * items, lease aggregates, token usage) in one repeatable-read transaction that also fixes the
 * audit sequence it matches. {@link #catchUp} then reads the audit events after that sequence and
 * re-judges only what they touch ({@link IndexCatchUp}): an import re-judges the imported rows it
 * wrote and the items sharing their fingerprints; a configuration change reloads that object and
 * re-judges the imported items whose owner's standing changed; token issuance updates usage. What
 * Warden holds itself (workloads, issued credentials, admin tokens, leaks: thousands, not millions)
 * is re-judged whole on any change. Every read catches up first, so a reader sees every change
 * committed before it asked; the reads themselves are {@link IndexQueries}.
 *
 * <p>Rules that depend only on the passage of time (age, staleness, rotation due) move when the
 * index is rebuilt, which the server does on a timer ({@code posture.rebuildInterval}).
 *
 * <p>Concurrency: one {@link IndexState}, swapped whole by a rebuild and changed in place by a
 * catch-up, both under the write lock; readers hold the read lock. A million items cannot be copied
 * per audit event, hence a mutable state behind a lock rather than immutable snapshots. One
 * catch-up runs at a time (events apply in order), and concurrent rebuilds run one after the other.
 *
 * <p>Why it is over 400 lines: the lock discipline above covers every method, so the rebuild, the
 * catch-up and the queries that take the locks stay in the class that owns them; the state itself
 * is {@link IndexState}.
 */
public final class PostureIndex {
  private static final System.Logger LOG = System.getLogger(PostureIndex.class.getName());

  /**
   * Catching up on more events than this is slower than reading everything again (measured: a
   * rebuild at a million items takes ~40 s; a catch-up applies 110,000-170,000 issuance events/s).
   */
  static final int MAX_CATCH_UP = 2_000_000;

  private static final int BATCH = 20_000;

  /** During a long catch-up, re-judge at least this often so that readers see progress. */
  private static final int JUDGE_EVERY = 500_000;

  private static final int REFRESH_SLICE = 500;

  /** A page of findings, with counts over every finding that matched. */
  public record FindingsPage(
      List<Finding> findings,
      int total,
      Map<String, Integer> bySeverity,
      Map<String, Integer> byOwasp,
      Instant evaluatedAt) {}

  /** A page of inventory items; {@code next} is the cursor of the following page, or null. */
  public record ItemsPage(List<InventoryItem> items, String next) {}

  /**
   * How much the index holds (items and findings), and how long its last rebuild took to read and
   * to judge.
   */
  public record Size(
      int imported, int wardenItems, int findings, long head, long readMillis, long judgeMillis) {}

  private final IndexSource config;
  private final InventoryStore inventory;
  private final Clock clock;
  private final PostureThresholds thresholds;
  private final IndexCatchUp catchUpper;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Object rebuilding = new Object();
  private final ReentrantLock catchingUp = new ReentrantLock();
  private volatile IndexState state;
  private volatile Finding.Severity noticeFrom;
  private volatile Consumer<List<Finding>> noticeListener;

  public PostureIndex(
      Store store, InventoryStore inventory, Clock clock, PostureThresholds thresholds) {
    this(IndexSource.of(store), inventory, clock, thresholds);
  }

  PostureIndex(
      IndexSource config, InventoryStore inventory, Clock clock, PostureThresholds thresholds) {
    this.config = config;
    this.inventory = inventory;
    this.clock = clock;
    this.thresholds = thresholds;
    this.catchUpper = new IndexCatchUp(config, inventory, clock);
  }

  public PostureThresholds thresholds() {
    return thresholds;
  }

  /**
   * Hands findings of at least {@code from} that a change brought (a catch-up or the periodic
   * refresh, not a rebuild) to {@code listener}, after the index is unlocked. A finding is new when
   * its unit had no finding of the same rule on the same item before.
   */
  public void onNewFindings(Finding.Severity from, Consumer<List<Finding>> listener) {
    this.noticeFrom = from;
    this.noticeListener = listener;
  }

  /** The least severity to announce, or null when nobody listens. */
  private Finding.Severity announcing() {
    return noticeListener == null ? null : noticeFrom;
  }

  private void announce(List<Finding> found) {
    Consumer<List<Finding>> l = noticeListener;
    if (l != null && found != null && !found.isEmpty()) {
      try {
        l.accept(List.copyOf(found));
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "announcing new posture findings failed: " + e.getMessage());
      }
    }
  }

  /** True once the first {@link #rebuild} has finished. */
  public boolean ready() {
    return state != null;
  }

  /**
   * Reads everything again and re-judges every item, then swaps the result in. Readers keep the
   * previous state meanwhile; concurrent calls run one after the other.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (the previous state stays)
   */
  public void rebuild() {
    List<Finding> found;
    synchronized (rebuilding) {
      IndexState before = state;
      IndexState next = load();
      found = appeared(before, next);
      swapIn(next);
    }
    announce(found);
    catchUp();
  }

  /**
   * Findings of at least the announced severity in {@code next} on a (rule, item) that had none in
   * {@code before}: what the passage of time brought (a secret turning 90 days old). None at the
   * first load, which would announce the whole estate.
   */
  private List<Finding> appeared(IndexState before, IndexState next) {
    Finding.Severity from = announcing();
    if (before == null || from == null) {
      return List.of();
    }
    lock.readLock().lock();
    try {
      return next.findings.appearedSince(before.findings, from);
    } finally {
      lock.readLock().unlock();
    }
  }

  private IndexState load() {
    return IndexState.load(config, inventory, clock, thresholds);
  }

  private void swapIn(IndexState next) {
    lock.writeLock().lock();
    try {
      state = next;
    } finally {
      lock.writeLock().unlock();
    }
  }

  public Size size() {
    lock.readLock().lock();
    try {
      IndexState s = state;
      return s == null
          ? new Size(0, 0, 0, 0, 0, 0)
          : new Size(
              s.imported.size(),
              s.findings.wardenItems().size(),
              s.findings.count(),
              s.head,
              s.readMillis,
              s.judgeMillis);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Applies the audit events written since the state was read. Cheap when there are none (one query
   * of the audit head).
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public void catchUp() {
    IndexState s = state;
    if (s == null) {
      // the first read before the start-up rebuild finished: wait for it rather than read twice
      synchronized (rebuilding) {
        if (state == null) {
          swapIn(load());
        }
      }
      s = state;
    }
    long head = inventory.auditHead();
    if (head <= s.head && !s.broken) {
      return;
    }
    if (head - s.head > MAX_CATCH_UP || s.broken) {
      // far behind (a restore, a bulk load): read everything again, once, however many callers
      // notice
      synchronized (rebuilding) {
        if (state.broken || inventory.auditHead() - state.head > MAX_CATCH_UP) {
          swapIn(load());
        }
      }
    }
    // one catch-up at a time keeps events in order; the events are read outside the state lock,
    // so readers wait only while they are applied
    catchingUp.lock();
    long t0 = System.nanoTime();
    int events = 0;
    int sinceJudged = 0;
    List<Finding> found = new ArrayList<>();
    try {
      IndexState cur = state;
      IndexCatchUp.Pending pending = new IndexCatchUp.Pending();
      while (true) {
        List<InventoryStore.Change> changes = inventory.changesAfter(cur.head, BATCH);
        lock.writeLock().lock();
        try {
          if (state != cur) {
            // a rebuild swapped in a newer state meanwhile: go on from its sequence
            cur = state;
            pending = new IndexCatchUp.Pending();
            continue;
          }
          if (!changes.isEmpty()) {
            catchUpper.apply(cur, changes, pending);
            events += changes.size();
            sinceJudged += changes.size();
          }
          // re-judge once per catch-up, not per batch: a burst of issuance touches each workload
          // once
          if ((changes.size() < BATCH || sinceJudged >= JUDGE_EVERY) && !pending.isEmpty()) {
            cur.findings.collect(found, announcing());
            try {
              catchUpper.judge(cur, pending);
            } finally {
              cur.findings.collect(null, null);
            }
            pending = new IndexCatchUp.Pending();
            sinceJudged = 0;
          }
        } catch (RuntimeException e) {
          // half-applied (usage counted, the rest not): only a full read is right again
          cur.broken = true;
          throw e;
        } finally {
          lock.writeLock().unlock();
        }
        if (changes.size() < BATCH) {
          break;
        }
      }
    } finally {
      catchingUp.unlock();
    }
    announce(found);
    if (events >= 10_000) {
      LOG.log(
          System.Logger.Level.INFO,
          "posture index caught up on "
              + events
              + " audit events in "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms");
    }
  }

  /**
   * Re-judges what Warden holds itself at the current time (expiring leases, workloads expiring).
   */
  public void refreshWardenSide() {
    catchUp();
    IndexState s = state;
    if (s == null) {
      return;
    }
    List<String> units;
    lock.readLock().lock();
    try {
      units = new ArrayList<>(s.workloadUnits());
    } finally {
      lock.readLock().unlock();
    }
    // in slices, so that readers wait for one slice at most rather than for every workload
    List<Finding> found = new ArrayList<>();
    for (int i = 0; i < units.size(); i += REFRESH_SLICE) {
      lock.writeLock().lock();
      try {
        Instant now = clock.instant();
        Posture.Context ctx = s.context(now);
        s.findings.collect(found, announcing());
        for (String w : units.subList(i, Math.min(units.size(), i + REFRESH_SLICE))) {
          s.judgeWorkload(w, now, ctx);
        }
      } finally {
        s.findings.collect(null, null);
        lock.writeLock().unlock();
      }
    }
    List<SecretSummary> secrets = config.brokeredSecrets(clock.instant());
    lock.writeLock().lock();
    try {
      Instant now = clock.instant();
      s.secrets = secrets;
      s.findings.collect(found, announcing());
      s.judgeGlobal(now, s.context(now));
      s.judgedAt = now;
    } finally {
      s.findings.collect(null, null);
      lock.writeLock().unlock();
    }
    announce(found);
  }

  /**
   * Findings in {@link Posture#ORDER}, from {@code offset}, at most {@code limit}, with counts over
   * every match.
   *
   * @param severity only this severity (its wire name), or null
   * @param rule only this rule id or OWASP id (any case), or null
   * @throws dev.warden.core.error.StoreException when catching up fails
   */
  public FindingsPage findings(String severity, String rule, int offset, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      return IndexQueries.findings(state, severity, rule, offset, limit);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every finding, in {@link Posture#ORDER}. */
  public List<Finding> allFindings() {
    return findings(null, null, 0, Integer.MAX_VALUE).findings();
  }

  /** Items matching {@code filter}, ordered by id, after {@code cursor} (null: from the start). */
  public ItemsPage items(Inventory.Filter filter, String cursor, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      return IndexQueries.items(state, filter, cursor, limit);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** One inventory item by id, if the index holds it. */
  public Optional<InventoryItem> item(String id) {
    catchUp();
    lock.readLock().lock();
    try {
      return IndexQueries.item(state, id);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every workload, as of the last catch-up. */
  public List<Workload> workloads() {
    catchUp();
    lock.readLock().lock();
    try {
      return List.copyOf(state.workloads.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One item's blast radius, from the facts around it only; empty when the index holds no such
   * item.
   */
  public Optional<BlastRadius> blastRadius(String id) {
    catchUp();
    lock.readLock().lock();
    try {
      return IndexQueries.blastRadius(state, id, clock.instant());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The facts the state holds, as of its last catch-up (for maturity, indicators). */
  public InventoryFacts facts() {
    catchUp();
    lock.readLock().lock();
    try {
      IndexState s = state;
      return s.facts(clock.instant(), null, new ArrayList<>(s.imported.values()));
    } finally {
      lock.readLock().unlock();
    }
  }
}
