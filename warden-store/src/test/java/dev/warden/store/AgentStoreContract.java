package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.agent.AgentRecord;
import dev.warden.core.agent.JoinToken;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of the agent store: single-use join tokens, agent sessions, proxy reports. The CA's
 * authorities have {@link AuthorityStoreContract}.
 */
abstract class AgentStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aJoinTokenCanBeUsedOnceEvenWhenTwoAgentsRace() throws Exception {
    String id = unique("jt");
    store()
        .agents()
        .insertJoinToken(
            new JoinToken(
                id,
                b("hash"),
                Set.of(Selector.parse("node:pool=web")),
                T0,
                T0.plusSeconds(600),
                null,
                "admin:x"));
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
  void anExpiredJoinTokenCannotBeUsed() {
    String id = unique("jt");
    store()
        .agents()
        .insertJoinToken(
            new JoinToken(id, b("hash"), Set.of(), T0, T0.plusSeconds(60), null, null));
    assertThat(store().agents().consumeJoinToken(id, T0.plusSeconds(60))).isEmpty();
    assertThat(store().agents().consumeJoinToken(unique("nope"), T0)).isEmpty();
  }

  @Test
  void agentSessionsAreFoundByHashAndRenewedOnlyFromTheCurrentOne() {
    SpiffeId id = SpiffeId.parse("spiffe://example.org/warden/agent/join/" + unique("a"));
    byte[] s1 = b(unique("s1"));
    store()
        .agents()
        .putAgent(
            new AgentRecord(
                id,
                Set.of(Selector.parse("warden:join=x")),
                "join_token",
                s1,
                T0.plusSeconds(3600),
                T0,
                null,
                null));
    assertThat(store().agents().agentBySession(s1).orElseThrow().id()).isEqualTo(id);
    byte[] s2 = b(unique("s2"));
    assertThat(
            store()
                .agents()
                .renewSession(id.toString(), s1, s2, T0.plusSeconds(7200), T0.plusSeconds(10)))
        .isTrue();
    assertThat(store().agents().renewSession(id.toString(), s1, b("s3"), T0.plusSeconds(7200), T0))
        .isFalse();
    assertThat(store().agents().agentBySession(s1)).isEmpty();
    AgentRecord r = store().agents().agentBySession(s2).orElseThrow();
    assertThat(r.sessionExpiresAt()).isEqualTo(T0.plusSeconds(7200));
    assertThat(r.nodeSelectors()).containsExactly(Selector.parse("warden:join=x"));
    assertThat(store().agents().ban(id.toString(), T0.plusSeconds(20))).isTrue();
    assertThat(store().agents().agent(id.toString()).orElseThrow().bannedAt())
        .isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void aProxyReportReplacesTheAgentsLastOneAndReadsBackInNameOrder() {
    String agent = "spiffe://example.org/warden/agent/join/" + unique("a");
    String other = "spiffe://example.org/warden/agent/join/" + unique("b");
    assertThat(store().agents().proxyStatuses(agent)).isEmpty();
    ProxyStatus failed =
        new ProxyStatus(
            "ledger-db",
            "0a1b",
            ProxyStatus.State.FAILED,
            "cannot listen for the postgres proxy on 127.0.0.1:5432: Address already in use — ünïcode",
            T0);
    ProxyStatus running =
        new ProxyStatus("cache", "2c3d", ProxyStatus.State.RUNNING, null, T0.plusSeconds(1));
    store().agents().putProxyStatuses(agent, List.of(failed, running), T0.plusSeconds(2));
    store().agents().putProxyStatuses(other, List.of(running), T0.plusSeconds(2));

    assertThat(store().agents().proxyStatuses(agent)).containsExactly(running, failed);

    ProxyStatus refused =
        new ProxyStatus(
            "ledger-db",
            "0a1b",
            ProxyStatus.State.REFUSED,
            "the command line's --proxy postgres proxy already listens on 127.0.0.1:5432",
            T0.plusSeconds(3));
    store().agents().putProxyStatuses(agent, List.of(refused), T0.plusSeconds(4));
    assertThat(store().agents().proxyStatuses(agent)).containsExactly(refused);
    store().agents().putProxyStatuses(agent, List.of(), T0.plusSeconds(5));
    assertThat(store().agents().proxyStatuses(agent)).isEmpty();
    assertThat(store().agents().proxyStatuses(other)).containsExactly(running);
  }
}
