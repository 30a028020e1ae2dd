package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.StoreException;
import dev.warden.core.recert.Campaign;
import dev.warden.core.recert.CampaignItem;
import dev.warden.core.recert.CampaignItem.Decision;
import dev.warden.core.recert.RecertStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link RecertStore}: a campaign is created with its items at once, decisions are
 * a compare-and-set on pending items (an owner's answer and the overdue suspension cannot both
 * win), and reminders and closing are recorded.
 */
abstract class RecertStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  RecertStore recert() {
    return jdbcStore().recert();
  }

  private static Campaign campaign(String id, Instant createdAt) {
    return new Campaign(
        id,
        Map.of("team", "payments", "environment", "prod"),
        createdAt,
        createdAt.plusSeconds(3600),
        "admin:x",
        "https://hooks.example.test/recert",
        null,
        null);
  }

  private static CampaignItem pending(String campaign, String workload) {
    return new CampaignItem(campaign, workload, "owner@a.test", Decision.PENDING, null, null, null);
  }

  @Test
  void aCampaignAndItsItemsReadBackWithEveryField() {
    String id = unique("rc");
    Campaign c = campaign(id, T0);
    CampaignItem decided =
        new CampaignItem(
            id,
            "spiffe://a.test/a",
            null,
            Decision.CONFIRMED,
            T0.plusSeconds(1),
            "admin:y",
            "kept — ünïcode");

    recert().create(c, List.of(pending(id, "spiffe://a.test/b"), decided));

    assertThat(recert().campaign(id)).hasValue(c);
    assertThat(recert().items(id)).containsExactly(decided, pending(id, "spiffe://a.test/b"));
  }

  @Test
  void optionalFieldsReadBackAsNullAndAnEmptyScopeAsEmpty() {
    String id = unique("rc");
    Campaign bare = new Campaign(id, Map.of(), T0, T0.plusSeconds(60), null, null, null, null);

    recert().create(bare, List.of());

    assertThat(recert().campaign(id)).hasValue(bare);
    assertThat(recert().items(id)).isEmpty();
  }

  @Test
  void storedTimesKeepMicroseconds() {
    String id = unique("rc");
    recert()
        .create(
            campaign(id, Instant.parse("2030-05-06T07:08:09.123456789Z")),
            List.of(pending(id, "spiffe://a.test/x")));
    recert()
        .decide(
            id,
            "spiffe://a.test/x",
            Decision.CONFIRMED,
            Instant.parse("2030-05-06T07:09:00.000000999Z"),
            "o",
            null);

    assertThat(recert().campaign(id).orElseThrow().createdAt())
        .isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(recert().items(id).getFirst().decidedAt())
        .isEqualTo(Instant.parse("2030-05-06T07:09:00Z"));
  }

  @Test
  void creatingIsAllOrNothing() {
    String id = unique("rc");
    // the second item repeats the first one's workload: the campaign must not be left without items
    List<CampaignItem> items =
        List.of(pending(id, "spiffe://a.test/x"), pending(id, "spiffe://a.test/x"));

    assertThatThrownBy(() -> recert().create(campaign(id, T0), items))
        .isInstanceOf(StoreException.class);

    assertThat(recert().campaign(id)).isEmpty();
    assertThat(recert().items(id)).isEmpty();
  }

  @Test
  void campaignsAreListedOldestFirst() {
    String newer = unique("rc");
    String older = unique("rc");
    recert().create(campaign(newer, T0.plusSeconds(10)), List.of());
    recert().create(campaign(older, T0), List.of());

    List<Campaign> listed = recert().campaigns();
    assertThat(listed).extracting(Campaign::id).containsSubsequence(older, newer);
    assertThat(listed).extracting(Campaign::createdAt).isSorted();
  }

  @Test
  void unknownCampaignsHaveNothing() {
    String id = unique("nope");

    assertThat(recert().campaign(id)).isEmpty();
    assertThat(recert().items(id)).isEmpty();
    assertThat(recert().decide(id, "spiffe://a.test/x", Decision.CONFIRMED, T0, "o", null))
        .isFalse();
  }

  @Test
  void recertificationDecisionsAreCompareAndSetOnPendingItems() {
    String id = unique("rc");
    recert()
        .create(
            campaign(id, T0),
            List.of(pending(id, "spiffe://a.test/x"), pending(id, "spiffe://a.test/y")));

    assertThat(
            recert()
                .decide(
                    id,
                    "spiffe://a.test/x",
                    Decision.CONFIRMED,
                    T0.plusSeconds(5),
                    "admin:x",
                    "ok"))
        .isTrue();
    assertThat(
            recert()
                .decide(
                    id,
                    "spiffe://a.test/x",
                    Decision.SUSPENDED_OVERDUE,
                    T0.plusSeconds(6),
                    "system",
                    null))
        .isFalse();
    assertThat(
            recert()
                .decide(
                    id,
                    "spiffe://a.test/z",
                    Decision.CONFIRMED,
                    T0.plusSeconds(6),
                    "admin:x",
                    null))
        .isFalse();

    assertThat(recert().items(id))
        .containsExactly(
            new CampaignItem(
                id,
                "spiffe://a.test/x",
                "owner@a.test",
                Decision.CONFIRMED,
                T0.plusSeconds(5),
                "admin:x",
                "ok"),
            pending(id, "spiffe://a.test/y"));
  }

  @Test
  void whenAnOwnerAndTheOverdueSweepDecideTogetherExactlyOneWins() throws Exception {
    String id = unique("rc");
    recert().create(campaign(id, T0), List.of(pending(id, "spiffe://a.test/x")));
    try (JdbcStore other = openAnother()) {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        RecertStore node = i % 2 == 0 ? recert() : other.recert();
        Decision d = i % 2 == 0 ? Decision.CONFIRMED : Decision.SUSPENDED_OVERDUE;
        tasks.add(() -> node.decide(id, "spiffe://a.test/x", d, T0.plusSeconds(9), "n", null));
      }
      var outcomes = Race.run(tasks);

      assertThat(outcomes).allMatch(Race.Outcome::succeeded);
      assertThat(outcomes.stream().filter(Race.Outcome::result)).hasSize(1);
      int winner = 0;
      while (!outcomes.get(winner).result()) {
        winner++;
      }
      assertThat(other.recert().items(id).getFirst().decision())
          .isEqualTo(winner % 2 == 0 ? Decision.CONFIRMED : Decision.SUSPENDED_OVERDUE);
    }
  }

  @Test
  void aReminderIsRecordedEachTimeAndClosingOnlyOnce() {
    String id = unique("rc");
    recert().create(campaign(id, T0), List.of());

    recert().markReminded(id, T0.plusSeconds(60));
    recert().markReminded(id, T0.plusSeconds(120));
    assertThat(recert().campaign(id).orElseThrow().lastReminderAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(recert().campaign(id).orElseThrow().open()).isTrue();

    recert().close(id, T0.plusSeconds(200));
    recert().close(id, T0.plusSeconds(300));
    Campaign closed = recert().campaign(id).orElseThrow();
    assertThat(closed.open()).isFalse();
    assertThat(closed.closedAt()).isEqualTo(T0.plusSeconds(200));
  }
}
