package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.auditstream.AuditSinkStore;
import dev.warden.core.auditstream.SinkState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link AuditSinkStore}: a cursor per sink that only moves forward, and an
 * exclusive lease.
 */
abstract class AuditSinkStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09Z");

  AuditSinkStore sinks() {
    return jdbcStore().auditSinks();
  }

  @Test
  void aNewSinkStartsAtZeroWithNoHolder() {
    String sink = unique("sink");

    SinkState s = sinks().state(sink);

    assertThat(s).isEqualTo(new SinkState(sink, 0, null, Instant.EPOCH));
    assertThat(sinks().list()).contains(s);
  }

  @Test
  void theLeaseIsExclusiveUntilItEndsAndThenPassesToAnotherNode() {
    String sink = unique("sink");
    Instant until = T0.plusSeconds(15);

    assertThat(sinks().lease(sink, "node-a", T0, until)).isTrue();
    assertThat(sinks().lease(sink, "node-b", T0.plusSeconds(5), T0.plusSeconds(20))).isFalse();
    assertThat(sinks().lease(sink, "node-a", T0.plusSeconds(5), T0.plusSeconds(20)))
        .as("renewal")
        .isTrue();
    assertThat(sinks().lease(sink, "node-b", T0.plusSeconds(21), T0.plusSeconds(36)))
        .as("after it ended")
        .isTrue();

    assertThat(sinks().advance(sink, "node-a", 7)).as("the old holder lost it").isFalse();
    assertThat(sinks().state(sink)).isEqualTo(new SinkState(sink, 0, "node-b", T0.plusSeconds(36)));
  }

  @Test
  void theCursorMovesOnlyForwardAndOnlyForTheHolder() {
    String sink = unique("sink");
    sinks().lease(sink, "node-a", T0, T0.plusSeconds(15));

    assertThat(sinks().advance(sink, "node-a", 10)).isTrue();
    assertThat(sinks().advance(sink, "node-a", 4)).isTrue();
    assertThat(sinks().advance(sink, "node-b", 20)).isFalse();

    assertThat(sinks().state(sink).ackedSeq()).isEqualTo(10);
  }

  @Test
  void aReleasedLeaseIsFreeAtOnceAndReleaseByAnotherNodeChangesNothing() {
    String sink = unique("sink");
    sinks().lease(sink, "node-a", T0, T0.plusSeconds(15));

    sinks().release(sink, "node-b");
    assertThat(sinks().state(sink).holder()).isEqualTo("node-a");
    sinks().release(sink, "node-a");

    assertThat(sinks().state(sink).holder()).isNull();
    assertThat(sinks().lease(sink, "node-b", T0.plusSeconds(1), T0.plusSeconds(16))).isTrue();
  }

  @Test
  void ofNodesRacingForANewSinksLeaseExactlyOneWins() throws Exception {
    String sink = unique("sink");
    List<JdbcStore> nodes = new ArrayList<>();
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        JdbcStore node = openAnother();
        nodes.add(node);
        String name = "node-" + i;
        tasks.add(() -> node.auditSinks().lease(sink, name, T0, T0.plus(Duration.ofSeconds(15))));
      }

      List<Race.Outcome<Boolean>> outcomes = Race.run(tasks);

      assertThat(outcomes).allMatch(Race.Outcome::succeeded);
      assertThat(outcomes.stream().filter(Race.Outcome::result).count()).isEqualTo(1);
    } finally {
      nodes.forEach(JdbcStore::close);
    }
  }
}
