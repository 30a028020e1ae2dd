package dev.warden.core.audit;

import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit for the audit log. Callers hand in events and wait; one writer thread drains
 * whatever has queued up (at most {@code maxBatch}) into a single transaction. Under load, batches
 * grow with concurrency, so durability costs one commit per batch instead of one per request; at
 * rest, a lone event is written at once with no added delay.
 */
public final class AuditWriter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AuditWriter.class.getName());

  private record Pending(AuditEvent event, CompletableFuture<AuditRecord> done) {}

  private final AuditStore store;
  private final int maxBatch;
  private final long timeoutMillis;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
  private final Thread writer;
  private volatile boolean closed;

  public AuditWriter(AuditStore store, int maxBatch, long timeoutMillis) {
    this.store = store;
    this.maxBatch = maxBatch;
    this.timeoutMillis = timeoutMillis;
    this.writer = Thread.ofPlatform().name("warden-audit-writer").daemon(true).unstarted(this::run);
    writer.start();
  }

  /** Queues an event; the future completes when it is durable, or fails when it cannot be. */
  public CompletableFuture<AuditRecord> submit(AuditEvent event) {
    CompletableFuture<AuditRecord> f = new CompletableFuture<>();
    if (closed || !queue.offer(new Pending(event, f))) {
      f.completeExceptionally(new UnavailableException(Reason.AUDIT_UNAVAILABLE,
          closed ? "the audit log is shut down" : "the audit log is overloaded", null));
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
    try {
      return submit(event).get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "the audit log could not be written; nothing was issued", e.getCause());
    } catch (TimeoutException e) {
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "the audit log did not confirm the write in time; nothing was issued", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  /**
   * Writes several events and waits until all are durable. They are queued together, so they
   * share the writer's group commits (one commit per {@code maxBatch} events, not one each).
   *
   * @throws UnavailableException when one could not be made durable in time (the others may be)
   */
  public List<AuditRecord> writeAll(List<AuditEvent> events) {
    List<CompletableFuture<AuditRecord>> pending = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      pending.add(submit(e));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    List<AuditRecord> out = new ArrayList<>(events.size());
    try {
      for (CompletableFuture<AuditRecord> f : pending) {
        out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "the audit log could not be written", e.getCause());
    } catch (TimeoutException e) {
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "the audit log did not confirm the writes in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
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

  private void flush(List<Pending> batch) {
    List<AuditEvent> events = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      events.add(p.event());
    }
    try {
      List<AuditRecord> records = store.append(events);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(records.get(i));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "audit append of " + batch.size() + " events failed: " + e.getMessage());
      if (batch.size() > 1) {
        retryOneByOne(batch, e);
        return;
      }
      fail(batch.get(0), e);
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
      } catch (RuntimeException e) {
        fail(p, e);
        storeFailing = i == 0;
      }
    }
  }

  private static void fail(Pending p, RuntimeException cause) {
    p.done().completeExceptionally(new UnavailableException(Reason.AUDIT_UNAVAILABLE,
        "the audit log could not be written; nothing was issued", cause));
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
  }
}
