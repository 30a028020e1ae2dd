package dev.warden.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A checkpoint proves what a chain that still verifies on its own has lost since. */
class TailCheckTest {
  static final byte[] SIGNED = filled(1);
  static final VerifiedCheckpoint AT_1050 =
      new VerifiedCheckpoint(
          new Checkpoint(
              "https://warden.example", "c1", 1050, SIGNED, Instant.parse("2026-12-07T08:00:00Z")),
          "kid");

  static byte[] filled(int b) {
    byte[] h = new byte[32];
    java.util.Arrays.fill(h, (byte) b);
    return h;
  }

  @Test
  void aChainAtOrPastTheCheckpointWithItsHashIsIntact() {
    assertThat(TailCheck.of(AT_1050, 1050, SIGNED).intact()).isTrue();
    assertThat(TailCheck.of(AT_1050, 2000, SIGNED)).isEqualTo(new TailCheck(true, null, 0, 0));
  }

  @Test
  void aChainThatEndsBeforeTheCheckpointNamesTheMissingRange() {
    TailCheck t = TailCheck.of(AT_1050, 1041, null);

    assertThat(t.intact()).isFalse();
    assertThat(t.problem())
        .startsWith(
            "events 1042..1050 missing: the chain ends at 1041 but checkpoint "
                + "2026-12-07T08:00:00Z signed 1050");
    assertThat(t.missingFrom()).isEqualTo(1042);
    assertThat(t.missingTo()).isEqualTo(1050);
  }

  @Test
  void oneMissingEventAndAnEmptyChainAreNamedToo() {
    assertThat(TailCheck.of(AT_1050, 1049, null).problem())
        .startsWith("event 1050 missing: the chain ends at 1049");
    assertThat(TailCheck.of(AT_1050, 0, null).problem())
        .startsWith("events 1..1050 missing: the chain ends at 0");
  }

  @Test
  void aChainRewrittenPastTheCheckpointIsARollback() {
    TailCheck t = TailCheck.of(AT_1050, 1100, filled(2));

    assertThat(t.intact()).isFalse();
    assertThat(t.problem())
        .startsWith("event 1050 is not the event checkpoint 2026-12-07T08:00:00Z signed 1050")
        .contains("rolled back to before event 1050 and rewritten");
  }
}
