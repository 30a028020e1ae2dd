package dev.warden.server;

import static dev.warden.server.config.ServerKeys.KEYS_CHECK_INTERVAL;
import static dev.warden.server.config.ServerKeys.POSTURE_REBUILD_INTERVAL;

import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.token.KeyManager;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The timers of a node. {@link Reloader} follows changes made by other nodes. One thread, on {@code
 * keys.checkInterval}, rotates signing keys, records the daily KPI snapshot, reminds owners of
 * pending recertifications, rotates the CA and renews a self-issued serving certificate. Another
 * keeps the posture index: a full read at start and every {@code posture.rebuildInterval},
 * following the audit log every 5 s and re-judging Warden's own items every minute. The audit chain
 * head is signed every {@code audit.checkpointInterval}, and each configured audit stream runs on a
 * thread of its own. A failed task is logged and tried again on its next turn; it never stops the
 * timer.
 */
final class Schedules implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Schedules.class.getName());

  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-timers").daemon(true).factory());
  private final ScheduledExecutorService postureTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-posture").daemon(true).factory());
  // database users end off the request path, on a timer of their own: a database that does not
  // answer delays only its own removals, never key rotation or a grant
  private final ScheduledExecutorService reaperTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-reaper").daemon(true).factory());

  // the audit chain is re-checked from event 1 once, then followed; its first pass over a long
  // history must delay nothing else
  private final ScheduledExecutorService chainTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-chain-watch").daemon(true).factory());
  private final List<dev.warden.core.auditstream.AuditStreamer> streamers =
      new java.util.ArrayList<>();

  private Schedules() {}

  /** Starts every timer of the node over {@code w}. */
  static Schedules start(Wiring w) {
    Schedules s = new Schedules();
    // configuration, keys and CA follow the database on a thread of their own, woken by change
    // notifications and polling every reload.interval (decision 008)
    w.reloader.start();
    // a rotation a stopped process left pending is completed first thing (decision 117)
    s.timers.execute(
        () ->
            attempt(
                "pending rotation recovery",
                () -> {
                  var r = w.secrets.recoverPending();
                  if (r.completed() + r.failed() > 0) {
                    LOG.log(
                        System.Logger.Level.INFO,
                        "brokered secrets: "
                            + r.completed()
                            + " pending rotations completed, "
                            + r.failed()
                            + " still refused by their targets");
                  }
                }));
    // the audit chain head, signed when it moved, so that removing the log's tail is detectable
    long checkpointMs =
        w.cfg.get(dev.warden.server.config.ServerKeys.AUDIT_CHECKPOINT_INTERVAL).toMillis();
    s.timers.scheduleWithFixedDelay(
        () -> attempt("audit checkpoint", w.checkpoints::checkpointIfMoved),
        checkpointMs,
        checkpointMs,
        TimeUnit.MILLISECONDS);
    for (dev.warden.core.auditstream.AuditSink sink : w.auditSinks) {
      dev.warden.core.auditstream.AuditStreamer st =
          dev.warden.core.auditstream.AuditStreamer.start(
              sink,
              w.store.audit(),
              w.store.auditSinks(),
              w.checkpoints,
              w.clock,
              w.nodeName,
              w.streamSettings);
      s.streamers.add(st);
      w.metrics.auditStream(st);
    }
    long checkMs = w.cfg.get(KEYS_CHECK_INTERVAL).toMillis();
    s.timers.scheduleWithFixedDelay(
        () -> periodicChecks(w), checkMs, checkMs, TimeUnit.MILLISECONDS);
    // the posture index reads everything once in the background (a minute at a million items);
    // a request that needs it before then waits for that read
    long rebuildMs = w.cfg.get(POSTURE_REBUILD_INTERVAL).toMillis();
    s.postureTimer.scheduleWithFixedDelay(
        () -> rebuild(w.postureIndex), 0, rebuildMs, TimeUnit.MILLISECONDS);
    // follow the audit log even when nobody reads, so a reader never inherits a long backlog;
    // re-judge what Warden holds each minute (leases expiring, workloads passing their expiry)
    s.schedulePosture("catch-up", w.postureIndex::catchUp, w.postureIndex, 5);
    s.schedulePosture("refresh", w.postureIndex::refreshWardenSide, w.postureIndex, 60);
    // who read which brokered secret, batched off the request path
    s.timers.scheduleWithFixedDelay(
        () -> attempt("brokered secret read records", w.secretReads::flush),
        2,
        2,
        TimeUnit.SECONDS);
    long reapMs = w.cfg.get(dev.warden.server.config.ServerKeys.DATABASES_REAP_INTERVAL).toMillis();
    s.reaperTimer.scheduleWithFixedDelay(
        () -> attempt("database lease reaper", w.reaper::reap),
        reapMs,
        reapMs,
        TimeUnit.MILLISECONDS);
    long sweepMs =
        w.cfg.get(dev.warden.server.config.ServerKeys.DATABASES_SWEEP_INTERVAL).toMillis();
    s.reaperTimer.scheduleWithFixedDelay(
        () ->
            attempt(
                "orphan sweep",
                () -> {
                  dev.warden.core.database.LeaseReaper.Outcome o = w.reaper.sweep();
                  if (o.orphans() > 0) {
                    LOG.log(
                        System.Logger.Level.INFO,
                        "orphan sweep dropped " + o.orphans() + " tagged database users");
                  }
                }),
        10_000,
        sweepMs,
        TimeUnit.MILLISECONDS);
    s.chainTimer.scheduleWithFixedDelay(
        () -> attempt("audit chain watch", () -> w.chainWatch.catchUp(200)),
        0,
        5,
        TimeUnit.SECONDS);
    return s;
  }

  private static void periodicChecks(Wiring w) {
    attempt(
        "brokered secret rotation check",
        () -> {
          var r =
              w.secrets.checkRotations((event, payload) -> w.webhook.send(null, event, payload));
          if (r.rotated() + r.reminded() + r.failed() + r.recovered() > 0) {
            LOG.log(
                System.Logger.Level.INFO,
                "brokered secrets: "
                    + r.rotated()
                    + " rotated, "
                    + r.recovered()
                    + " pending rotations completed, "
                    + r.reminded()
                    + " owners reminded, "
                    + r.failed()
                    + " rotations failed");
          }
        });
    List<KeyManager> managers =
        w.federationKeys == null
            ? List.of(w.keys, w.jwtSvidKeys, w.checkpointKeys)
            : List.of(w.keys, w.jwtSvidKeys, w.federationKeys, w.checkpointKeys);
    for (KeyManager k : managers) {
      attempt(k.purpose().wire() + " key rotation check", k::tick);
    }
    // the signed-in users behind expired tokens (their claims are personal data): gone even when
    // nobody signs in again, which is when the authorization endpoint sweeps them
    attempt("expired user records", () -> w.store.userGrants().deleteExpired(w.clock.instant()));
    attempt("daily KPI snapshot", w.inventory::recordDailyKpi);
    attempt("recertification check", w.recert::tick);
    attempt(
        "CA rotation check",
        () -> {
          w.ca.tick();
          if (w.tls != null) {
            w.tls.renewIfDue();
          }
        });
  }

  private static void rebuild(PostureIndex index) {
    try {
      long p0 = System.nanoTime();
      index.rebuild();
      var size = index.size();
      LOG.log(
          System.Logger.Level.INFO,
          "posture index rebuilt in "
              + (System.nanoTime() - p0) / 1_000_000
              + " ms (read "
              + size.readMillis()
              + " ms, judged "
              + size.judgeMillis()
              + " ms): "
              + size.imported()
              + " imported and "
              + size.wardenItems()
              + " other items, "
              + size.findings()
              + " findings");
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "posture index rebuild failed (will retry): " + e.getMessage());
    }
  }

  private void schedulePosture(String what, Runnable task, PostureIndex index, long everySeconds) {
    postureTimer.scheduleWithFixedDelay(
        () -> {
          try {
            if (index.ready()) {
              task.run();
            }
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "posture " + what + " failed: " + e.getMessage());
          }
        },
        everySeconds,
        everySeconds,
        TimeUnit.SECONDS);
  }

  private static void attempt(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, what + " failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    // each stream gives up its lease, so another node takes over at once
    streamers.forEach(dev.warden.core.auditstream.AuditStreamer::close);
    timers.shutdownNow();
    postureTimer.shutdownNow();
    reaperTimer.shutdownNow();
    chainTimer.shutdownNow();
  }
}
