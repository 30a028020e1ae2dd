package dev.warden.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.ChainHead;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.token.KeyManager;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints of the head: signed when it moved, verifiable with the published keys, rollbacks
 * noticed.
 */
class CheckpointerTest {
  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-12-07T08:00:00Z"));
  final ShrinkableAudit log = new ShrinkableAudit();
  final AuditWriter writer = new AuditWriter(log, 100, 2_000);
  final KeyManager keys = CheckpointKeys.create(clock, writer);
  final MemoryCheckpoints stored = new MemoryCheckpoints();
  final Checkpointer checkpointer =
      new Checkpointer(keys, log, stored, "https://warden.example", "chain-1", clock, 3);

  @AfterEach
  void close() {
    writer.close();
  }

  void write(int n) {
    for (int i = 0; i < n; i++) {
      writer.write(
          AuditEvent.of(
              AuditType.CONFIG_UPDATED,
              AuditOutcome.SUCCESS,
              null,
              clock.instant(),
              "admin:t",
              null,
              null,
              Map.of("i", Integer.toString(i))));
    }
  }

  @Test
  void theHeadIsSignedOnlyWhenItMovedAndTheCheckpointVerifiesWithThePublishedKeys() {
    write(3);

    SignedCheckpoint first = checkpointer.checkpointIfMoved().orElseThrow();
    clock.advance(Duration.ofMinutes(1));
    Optional<SignedCheckpoint> again = checkpointer.checkpointIfMoved();

    assertThat(again).isEmpty();
    ChainHead head = log.head();
    VerifiedCheckpoint v =
        CheckpointJws.verify(first.jws(), CheckpointJws.keys("jwks", checkpointer.jwks()));
    assertThat(v.checkpoint().seq()).isEqualTo(head.seq());
    assertThat(v.checkpoint().hash()).isEqualTo(head.hash());
    assertThat(v.checkpoint().chain()).isEqualTo("chain-1");
    assertThat(v.checkpoint().issuer()).isEqualTo("https://warden.example");
    assertThat(checkpointer.latest()).contains(first);

    write(1);
    SignedCheckpoint second = checkpointer.checkpointIfMoved().orElseThrow();
    assertThat(second.checkpoint().seq()).isEqualTo(head.seq() + 1);
    assertThat(checkpointer.rollbacks()).isZero();
  }

  @Test
  void onlyTheNewestAreKept() {
    for (int i = 0; i < 5; i++) {
      write(1);
      clock.advance(Duration.ofSeconds(1));
      checkpointer.checkpointIfMoved();
    }
    assertThat(checkpointer.list(10)).hasSize(3);
  }

  @Test
  void aHeadBehindTheLastCheckpointIsCountedAsARollbackAndTheNewHeadStillSigned() {
    write(5);
    SignedCheckpoint before = checkpointer.checkpointIfMoved().orElseThrow();
    log.dropNewest(2);
    clock.advance(Duration.ofSeconds(1));

    SignedCheckpoint after = checkpointer.checkpointIfMoved().orElseThrow();

    assertThat(checkpointer.rollbacks()).isEqualTo(1);
    assertThat(after.checkpoint().seq()).isEqualTo(before.checkpoint().seq() - 2);
  }

  @Test
  void aHeadThatNamesNoStoredEventIsNotSigned() {
    write(2);
    log.breakHead();

    assertThatThrownBy(checkpointer::checkpointIfMoved)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("warden audit verify");
    assertThat(stored.list(10)).isEmpty();
  }

  /**
   * The memory log, damaged two ways: newest events dropped with the head, or a head naming no
   * event.
   */
  static final class ShrinkableAudit implements dev.warden.core.audit.AuditStore {
    private final MemoryAuditStore memory = new MemoryAuditStore();
    private int dropped;
    private boolean brokenHead;

    synchronized void dropNewest(int n) {
      dropped += n;
    }

    synchronized void breakHead() {
      brokenHead = true;
    }

    @Override
    public synchronized List<AuditRecord> append(List<AuditEvent> events) {
      return memory.append(events);
    }

    @Override
    public List<AuditRecord> query(dev.warden.core.audit.AuditQuery q) {
      return memory.query(q);
    }

    @Override
    public List<AuditRecord> chainOf(String key, int limit) {
      return memory.chainOf(key, limit);
    }

    @Override
    public Optional<AuditRecord> byEventId(String eventId) {
      return memory.byEventId(eventId);
    }

    @Override
    public synchronized List<AuditRecord> readChain(long fromSeq, int limit) {
      long last = memory.head().seq() - dropped;
      return memory.readChain(fromSeq, limit).stream()
          .filter(r -> r.seq() >= fromSeq && r.seq() <= last)
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized ChainHead head() {
      ChainHead h = memory.head();
      if (brokenHead) {
        return new ChainHead(h.seq() + 1, new byte[32]);
      }
      if (dropped == 0) {
        return h;
      }
      AuditRecord r = readChain(h.seq() - dropped, 1).getFirst();
      return new ChainHead(r.seq(), r.hash());
    }
  }

  /** Checkpoints in memory, with the real store's rules: one per (seq, hash), stored last first. */
  static final class MemoryCheckpoints implements CheckpointStore {
    private final List<SignedCheckpoint> all = new ArrayList<>();

    @Override
    public synchronized boolean add(SignedCheckpoint c) {
      if (all.stream()
          .anyMatch(
              o ->
                  o.checkpoint().seq() == c.checkpoint().seq()
                      && java.util.Arrays.equals(o.checkpoint().hash(), c.checkpoint().hash()))) {
        return false;
      }
      all.addFirst(c);
      return true;
    }

    @Override
    public synchronized Optional<SignedCheckpoint> latest() {
      return all.stream().findFirst();
    }

    @Override
    public synchronized List<SignedCheckpoint> list(int limit) {
      return all.stream().limit(limit).toList();
    }

    @Override
    public synchronized int prune(int keep) {
      int n = Math.max(0, all.size() - keep);
      for (int i = 0; i < n; i++) {
        all.removeLast();
      }
      return n;
    }
  }
}
