package dev.warden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class AuditWriterTest {

  @Test
  void writeAllMakesEveryEventDurableInOrderWithFewAppends() {
    AtomicInteger appends = new AtomicInteger();
    MemoryAuditStore memory = new MemoryAuditStore();
    AuditStore counting =
        new AuditStore() {
          @Override
          public List<AuditRecord> append(List<AuditEvent> events) {
            if (appends.incrementAndGet() == 1) {
              pause(); // a slow first commit: the rest queue up meanwhile, as under load
            }
            return memory.append(events);
          }

          @Override
          public List<AuditRecord> query(AuditQuery query) {
            return memory.query(query);
          }

          @Override
          public List<AuditRecord> readChain(long fromSeq, int limit) {
            return memory.readChain(fromSeq, limit);
          }

          @Override
          public java.util.Optional<dev.warden.core.audit.AuditRecord> byEventId(String eventId) {
            return java.util.Optional.empty();
          }

          @Override
          public List<dev.warden.core.audit.AuditRecord> chainOf(String key, int limit) {
            return List.of();
          }

          @Override
          public dev.warden.core.audit.ChainHead head() {
            return memory.head();
          }
        };
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(
          AuditEvent.of(
              AuditType.CREDENTIAL_REMOVED,
              AuditOutcome.SUCCESS,
              null,
              Instant.EPOCH,
              "system",
              null,
              null,
              Map.of("username", "u" + i)));
    }
    try (AuditWriter w = new AuditWriter(counting, 20, 5_000)) {
      List<AuditRecord> records = w.writeAll(events);

      assertThat(records).extracting(AuditRecord::event).containsExactlyElementsOf(events);
      assertThat(memory.events()).containsExactlyElementsOf(events);
      assertThat(appends.get())
          .as("group commits of at most 20, not one per event")
          .isBetween(3, 5);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A store that fails while {@code down} is set and blocks while {@code gate} is closed. */
  static final class FaultyStore implements AuditStore {
    final MemoryAuditStore memory = new MemoryAuditStore();
    volatile boolean down;
    volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    /**
     * Released once an append is waiting at the gate: its batch is taken, later events go to the
     * next one.
     */
    final java.util.concurrent.Semaphore blocked = new java.util.concurrent.Semaphore(0);

    @Override
    public List<AuditRecord> append(List<AuditEvent> events) {
      try {
        if (gate.getCount() > 0) {
          blocked.release();
        }
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (down) {
        throw new dev.warden.core.error.StoreException(
            "could not append (disk full: No space left on device)",
            new java.io.IOException("No space left on device"));
      }
      return memory.append(events);
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
      return memory.query(query);
    }

    @Override
    public List<AuditRecord> readChain(long fromSeq, int limit) {
      return memory.readChain(fromSeq, limit);
    }

    @Override
    public ChainHead head() {
      return memory.head();
    }

    @Override
    public java.util.Optional<AuditRecord> byEventId(String eventId) {
      return java.util.Optional.empty();
    }

    @Override
    public List<AuditRecord> chainOf(String key, int limit) {
      return List.of();
    }
  }

  static AuditEvent event(String name) {
    return AuditEvent.of(
        AuditType.TOKEN_ISSUED,
        AuditOutcome.SUCCESS,
        null,
        Instant.EPOCH,
        "system",
        null,
        null,
        Map.of("name", name));
  }

  @Test
  void anEventWhoseCallerGaveUpIsNotWrittenLateAndHealthSaysStalledMeanwhile() throws Exception {
    FaultyStore store = new FaultyStore();
    try (AuditWriter w = new AuditWriter(store, 20, 100)) {
      w.write(event("first")); // the writer is idle again after this
      store.gate = new java.util.concurrent.CountDownLatch(1);
      var slow = w.submit(event("stuck")); // the writer blocks inside this append
      // only once that batch is taken: an event already in a batch being committed cannot be
      // withdrawn
      assertThat(store.blocked.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(event("abandoned")))
          .isInstanceOf(dev.warden.core.error.UnavailableException.class);
      Thread.sleep(50);
      assertThat(w.health().state()).isEqualTo(AuditWriter.State.STALLED);
      assertThat(w.health().stalledMillis()).isGreaterThan(100);
      // the stuck event's own caller is told in time too, though its batch is written later
      assertThat(slow).isCompletedExceptionally();
      store.gate.countDown();
      w.write(event("after"));
      assertThat(store.memory.events())
          .extracting(e -> e.details().get("name"))
          .as("the event whose caller was told nothing was issued is not recorded")
          .containsExactly("first", "stuck", "after");
      assertThat(w.health().state()).isEqualTo(AuditWriter.State.OK);
    }
  }

  @Test
  void whileTheStoreFailsHealthSaysWhyAndTheWriterFindsOutByItselfThatItIsBack() throws Exception {
    FaultyStore store = new FaultyStore();
    java.time.Clock clock =
        java.time.Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), java.time.ZoneOffset.UTC);
    try (AuditWriter w = new AuditWriter(store, 20, 2_000, clock)) {
      store.down = true;
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(event("refused")))
          .isInstanceOf(dev.warden.core.error.UnavailableException.class);
      AuditWriter.Health h = w.health();
      assertThat(h.state()).isEqualTo(AuditWriter.State.FAILING);
      assertThat(h.failure()).hasMessageContaining("No space left on device");
      Thread.sleep(1_500); // probes fail meanwhile: still failing
      assertThat(w.health().state()).isEqualTo(AuditWriter.State.FAILING);
      assertThat(store.memory.events()).isEmpty();

      store.down = false; // no request arrives: the writer's own probe notices
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
      while (w.health().state() != AuditWriter.State.OK) {
        assertThat(System.nanoTime()).as("recovered without a request").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(store.memory.events()).hasSize(1);
      AuditEvent resumed = store.memory.events().get(0);
      assertThat(resumed.type()).isEqualTo(AuditType.AUDIT_RESUMED.wire());
      assertThat(resumed.details()).containsEntry("failingSince", "2026-01-02T03:04:05Z");
      assertThat(resumed.details().get("error")).contains("No space left on device");
      w.write(event("next"));
      assertThat(store.memory.events()).hasSize(2);
    }
  }

  @Test
  void aCallerWaitingOnAStalledStoreIsToldWithinItsTimeoutAndTheLateEventIsNotWritten()
      throws Exception {
    FaultyStore store = new FaultyStore();
    try (AuditWriter w = new AuditWriter(store, 20, 200)) {
      store.gate = new java.util.concurrent.CountDownLatch(1);
      var stuck = w.submit(event("stuck"));
      assertThat(store.blocked.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      var queued = w.submit(event("queued")); // behind the stalled batch

      long start = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(queued::join)
          .hasCauseInstanceOf(dev.warden.core.error.UnavailableException.class)
          .hasMessageContaining("did not confirm the write in time");
      long waited = (System.nanoTime() - start) / 1_000_000;
      assertThat(waited).as("told within its timeout and one deadline check").isLessThan(1_000);
      assertThat(stuck).isCompletedExceptionally();

      store.gate.countDown();
      w.write(event("after"));
      assertThat(store.memory.events())
          .extracting(e -> e.details().get("name"))
          .as("the queued event's caller gave up: it is not written late")
          .containsExactly("stuck", "after");
    }
  }

  /**
   * Regression: readiness compared the running append's age with the timeout, and that append
   * starts a little after its first event's caller began to wait (and the age is in whole
   * milliseconds), so right after a caller was told "timed out", readiness could still say OK — one
   * check in five with these settings. A load balancer polling then keeps sending traffic the node
   * cannot serve. Repeated because each run lands the deadline check at another moment.
   */
  @RepeatedTest(20)
  void readinessSaysStalledTheMomentACallerWasToldItsWriteTimedOut() throws Exception {
    FaultyStore store = new FaultyStore();
    try (AuditWriter w = new AuditWriter(store, 20, 100)) {
      store.gate = new java.util.concurrent.CountDownLatch(1);
      var stuck = w.submit(event("stuck"));
      assertThat(store.blocked.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      try {
        org.assertj.core.api.Assertions.assertThatThrownBy(stuck::join)
            .hasCauseInstanceOf(dev.warden.core.error.UnavailableException.class);
        assertThat(w.health().state()).isEqualTo(AuditWriter.State.STALLED);
      } finally {
        store.gate.countDown();
      }
      w.write(event("after"));
      assertThat(w.health().state()).isEqualTo(AuditWriter.State.OK);
    }
  }

  @Test
  void closingWhileTheStoreStallsReleasesEveryWaitingCaller() throws Exception {
    FaultyStore store = new FaultyStore();
    AuditWriter w = new AuditWriter(store, 20, 60_000);
    store.gate = new java.util.concurrent.CountDownLatch(1);
    var stuck = w.submit(event("stuck"));
    assertThat(store.blocked.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    var queued = w.submit(event("queued"));
    try {
      w.close(); // the writer stays stalled past close's wait

      org.assertj.core.api.Assertions.assertThatThrownBy(queued::join)
          .hasCauseInstanceOf(dev.warden.core.error.UnavailableException.class)
          .hasMessageContaining("shut down");
      assertThat(stuck).isNotDone(); // its batch is being written: it may still become durable
    } finally {
      store.gate.countDown();
    }
    assertThat(stuck.get(5, java.util.concurrent.TimeUnit.SECONDS).seq()).isEqualTo(1);
  }
}
