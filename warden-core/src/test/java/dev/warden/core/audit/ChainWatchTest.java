package dev.warden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainWatchTest {
  static final Instant T0 = Instant.parse("2027-03-01T10:15:00Z");

  final MutableClock clock = MutableClock.startingAt(T0);
  final MemoryAuditStore store = new MemoryAuditStore();

  static AuditEvent event(AuditType type, AuditOutcome outcome, Instant at) {
    return AuditEvent.of(
        type,
        outcome,
        null,
        at,
        "spiffe://acme.test/api",
        "spiffe://acme.test/api",
        "orders",
        Map.of());
  }

  void append(int issued, int denied, int revoked, Instant at) {
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < issued; i++) {
      batch.add(event(AuditType.TOKEN_ISSUED, AuditOutcome.ALLOW, at));
    }
    for (int i = 0; i < denied; i++) {
      batch.add(event(AuditType.TOKEN_DENIED, AuditOutcome.DENY, at));
    }
    for (int i = 0; i < revoked; i++) {
      batch.add(event(AuditType.LEASE_REVOKED, AuditOutcome.SUCCESS, at));
    }
    batch.add(event(AuditType.CONFIG_UPDATED, AuditOutcome.SUCCESS, at));
    store.append(batch);
  }

  @Test
  void anIntactLogVerifiesToItsLastEventAcrossBatchesAndLaterAppends() {
    append(5, 2, 1, T0);
    ChainWatch watch = new ChainWatch(store, clock, Duration.ofDays(14), 3);

    assertThat(watch.catchUp(100)).isTrue();
    assertThat(watch.status().verifiedThrough()).isEqualTo(9);
    assertThat(watch.status().intact()).isTrue();
    assertThat(watch.status().caughtUp()).isTrue();

    append(1, 0, 0, T0.plusSeconds(5));
    watch.catchUp(100);
    assertThat(watch.status().verifiedThrough()).isEqualTo(11);
  }

  @Test
  void aFirstPassCutByItsBatchLimitSaysItHasNotCaughtUp() {
    append(10, 0, 0, T0);
    ChainWatch watch = new ChainWatch(store, clock, Duration.ofDays(14), 2);

    assertThat(watch.catchUp(2)).isFalse();
    assertThat(watch.status().verifiedThrough()).isEqualTo(4);
    assertThat(watch.status().caughtUp()).isFalse();
  }

  @Test
  void hourlyCountsSeparateIssuedDeniedAndRevokedAndIgnoreOtherEvents() {
    append(3, 2, 1, T0.minus(Duration.ofHours(2)));
    append(4, 0, 0, T0);
    ChainWatch watch = new ChainWatch(store, clock, Duration.ofDays(14), 1000);
    watch.catchUp(10);

    List<ChainWatch.Hour> hours = watch.hours(T0.minus(Duration.ofHours(3)));
    assertThat(hours).hasSize(4);
    assertThat(hours.get(1))
        .isEqualTo(new ChainWatch.Hour(Instant.parse("2027-03-01T08:00:00Z"), 3, 2, 1));
    assertThat(hours.get(2))
        .isEqualTo(new ChainWatch.Hour(Instant.parse("2027-03-01T09:00:00Z"), 0, 0, 0));
    assertThat(hours.get(3))
        .isEqualTo(new ChainWatch.Hour(Instant.parse("2027-03-01T10:00:00Z"), 4, 0, 0));
  }

  @Test
  void countsOlderThanTheWindowAreDropped() {
    append(3, 0, 0, T0);
    ChainWatch watch = new ChainWatch(store, clock, Duration.ofHours(2), 1000);
    watch.catchUp(10);
    clock.advance(Duration.ofHours(5));
    watch.catchUp(10);

    assertThat(watch.hours(T0.minus(Duration.ofHours(1)))).allMatch(h -> h.issued() == 0);
  }

  @Test
  void aChangedEventIsReportedAsTheBreakAndNothingAfterItCountsAsVerified() {
    append(6, 0, 0, T0);
    AuditStore tampered = new TamperedAuditStore(store, 4);
    ChainWatch watch = new ChainWatch(tampered, clock, Duration.ofDays(14), 1000);
    watch.catchUp(10);

    assertThat(watch.status().intact()).isFalse();
    assertThat(watch.status().brokenAt()).isEqualTo(4);
    assertThat(watch.status().verifiedThrough()).isEqualTo(3);
    assertThat(watch.status().problem()).contains("event 4");
  }

  @Test
  void aMissingEventIsReportedAsTheBreak() {
    append(6, 0, 0, T0);
    ChainWatch watch =
        new ChainWatch(new TamperedAuditStore(store, -3), clock, Duration.ofDays(14), 1000);
    watch.catchUp(10);

    assertThat(watch.status().brokenAt()).isEqualTo(4);
    assertThat(watch.status().problem()).contains("event 3 is missing");
  }

  @Test
  void aFirstPassAtHalfACorePausesAsLongAsEachFullBatchTookToReadAndVerify() {
    append(9, 0, 0, T0); // 10 events
    FakePauses pauses = new FakePauses();
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 40_000_000),
            clock,
            Duration.ofDays(14),
            4,
            50,
            pauses);

    assertThat(watch.catchUp(100)).isTrue();

    // two full batches (events 1-4, 5-8), each followed by a pause as long as it took; the short
    // batch (9-10) is the end of the log and is not
    assertThat(pauses.slept).containsExactly(40_000_000L, 40_000_000L);
    assertThat(watch.status().verifiedThrough()).isEqualTo(10);
    assertThat(watch.status().caughtUp()).isTrue();
  }

  @Test
  void whileTheFirstPassPausesTheStatusSaysHowFarItHasVerified() {
    append(9, 0, 0, T0);
    FakePauses pauses = new FakePauses();
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 40_000_000),
            clock,
            Duration.ofDays(14),
            4,
            50,
            pauses);
    pauses.duringPause = () -> watch.status().verifiedThrough();

    watch.catchUp(100);

    assertThat(pauses.seenDuringPauses).containsExactly(4L, 8L);
  }

  @Test
  void aSmallerShareMakesTheFirstPassPauseLongerInProportion() {
    append(9, 0, 0, T0);
    FakePauses pauses = new FakePauses();
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 10_000_000),
            clock,
            Duration.ofDays(14),
            5,
            20,
            pauses);

    watch.catchUp(100);

    // at work 20 % of the time: four times the work's 10 ms after each full batch
    assertThat(pauses.slept).containsExactly(40_000_000L, 40_000_000L);
  }

  @Test
  void aPassAfterTheFirstHasCaughtUpNeverPausesEvenOverManyBatches() {
    append(2, 0, 0, T0);
    FakePauses pauses = new FakePauses();
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 40_000_000),
            clock,
            Duration.ofDays(14),
            2,
            50,
            pauses);
    watch.catchUp(100);
    pauses.slept.clear();

    append(9, 0, 0, T0.plusSeconds(5)); // five full batches of new events
    assertThat(watch.catchUp(100)).isTrue();

    assertThat(pauses.slept).isEmpty();
    assertThat(watch.status().verifiedThrough()).isEqualTo(13);
  }

  @Test
  void aFirstPassAtAFullCoreNeverPauses() {
    append(9, 0, 0, T0);
    FakePauses pauses = new FakePauses();
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 40_000_000),
            clock,
            Duration.ofDays(14),
            2,
            100,
            pauses);

    watch.catchUp(100);

    assertThat(pauses.slept).isEmpty();
    assertThat(watch.status().verifiedThrough()).isEqualTo(10);
  }

  @Test
  void aFirstPassInterruptedInItsPauseStopsThereAndTheNextCallResumesWhereItStopped() {
    append(9, 0, 0, T0);
    FakePauses pauses = new FakePauses();
    pauses.interruptAt = 0;
    ChainWatch watch =
        new ChainWatch(
            new SlowAuditStore(store, pauses, 40_000_000),
            clock,
            Duration.ofDays(14),
            4,
            50,
            pauses);

    boolean end = watch.catchUp(100);
    boolean interrupted = Thread.interrupted(); // clears the flag for the rest of the test

    assertThat(end).isFalse();
    assertThat(interrupted).isTrue();
    assertThat(watch.status().verifiedThrough()).isEqualTo(4);
    assertThat(watch.status().caughtUp()).isFalse();

    assertThat(watch.catchUp(100)).isTrue();
    assertThat(watch.status().verifiedThrough()).isEqualTo(10);
    assertThat(watch.status().intact()).isTrue();
  }

  @Test
  void aShareOutsideOneToAHundredPercentIsRefused() {
    for (int percent : new int[] {0, -5, 101}) {
      assertThatThrownBy(() -> new ChainWatch(store, clock, Duration.ofDays(14), 10, percent))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("firstPassPercent");
    }
  }

  /** A monotonic clock that moves only when told, and records each pause asked of it. */
  static final class FakePauses implements ChainWatch.Pauses {
    long now = 1_000;
    final List<Long> slept = new ArrayList<>();
    int interruptAt = -1; // the pause (0-based) that is interrupted instead of taken
    java.util.function.LongSupplier duringPause = () -> -1;
    final List<Long> seenDuringPauses = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
      if (slept.size() == interruptAt) {
        Thread.currentThread().interrupt();
        interruptAt = -1;
        throw new InterruptedException();
      }
      slept.add(nanos);
      seenDuringPauses.add(duringPause.getAsLong());
      now += nanos;
    }
  }

  /** A log that answers as {@code real} does; the stores below change one answer each. */
  abstract static class ForwardingAuditStore implements AuditStore {
    final AuditStore real;

    ForwardingAuditStore(AuditStore real) {
      this.real = real;
    }

    @Override
    public ChainHead head() {
      return real.head();
    }

    @Override
    public List<AuditRecord> append(List<AuditEvent> events) {
      return real.append(events);
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
      return real.query(query);
    }

    @Override
    public List<AuditRecord> chainOf(String key, int limit) {
      return real.chainOf(key, limit);
    }

    @Override
    public Optional<AuditRecord> byEventId(String eventId) {
      return real.byEventId(eventId);
    }
  }

  /** A log whose every read of the chain takes {@code nanos} on the fake clock. */
  static final class SlowAuditStore extends ForwardingAuditStore {
    private final FakePauses clock;
    private final long nanos;

    SlowAuditStore(AuditStore real, FakePauses clock, long nanos) {
      super(real);
      this.clock = clock;
      this.nanos = nanos;
    }

    @Override
    public List<AuditRecord> readChain(long fromSeq, int limit) {
      clock.now += nanos;
      return real.readChain(fromSeq, limit);
    }
  }

  /**
   * A log whose event {@code seq} was edited after it was written (same hash kept), or, with a
   * negative number, whose event was deleted.
   */
  static final class TamperedAuditStore extends ForwardingAuditStore {
    private final long seq;

    TamperedAuditStore(AuditStore real, long seq) {
      super(real);
      this.seq = seq;
    }

    @Override
    public List<AuditRecord> readChain(long fromSeq, int limit) {
      List<AuditRecord> out = new ArrayList<>();
      for (AuditRecord r : real.readChain(fromSeq, limit)) {
        if (r.seq() == -seq) {
          continue;
        }
        if (r.seq() == seq) {
          AuditEvent e = r.event();
          out.add(
              new AuditRecord(
                  r.seq(),
                  new AuditEvent(
                      e.id(),
                      e.time(),
                      e.type(),
                      "deny",
                      e.reason(),
                      e.actor(),
                      e.workload(),
                      e.resource(),
                      e.details(),
                      e.lease()),
                  r.prevHash(),
                  r.hash()));
        } else {
          out.add(r);
        }
      }
      return out;
    }
  }
}
