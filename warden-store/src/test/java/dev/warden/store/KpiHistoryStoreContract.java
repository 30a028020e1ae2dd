package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.inventory.KpiHistoryStore;
import dev.warden.core.inventory.KpiHistoryStore.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link KpiHistoryStore}: one snapshot per UTC day, the first node's wins, and
 * {@code since} reads a range of days oldest first. Tests share a database, so each uses days of a
 * year no other test uses.
 */
abstract class KpiHistoryStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  KpiHistoryStore kpi() {
    return jdbcStore().kpiHistory();
  }

  /** A year of this test's own (2100 and later; 9999 is kept for the range test). */
  private String year() {
    return Integer.toString(2100 + Integer.parseInt(unique("y").substring(2)));
  }

  @Test
  void aDaysFirstSnapshotIsKeptAndASecondIsRefused() {
    String day = year() + "-03-04";
    Snapshot first = new Snapshot(day, T0, "{\"identities\":1}");

    assertThat(kpi().has(day)).isFalse();
    assertThat(kpi().recordIfAbsent(first)).isTrue();
    assertThat(kpi().recordIfAbsent(new Snapshot(day, T0.plusSeconds(5), "{\"identities\":2}")))
        .isFalse();

    assertThat(kpi().has(day)).isTrue();
    assertThat(kpi().since(day)).first().isEqualTo(first);
    assertThat(kpi().since(day)).filteredOn(s -> s.day().equals(day)).hasSize(1);
  }

  @Test
  void sinceReadsFromTheGivenDayInclusiveOldestFirst() {
    Snapshot d1 = new Snapshot("9999-01-01", T0, "{\"n\":1}");
    Snapshot d2 = new Snapshot("9999-01-02", T0.plusSeconds(86_400), "{\"n\":2}");
    Snapshot d3 = new Snapshot("9999-01-03", T0.plusSeconds(2 * 86_400), "{\"n\":3}");
    // written out of order: the order read is the days'
    kpi().recordIfAbsent(d3);
    kpi().recordIfAbsent(d1);
    kpi().recordIfAbsent(d2);

    assertThat(kpi().since("9999-01-02")).containsExactly(d2, d3);
    assertThat(kpi().since("9999-01-04")).isEmpty();
  }

  @Test
  void computedAtKeepsMicrosecondsAndTheJsonIsKeptAsWritten() {
    String day = year() + "-12-31";
    String json = "{\"identities\":3,\"note\":\"ünïcode ✓\",\"ratio\":0.25}";

    kpi().recordIfAbsent(new Snapshot(day, Instant.parse("2030-05-06T07:08:09.123456789Z"), json));

    Snapshot read = kpi().since(day).getFirst();
    assertThat(read.computedAt()).isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(read.json()).isEqualTo(json);
  }

  @Test
  void whenNodesRecordTheSameDayTogetherExactlyOneSnapshotIsKept() throws Exception {
    String day = year() + "-06-07";
    try (JdbcStore other = openAnother()) {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        KpiHistoryStore node = i % 2 == 0 ? kpi() : other.kpiHistory();
        Snapshot mine = new Snapshot(day, T0.plusSeconds(i), "{\"node\":" + i + "}");
        tasks.add(() -> node.recordIfAbsent(mine));
      }
      var outcomes = Race.run(tasks);

      assertThat(outcomes).allMatch(Race.Outcome::succeeded);
      assertThat(outcomes.stream().filter(Race.Outcome::result)).hasSize(1);
      int winner = 0;
      while (!outcomes.get(winner).result()) {
        winner++;
      }
      assertThat(other.kpiHistory().since(day))
          .filteredOn(s -> s.day().equals(day))
          .containsExactly(new Snapshot(day, T0.plusSeconds(winner), "{\"node\":" + winner + "}"));
    }
  }
}
