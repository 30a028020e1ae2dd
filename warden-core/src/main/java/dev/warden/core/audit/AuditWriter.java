package dev.warden.core.audit;

import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for the audit log. Callers hand in events and wait; one writer thread drains
 * whatever has queued up (at most {@code maxBatch}) into a single transaction. Under load, batches
 * grow with concurrency, so durability costs one commit per batch instead of one per request; at
 * rest, a lone event is written at once with no added delay.
 *
 * <p>When the store fails or stalls, callers give up after {@code timeoutMillis} (and hand out
 * nothing); an event whose caller already gave up is dropped rather than written late, so the log
 * never records an issuance that nobody received and no backlog is replayed after an outage. {@link
 * #health()} says whether writes go through, for readiness. While they fail, the writer tries every
 * second to record {@link AuditType#AUDIT_RESUMED}, so it finds out by itself, with no request
 * arriving, that the store is back; that event is also the log's record of the outage.
 *
 * <p>Callers wait without a timer of their own: a per-request timed wait costs a timer task
 * scheduled and cancelled on every grant (6 % of a busy server's CPU, measured). One deadline
 * thread instead fails, every {@code timeoutMillis / 20} (5–100 ms), each event still queued or
 * being written whose caller has waited {@code timeoutMillis}.
 */
public final class AuditWriter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AuditWriter.class.getName());

  /**
   * @param deadline System.nanoTime() after which the caller is told nothing was issued
   */
  private record Pending(AuditEvent event, CompletableFuture<AuditRecord> done, long deadline) {}

  private final AuditStore store;
  private final int maxBatch;
  private final long timeoutMillis;
  private static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Whether writes go through. */
  public enum State {
    OK,
    /**
     * The last write failed (the store refused or is unreachable); see {@link Health#failure()}.
     */
    FAILING,
    /** A write has been running longer than the callers wait: the store is slow or locked. */
    STALLED
  }

  /**
   * @param state whether writes go through
   * @param failure what the last write failed with, when FAILING
   * @param stalledMillis how long the running write has taken, when STALLED
   */
  public record Health(State state, @Nullable RuntimeException failure, long stalledMillis) {}

  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
  private final java.time.Clock clock;
  private final Thread writer;
  private final Thread deadlines;
  private final long deadlineCheckMillis;
  private volatile boolean closed;

  /** The batch the writer is appending now; empty while none is. */
  private volatile List<Pending> inFlight = List.of();

  /** What the last write failed with; null once one succeeds. */
  private volatile @Nullable RuntimeException failure;

  private volatile java.time.@Nullable Instant failingSince;

  /** System.nanoTime() when the running append started; 0 while none runs. */
  private volatile long appendStarted;

  /**
   * The append that was running when the deadline thread told one of its callers it timed out; 0
   * once it returns. Readiness says STALLED from that moment, not a few milliseconds later when the
   * append's own age passes the timeout (its first event was submitted a little before it started).
   */
  private volatile long expiredAppend;

  private long lastAttempt;

  public AuditWriter(AuditStore store, int maxBatch, long timeoutMillis) {
    this(store, maxBatch, timeoutMillis, java.time.Clock.systemUTC());
  }

  /**
   * @param clock stamps the {@link AuditType#AUDIT_RESUMED} event
   */
  public AuditWriter(AuditStore store, int maxBatch, long timeoutMillis, java.time.Clock clock) {
    this.store = store;
    this.maxBatch = maxBatch;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
    this.writer = Thread.ofPlatform().name("warden-audit-writer").daemon(true).unstarted(this::run);
    this.deadlineCheckMillis = Math.clamp(timeoutMillis / 20, 5, 100);
    this.deadlines =
        Thread.ofPlatform()
            .name("warden-audit-deadlines")
            .daemon(true)
            .unstarted(this::enforceDeadlines);
    writer.start();
    deadlines.start();
  }

  /**
   * Queues an event; the future completes when it is durable, or fails when it cannot be — at the
   * latest {@code timeoutMillis} after this call (then its caller hands out nothing, and the event
   * is not written late unless its batch was already being written).
   */
  public CompletableFuture<AuditRecord> submit(AuditEvent event) {
    CompletableFuture<AuditRecord> f = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    if (closed || !queue.offer(new Pending(event, f, deadline))) {
      f.completeExceptionally(
          new UnavailableException(
              Reason.AUDIT_UNAVAILABLE,
              closed ? "the audit log is shut down" : "the audit log is overloaded",
              null));
    }
    return f;
  }

  /**
   * Writes an event and waits until it is durable.
   *
   * @throws UnavailableException when it could not be made durable in time: the caller must not
   *     hand out whatever the event records
   */
  public AuditRecord write(AuditEvent event) {
    CompletableFuture<AuditRecord> f = submit(event);
    try {
      // untimed: the deadline thread fails f once timeoutMillis have passed
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE,
          "the audit log could not be written; nothing was issued",
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.completeExceptionally(new UnavailableException(Reason.AUDIT_UNAVAILABLE, "interrupted", e));
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  /**
   * Whether writes go through now: for readiness, which must not send traffic to a node that cannot
   * issue.
   */
  public Health health() {
    RuntimeException f = failure;
    if (f != null) {
      return new Health(State.FAILING, f, 0);
    }
    long started = appendStarted;
    long running = started == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    boolean callerToldInFlight = started != 0 && expiredAppend == started;
    return running > timeoutMillis || callerToldInFlight
        ? new Health(State.STALLED, null, running)
        : new Health(State.OK, null, 0);
  }

  /**
   * Writes several events and waits until all are durable. They are queued together, so they share
   * the writer's group commits (one commit per {@code maxBatch} events, not one each).
   *
   * @throws UnavailableException when one could not be made durable in time (the others may be)
   */
  public List<AuditRecord> writeAll(List<AuditEvent> events) {
    List<CompletableFuture<AuditRecord>> pending = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      pending.add(submit(e));
    }
    List<AuditRecord> out = new ArrayList<>(events.size());
    try {
      for (CompletableFuture<AuditRecord> f : pending) {
        // untimed: the deadline thread fails each once timeoutMillis have passed
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      // the others are not handed out either: none of them is written late
      UnavailableException u =
          e.getCause() instanceof UnavailableException x
              ? x
              : new UnavailableException(
                  Reason.AUDIT_UNAVAILABLE, "the audit log could not be written", e.getCause());
      pending.forEach(f -> f.completeExceptionally(u));
      throw u;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  /**
   * Fails every event queued or being written whose caller has waited its time, until closed: the
   * one timer of all callers.
   */
  private void enforceDeadlines() {
    // after close, until the writer has drained the queue (or given up): a stalled store at
    // shutdown must not keep callers waiting
    while (!closed || writer.isAlive()) {
      try {
        Thread.sleep(deadlineCheckMillis);
        long now = System.nanoTime();
        long started = appendStarted;
        for (Pending p : inFlight) {
          if (started != 0 && isDue(p, now)) {
            expiredAppend = started; // before the caller hears of it: readiness must agree at once
          }
          expireIfDue(p, now);
        }
        for (Pending p : queue) {
          expireIfDue(p, now);
        }
      } catch (InterruptedException e) {
        // only close interrupts: check at once
      } catch (RuntimeException e) {
        // never let the one timer die: a caller would then wait as long as the store stalls
        LOG.log(System.Logger.Level.ERROR, "audit deadline check failed: " + e, e);
      }
    }
  }

  private static boolean isDue(Pending p, long now) {
    return now - p.deadline() >= 0 && !p.done().isDone();
  }

  private static void expireIfDue(Pending p, long now) {
    if (isDue(p, now)) {
      p.done()
          .completeExceptionally(
              new UnavailableException(
                  Reason.AUDIT_UNAVAILABLE,
                  "the audit log did not confirm the write in time; nothing was issued",
                  null));
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (failure != null && System.nanoTime() - lastAttempt > PROBE_EVERY_NANOS) {
            flush(batch); // nothing but the resumption record: is the store back?
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        flush(batch);
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void flush(List<Pending> drained) {
    // callers that gave up were told nothing was issued: their events are not written late
    List<Pending> batch = new ArrayList<>(drained.size() + 1);
    RuntimeException failed = failure;
    if (failed != null) {
      batch.add(
          new Pending(
              AuditEvent.of(
                  AuditType.AUDIT_RESUMED,
                  AuditOutcome.SUCCESS,
                  null,
                  clock.instant(),
                  "system",
                  null,
                  null,
                  java.util.Map.of(
                      "failingSince",
                      String.valueOf(failingSince),
                      "error",
                      String.valueOf(failed.getMessage()))),
              new CompletableFuture<>(),
              // no caller waits for it
              System.nanoTime() + TimeUnit.DAYS.toNanos(1)));
    }
    for (Pending p : drained) {
      if (!p.done().isDone()) {
        batch.add(p);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    List<AuditEvent> events = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      events.add(p.event());
    }
    lastAttempt = System.nanoTime();
    appendStarted = lastAttempt;
    inFlight = batch;
    try {
      append(batch, events);
    } finally {
      inFlight = List.of();
    }
  }

  private void append(List<Pending> batch, List<AuditEvent> events) {
    try {
      List<AuditRecord> records = store.append(events);
      appendStarted = 0;
      recovered();
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(records.get(i));
      }
    } catch (RuntimeException e) {
      appendStarted = 0;
      LOG.log(
          System.Logger.Level.ERROR,
          "audit append of " + batch.size() + " events failed: " + e.getMessage());
      if (batch.size() > 1) {
        retryOneByOne(batch, e);
        return;
      }
      failing(e);
      fail(batch.get(0), e);
    }
  }

  private void failing(RuntimeException e) {
    if (failure == null) {
      failingSince = clock.instant();
    }
    failure = e;
  }

  private void recovered() {
    if (failure != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "the audit log is written again (it failed from " + failingSince + ")");
      failure = null;
      failingSince = null;
    }
  }

  /**
   * One bad event (say, a duplicate lease id) must not fail every request that shared its batch:
   * write the events singly, in order. If the first single write fails too, the store itself is
   * failing, and the rest fail at once rather than each waiting for its own timeout.
   */
  private void retryOneByOne(List<Pending> batch, RuntimeException batchFailure) {
    boolean storeFailing = false;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (storeFailing) {
        fail(p, batchFailure);
        continue;
      }
      try {
        p.done().complete(store.append(List.of(p.event())).get(0));
        recovered();
      } catch (RuntimeException e) {
        fail(p, e);
        storeFailing = i == 0;
        if (storeFailing) {
          failing(e);
        }
      }
    }
  }

  private static void fail(Pending p, RuntimeException cause) {
    p.done()
        .completeExceptionally(
            new UnavailableException(
                Reason.AUDIT_UNAVAILABLE,
                "the audit log could not be written; nothing was issued",
                cause));
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Pending p : queue) {
      // the writer stopped (or gave up) before these: nothing was issued for them
      p.done()
          .completeExceptionally(
              new UnavailableException(
                  Reason.AUDIT_UNAVAILABLE, "the audit log is shut down", null));
    }
  }
}
