package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Effect;
import dev.warden.core.model.WorkloadMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The change feed on a real PostgreSQL: a change committed through one store wakes the feed of
 * another (two nodes); a refused change wakes nobody; a listening connection that is killed comes
 * back by itself and wakes the node on reconnect. On H2 the feed is idle.
 */
class ChangeFeedTest {

  static AccessPolicy policy(String name) {
    return new AccessPolicy(
        name,
        "feed test",
        new WorkloadMatcher(List.of("spiffe://example.org/a"), Set.of()),
        List.of("ledger"),
        Effect.ALLOW,
        null,
        CredentialKind.ACCESS_TOKEN,
        Duration.ofMinutes(5),
        List.of());
  }

  @Test
  void aChangeCommittedOnOneNodeWakesTheFeedOfAnotherAndARefusedOneWakesNobody() throws Exception {
    try (PostgresTestDatabase db = new PostgresTestDatabase();
        JdbcStore writer = JdbcStore.open(db.config());
        JdbcStore reader = JdbcStore.open(db.config())) {
      Semaphore wakes = new Semaphore(0);
      try (ChangeFeed feed = reader.watchChanges(wakes::release)) {
        await(() -> feed.status().state() == ChangeFeed.State.LISTENING, "the feed listens");
        assertThat(wakes.tryAcquire(5, TimeUnit.SECONDS))
            .as("a wake on connect, for what was missed")
            .isTrue();
        wakes.drainPermits();

        long t0 = System.nanoTime();
        writer.policies().put(policy("p1"), 0, "test");
        assertThat(wakes.tryAcquire(5, TimeUnit.SECONDS))
            .as("a committed change wakes the other node")
            .isTrue();
        long micros = (System.nanoTime() - t0) / 1_000;
        assertThat(micros).as("woken within 1 s, was %d us", micros).isLessThan(1_000_000);

        wakes.drainPermits();
        // a stale expected version: refused inside the transaction, rolled back, nothing notified
        org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> writer.policies().put(policy("p1"), 0, "test"));
        assertThat(wakes.tryAcquire(500, TimeUnit.MILLISECONDS))
            .as("a rolled-back change wakes nobody")
            .isFalse();

        assertThat(writer.policies().delete("p1", "test")).isTrue();
        assertThat(wakes.tryAcquire(5, TimeUnit.SECONDS))
            .as("a delete wakes the other node")
            .isTrue();
      }
    }
  }

  @Test
  void aKilledListeningConnectionReconnectsByItselfAndWakesTheNodeOnReconnect() throws Exception {
    try (PostgresTestDatabase db = new PostgresTestDatabase();
        JdbcStore store = JdbcStore.open(db.config())) {
      Semaphore wakes = new Semaphore(0);
      try (ChangeFeed feed = store.watchChanges(wakes::release)) {
        await(() -> feed.status().state() == ChangeFeed.State.LISTENING, "the feed listens");
        wakes.drainPermits();
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                + ChangeFeed.APPLICATION_NAME
                + "' AND datname = current_database()");
        assertThat(wakes.tryAcquire(10, TimeUnit.SECONDS))
            .as("woken again once reconnected")
            .isTrue();
        await(() -> feed.status().state() == ChangeFeed.State.LISTENING, "the feed listens again");
        wakes.drainPermits();
        store.policies().put(policy("after"), 0, "test");
        assertThat(wakes.tryAcquire(5, TimeUnit.SECONDS))
            .as("notifications flow on the new connection")
            .isTrue();
      }
      assertThat(store.isReachable(Duration.ofSeconds(2))).isTrue();
    }
  }

  @Test
  void onTheEmbeddedStoreTheFeedIsIdleAndSaysWhy() {
    try (H2TestDatabase db = new H2TestDatabase();
        JdbcStore store = JdbcStore.open(db.config());
        ChangeFeed feed =
            store.watchChanges(
                () -> {
                  throw new AssertionError("nothing to listen to on H2");
                })) {
      assertThat(feed.status().state()).isEqualTo(ChangeFeed.State.NONE);
      assertThat(feed.status().detail()).contains("one node");
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
