package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.checkpoint.Checkpoint;
import dev.warden.core.checkpoint.CheckpointStore;
import dev.warden.core.checkpoint.SignedCheckpoint;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The contract of {@link CheckpointStore}: newest (stored last) first, one row per (seq, hash),
 * pruning to the newest. The store keeps what it is given; signatures are checked by readers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CheckpointStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09Z");
  private final AtomicLong seconds = new AtomicLong();

  CheckpointStore checkpoints() {
    return jdbcStore().auditCheckpoints();
  }

  /** A checkpoint signed later than every one before it in this class. */
  private SignedCheckpoint next(long seq, int hashByte) {
    byte[] hash = new byte[32];
    java.util.Arrays.fill(hash, (byte) hashByte);
    Checkpoint c =
        new Checkpoint(
            "https://warden.example",
            "chain-1",
            seq,
            hash,
            T0.plusSeconds(seconds.incrementAndGet()));
    return new SignedCheckpoint(
        c, "kid-" + seq, "header.payload-" + seq + "-" + hashByte + ".signature");
  }

  @Test
  @Order(1)
  void latestIsTheMostRecentlySignedAndReadsBackFieldForField() {
    SignedCheckpoint older = next(10, 1);
    SignedCheckpoint newer = next(12, 2);

    assertThat(checkpoints().add(older)).isTrue();
    assertThat(checkpoints().add(newer)).isTrue();

    SignedCheckpoint latest = checkpoints().latest().orElseThrow();
    assertThat(latest).isEqualTo(newer);
    assertThat(latest.checkpoint().hash()).isEqualTo(newer.checkpoint().hash());
    assertThat(checkpoints().list(2)).containsExactly(newer, older);
  }

  @Test
  @Order(2)
  void theSameHeadSignedTwiceIsStoredOnce() throws Exception {
    SignedCheckpoint a = next(20, 3);
    SignedCheckpoint b =
        new SignedCheckpoint(
            new Checkpoint(
                "https://warden.example",
                "chain-1",
                20,
                a.checkpoint().hash(),
                a.checkpoint().time().plusSeconds(1)),
            "kid-other",
            "other.jws.text");

    List<Race.Outcome<Boolean>> outcomes =
        Race.run(
            List.<Callable<Boolean>>of(() -> checkpoints().add(a), () -> checkpoints().add(b)));

    assertThat(outcomes).allMatch(Race.Outcome::succeeded);
    assertThat(outcomes.stream().filter(o -> o.result()).count()).isEqualTo(1);
    assertThat(checkpoints().list(100).stream().filter(c -> c.checkpoint().seq() == 20)).hasSize(1);
  }

  @Test
  @Order(3)
  void aRolledBackHeadSignedAgainWithAnotherHashIsKeptBesideTheOld() {
    SignedCheckpoint before = next(30, 4);
    SignedCheckpoint after = next(30, 5);

    assertThat(checkpoints().add(before)).isTrue();
    assertThat(checkpoints().add(after)).isTrue();

    assertThat(checkpoints().list(2)).containsExactly(after, before);
  }

  @Test
  @Order(4)
  void ofTwoSignedInTheSameSecondTheOneStoredLastIsTheLatest() {
    SignedCheckpoint first = next(50, 7);
    SignedCheckpoint movedBack =
        new SignedCheckpoint(
            new Checkpoint(
                "https://warden.example",
                "chain-1",
                48,
                first.checkpoint().hash(),
                first.checkpoint().time()),
            "kid-48",
            "same.second.jws");

    checkpoints().add(first);
    checkpoints().add(movedBack);

    assertThat(checkpoints().latest()).contains(movedBack);
  }

  @Test
  @Order(5)
  void listOfZeroIsEmptyAndPruneRefusesToKeepNothing() {
    assertThat(checkpoints().list(0)).isEmpty();
    assertThatThrownBy(() -> checkpoints().prune(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Order(6)
  void pruneKeepsOnlyTheNewest() {
    for (int i = 0; i < 5; i++) {
      checkpoints().add(next(100 + i, 6));
    }
    List<SignedCheckpoint> newest = checkpoints().list(3);

    int removed = checkpoints().prune(3);

    assertThat(removed).isGreaterThanOrEqualTo(2);
    assertThat(checkpoints().list(100)).containsExactlyElementsOf(newest);
    assertThat(checkpoints().prune(3)).isZero();
  }
}
