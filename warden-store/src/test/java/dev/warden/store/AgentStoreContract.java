package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.agent.AgentRecord;
import dev.warden.core.agent.JoinToken;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.AuthorityRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contracts of the PKI and agent stores: CA compare-and-set, single-use join tokens, agent sessions. */
abstract class AgentStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void authorityRoundTripsAndStateChangesAreCompareAndSet() {
    String id = unique("ca");
    long before = store().authorities().changeCounter();
    AuthorityRecord a = new AuthorityRecord(id, KeyState.PREPARED, b("chain"), b("roots"), b("enc"), T0,
        T0.plusSeconds(86_400), T0, null);
    store().authorities().insert(a);
    assertThatThrownBy(() -> store().authorities().insert(a)).isInstanceOf(ConflictException.class);
    AuthorityRecord read = store().authorities().list().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    assertThat(read.chainDer()).isEqualTo(b("chain"));
    assertThat(read.rootsDer()).isEqualTo(b("roots"));
    assertThat(read.notAfter()).isEqualTo(T0.plusSeconds(86_400));
    AuthorityRecord active = a.withState(KeyState.ACTIVE, T0.plusSeconds(5), a.encryptedPrivateKey());
    assertThat(store().authorities().update(active, KeyState.PREPARED)).isTrue();
    assertThat(store().authorities().update(active, KeyState.PREPARED)).isFalse();
    assertThat(store().authorities().changeCounter()).isEqualTo(before + 2);
  }

  @Test
  void aJoinTokenCanBeUsedOnceEvenWhenTwoAgentsRace() throws Exception {
    String id = unique("jt");
    store().agents().insertJoinToken(new JoinToken(id, b("hash"), Set.of(Selector.parse("node:pool=web")), T0,
        T0.plusSeconds(600), null, "admin:x"));
    java.util.List<java.util.concurrent.Callable<Boolean>> tasks = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tasks.add(() -> store().agents().consumeJoinToken(id, T0.plusSeconds(1)).isPresent());
    }
    var outcomes = Race.run(tasks);
    assertThat(outcomes).allMatch(Race.Outcome::succeeded);
    assertThat(outcomes.stream().filter(o -> o.result())).hasSize(1);
    JoinToken used = store().agents().joinToken(id).orElseThrow();
    assertThat(used.usedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(used.selectors()).containsExactly(Selector.parse("node:pool=web"));
  }

  @Test
  void recertificationDecisionsAreCompareAndSetOnPendingItems() {
    String id = unique("rc");
    dev.warden.core.recert.Campaign c = new dev.warden.core.recert.Campaign(id, java.util.Map.of("team", "payments"),
        T0, T0.plusSeconds(3600), "admin:x", null, T0, null);
    store().recert().create(c, java.util.List.of(
        new dev.warden.core.recert.CampaignItem(id, "spiffe://a.test/x", "o@a.test",
            dev.warden.core.recert.CampaignItem.Decision.PENDING, null, null, null),
        new dev.warden.core.recert.CampaignItem(id, "spiffe://a.test/y", "o@a.test",
            dev.warden.core.recert.CampaignItem.Decision.PENDING, null, null, null)));
    assertThat(store().recert().campaign(id).orElseThrow().scope()).containsEntry("team", "payments");
    assertThat(store().recert().decide(id, "spiffe://a.test/x", dev.warden.core.recert.CampaignItem.Decision.CONFIRMED,
        T0.plusSeconds(5), "admin:x", "ok")).isTrue();
    assertThat(store().recert().decide(id, "spiffe://a.test/x",
        dev.warden.core.recert.CampaignItem.Decision.SUSPENDED_OVERDUE, T0.plusSeconds(6), "system", null)).isFalse();
    assertThat(store().recert().items(id)).extracting(dev.warden.core.recert.CampaignItem::decision).containsExactly(
        dev.warden.core.recert.CampaignItem.Decision.CONFIRMED, dev.warden.core.recert.CampaignItem.Decision.PENDING);
    store().recert().close(id, T0.plusSeconds(7));
    assertThat(store().recert().campaign(id).orElseThrow().open()).isFalse();
  }

  @Test
  void aDaysKpiSnapshotIsRecordedOnce() {
    String day = "2031-0" + (1 + Math.floorMod(unique("d").hashCode(), 9)) + "-" + (10 + Math.floorMod(unique("e").hashCode(), 18));
    var first = new dev.warden.core.inventory.KpiHistoryStore.Snapshot(day, T0, "{\"identities\":1}");
    var second = new dev.warden.core.inventory.KpiHistoryStore.Snapshot(day, T0.plusSeconds(5), "{\"identities\":2}");
    boolean recorded = store().kpiHistory().recordIfAbsent(first);
    assertThat(store().kpiHistory().recordIfAbsent(second)).isFalse();
    assertThat(store().kpiHistory().has(day)).isTrue();
    if (recorded) {
      assertThat(store().kpiHistory().since(day).getFirst().json()).isEqualTo("{\"identities\":1}");
    }
  }

  @Test
  void anExpiredJoinTokenCannotBeUsed() {
    String id = unique("jt");
    store().agents().insertJoinToken(new JoinToken(id, b("hash"), Set.of(), T0, T0.plusSeconds(60), null, null));
    assertThat(store().agents().consumeJoinToken(id, T0.plusSeconds(60))).isEmpty();
    assertThat(store().agents().consumeJoinToken(unique("nope"), T0)).isEmpty();
  }

  @Test
  void agentSessionsAreFoundByHashAndRenewedOnlyFromTheCurrentOne() {
    SpiffeId id = SpiffeId.parse("spiffe://example.org/warden/agent/join/" + unique("a"));
    byte[] s1 = b(unique("s1"));
    store().agents().putAgent(new AgentRecord(id, Set.of(Selector.parse("warden:join=x")), "join_token", s1,
        T0.plusSeconds(3600), T0, null, null));
    assertThat(store().agents().agentBySession(s1).orElseThrow().id()).isEqualTo(id);
    byte[] s2 = b(unique("s2"));
    assertThat(store().agents().renewSession(id.toString(), s1, s2, T0.plusSeconds(7200), T0.plusSeconds(10))).isTrue();
    assertThat(store().agents().renewSession(id.toString(), s1, b("s3"), T0.plusSeconds(7200), T0)).isFalse();
    assertThat(store().agents().agentBySession(s1)).isEmpty();
    AgentRecord r = store().agents().agentBySession(s2).orElseThrow();
    assertThat(r.sessionExpiresAt()).isEqualTo(T0.plusSeconds(7200));
    assertThat(r.nodeSelectors()).containsExactly(Selector.parse("warden:join=x"));
    assertThat(store().agents().ban(id.toString(), T0.plusSeconds(20))).isTrue();
    assertThat(store().agents().agent(id.toString()).orElseThrow().bannedAt()).isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void aProxyReportReplacesTheAgentsLastOneAndReadsBackInNameOrder() {
    String agent = "spiffe://example.org/warden/agent/join/" + unique("a");
    String other = "spiffe://example.org/warden/agent/join/" + unique("b");
    assertThat(store().agents().proxyStatuses(agent)).isEmpty();
    ProxyStatus failed = new ProxyStatus("ledger-db", "0a1b", ProxyStatus.State.FAILED,
        "cannot listen for the postgres proxy on 127.0.0.1:5432: Address already in use — ünïcode", T0);
    ProxyStatus running = new ProxyStatus("cache", "2c3d", ProxyStatus.State.RUNNING, null, T0.plusSeconds(1));
    store().agents().putProxyStatuses(agent, List.of(failed, running), T0.plusSeconds(2));
    store().agents().putProxyStatuses(other, List.of(running), T0.plusSeconds(2));

    assertThat(store().agents().proxyStatuses(agent)).containsExactly(running, failed);

    ProxyStatus refused = new ProxyStatus("ledger-db", "0a1b", ProxyStatus.State.REFUSED,
        "the command line's --proxy postgres proxy already listens on 127.0.0.1:5432", T0.plusSeconds(3));
    store().agents().putProxyStatuses(agent, List.of(refused), T0.plusSeconds(4));
    assertThat(store().agents().proxyStatuses(agent)).containsExactly(refused);
    store().agents().putProxyStatuses(agent, List.of(), T0.plusSeconds(5));
    assertThat(store().agents().proxyStatuses(agent)).isEmpty();
    assertThat(store().agents().proxyStatuses(other)).containsExactly(running);
  }
}
