package dev.warden.server;

import dev.warden.core.token.KeyManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Brings what a node caches up to date with the database: the configuration snapshot, the signing
 * keys, the CA, and the leases and secrets the MCP gateway keeps (decision 662). A thread of its
 * own runs one pass when woken (a change notification from the store's {@link
 * dev.warden.store.ChangeFeed}) and in any case every {@code reload.interval}, the fallback for a
 * missed notification. Wakes that arrive during a pass fold into one more pass, so a burst of
 * changes costs two passes, not one each. A pass only compares change counters unless something
 * moved, and a failed pass keeps the last good state (decision 007).
 */
final class Reloader implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Reloader.class.getName());

  private final RuntimeState state;
  private final List<KeyManager> keys;
  private final dev.warden.core.pki.CaManager ca;
  private final Runnable nodeCaches;
  private final long intervalNanos;
  private final AtomicBoolean woken = new AtomicBoolean();
  private final Thread thread;
  private volatile boolean closed;

  Reloader(
      RuntimeState state,
      List<KeyManager> keys,
      dev.warden.core.pki.CaManager ca,
      Runnable nodeCaches,
      Duration interval) {
    this.nodeCaches = nodeCaches;
    this.state = state;
    this.keys = List.copyOf(keys);
    this.ca = ca;
    this.intervalNanos = interval.toNanos();
    this.thread = Thread.ofPlatform().name("warden-reload").daemon(true).unstarted(this::run);
  }

  Reloader start() {
    thread.start();
    return this;
  }

  /** Asks for a pass as soon as possible; returns at once (the change feed's thread calls it). */
  void wake() {
    woken.set(true);
    LockSupport.unpark(thread);
  }

  private void run() {
    long next = System.nanoTime() + intervalNanos;
    while (!closed) {
      long wait = next - System.nanoTime();
      if (!woken.get() && wait > 0) {
        LockSupport.parkNanos(this, wait);
        // a spurious return costs one pass of counter reads, nothing more
      }
      if (closed) {
        return;
      }
      woken.set(false);
      pass();
      next = System.nanoTime() + intervalNanos;
    }
  }

  private void pass() {
    // first: two counter reads, and a revocation must not wait behind a snapshot rebuild
    attempt("node caches (leases, opened secrets)", nodeCaches);
    state.reloadQuietly();
    for (KeyManager k : keys) {
      attempt(k.purpose().wire() + " keys", k::refreshIfChanged);
    }
    attempt("CA", ca::refreshIfChanged);
  }

  private static void attempt(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "reload of the " + what + " failed, keeping the last good state: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
