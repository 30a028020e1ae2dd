package dev.warden.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistrationIndexTest {
  static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
  static final Set<Selector> NODE_A =
      Set.of(Selector.parse("warden:join=a"), Selector.parse("node:pool=web"));
  static final Set<Selector> NODE_B =
      Set.of(Selector.parse("warden:join=b"), Selector.parse("node:pool=web"));

  static Workload w(String path, String... nodeSelectors) {
    Set<Selector> ns = new HashSet<>();
    for (String s : nodeSelectors) {
      ns.add(Selector.parse(s));
    }
    return new Workload(
        SpiffeId.parse("spiffe://example.org/" + path),
        Set.of(Selector.parse("unix:uid=1000")),
        "team@example.org",
        null,
        null,
        WorkloadState.ACTIVE,
        null,
        null,
        ns);
  }

  /**
   * Runs a whole sync (all pages) the way an agent does; returns the last page's revision and what
   * it got.
   */
  record Synced(long revision, Set<String> ids, Set<String> removed, int pages, boolean full) {}

  static Synced syncAll(RegistrationIndex idx, Set<Selector> node, long since, int limit) {
    Set<String> ids = new HashSet<>();
    Set<String> removed = new HashSet<>();
    SyncPage p = idx.sync(node, since, null, limit, NOW);
    long rev = p.revision();
    boolean full = p.full();
    int pages = 1;
    while (true) {
      p.entries().forEach(e -> ids.add(e.name()));
      removed.addAll(p.removed());
      if (p.nextPageToken() == null) {
        break;
      }
      p = idx.sync(node, since, p.nextPageToken(), limit, NOW);
      pages++;
    }
    return new Synced(rev, ids, removed, pages, full);
  }

  @Test
  void anAgentIsServedOnlyWorkloadsWhoseNodeSelectorsItAttested() {
    RegistrationIndex idx = new RegistrationIndex();
    idx.update(
        1,
        List.of(
            w("a-only", "warden:join=a"),
            w("pool", "node:pool=web"),
            w("both", "warden:join=a", "node:pool=web"),
            w("b-only", "warden:join=b"),
            w("nobody")));
    assertThat(syncAll(idx, NODE_A, 0, 100).ids())
        .containsExactlyInAnyOrder(
            "spiffe://example.org/a-only",
            "spiffe://example.org/pool",
            "spiffe://example.org/both");
    assertThat(syncAll(idx, NODE_B, 0, 100).ids())
        .containsExactlyInAnyOrder("spiffe://example.org/b-only", "spiffe://example.org/pool");
    assertThat(idx.servableWorkload("spiffe://example.org/b-only", NODE_A, NOW)).isNull();
    assertThat(idx.servableWorkload("spiffe://example.org/nobody", NODE_A, NOW)).isNull();
  }

  @Test
  void afterAFullSyncAnAgentReceivesOnlyChangesAndRemovals() {
    RegistrationIndex idx = new RegistrationIndex();
    idx.update(
        5, List.of(w("x", "node:pool=web"), w("y", "node:pool=web"), w("z", "node:pool=web")));
    Synced first = syncAll(idx, NODE_A, 0, 2);
    assertThat(first.full()).isTrue();
    assertThat(first.pages()).isEqualTo(2);
    assertThat(first.ids()).hasSize(3);
    assertThat(first.revision()).isEqualTo(5);

    Workload ySuspended = w("y", "node:pool=web").withState(WorkloadState.SUSPENDED);
    idx.update(7, List.of(w("x", "node:pool=web"), ySuspended, w("new", "node:pool=web")));
    Synced delta = syncAll(idx, NODE_A, first.revision(), 100);
    assertThat(delta.full()).isFalse();
    assertThat(delta.ids()).containsExactly("spiffe://example.org/new");
    assertThat(delta.removed())
        .containsExactlyInAnyOrder("spiffe://example.org/y", "spiffe://example.org/z");
    assertThat(delta.revision()).isEqualTo(7);

    Synced inSync = syncAll(idx, NODE_A, 7, 100);
    assertThat(inSync.ids()).isEmpty();
    assertThat(inSync.removed()).isEmpty();
  }

  @Test
  void anAgentAheadOfThisNodeIsNotSentBackwards() {
    RegistrationIndex idx = new RegistrationIndex();
    idx.update(3, List.of(w("x", "node:pool=web")));
    SyncPage p = idx.sync(NODE_A, 9, null, 10, NOW);
    assertThat(p.full()).isFalse();
    assertThat(p.revision()).isEqualTo(9);
  }

  @Test
  void aCursorOlderThanThisNodesFirstSnapshotGetsAFullListing() {
    RegistrationIndex idx = new RegistrationIndex();
    idx.update(10, List.of(w("x", "node:pool=web")));
    assertThat(idx.sync(NODE_A, 4, null, 10, NOW).full()).isTrue();
  }

  @Test
  void malformedPageTokensAndLimitsAreRejected() {
    RegistrationIndex idx = new RegistrationIndex();
    idx.update(1, List.of(w("x", "node:pool=web")));
    assertThatThrownBy(() -> idx.sync(NODE_A, 0, "garbage", 10, NOW))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> idx.sync(NODE_A, 0, "f:x:!!", 10, NOW))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> idx.sync(NODE_A, 0, null, 0, NOW))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> idx.sync(NODE_A, 0, null, RegistrationIndex.MAX_PAGE + 1, NOW))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void hundredThousandRegistrationsSyncInPagesThenOneChangeIsOneEntry() {
    RegistrationIndex idx = new RegistrationIndex();
    List<Workload> all = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      // every agent's pool has 25,000 workloads; this agent serves pool 0
      all.add(w("svc-" + i, "node:pool=p" + (i % 4)));
    }
    idx.update(100, all);
    Set<Selector> node = Set.of(Selector.parse("node:pool=p0"), Selector.parse("warden:join=n1"));
    long t0 = System.nanoTime();
    Synced full = syncAll(idx, node, 0, RegistrationIndex.MAX_PAGE);
    long fullMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(full.ids()).hasSize(25_000);
    assertThat(full.pages()).isEqualTo(5);

    List<Workload> changed = new ArrayList<>(all);
    changed.set(8, w("svc-8", "node:pool=p0", "node:zone=b")); // no longer servable by this agent
    changed.set(
        12,
        new Workload(
            SpiffeId.parse("spiffe://example.org/svc-12"),
            Set.of(Selector.parse("unix:uid=2")),
            "other@example.org",
            null,
            null,
            WorkloadState.ACTIVE,
            null,
            null,
            Set.of(Selector.parse("node:pool=p0"))));
    idx.update(101, changed);
    long t1 = System.nanoTime();
    Synced delta = syncAll(idx, node, full.revision(), RegistrationIndex.MAX_PAGE);
    long deltaMicros = (System.nanoTime() - t1) / 1_000;
    assertThat(delta.full()).isFalse();
    assertThat(delta.ids()).containsExactly("spiffe://example.org/svc-12");
    assertThat(delta.removed()).containsExactly("spiffe://example.org/svc-8");
    System.out.printf(
        "100k registrations: full sync of 25k in %d ms (5 pages); delta of 2 changes in %d µs%n",
        fullMillis, deltaMicros);
  }
}
