package dev.warden.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.model.Selector;
import dev.warden.core.pki.AuthorityRecord;
import dev.warden.core.pki.AuthorityStore;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.PkiSettings;
import dev.warden.testkit.MutableClock;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Join-token rules of the agent service, with time under the test's control. */
class AgentServiceTest {
  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-05-01T00:00:00Z"));
  final List<AuditEvent> events = new ArrayList<>();
  final AuditWriter audit =
      new AuditWriter(
          new AuditStore() {
            byte[] last = AuditChain.GENESIS;

            @Override
            public synchronized List<AuditRecord> append(List<AuditEvent> es) {
              List<AuditRecord> out = new ArrayList<>();
              for (AuditEvent e : es) {
                events.add(e);
                byte[] h = AuditChain.link(last, events.size(), e);
                out.add(new AuditRecord(events.size(), e, last, h));
                last = h;
              }
              return out;
            }

            @Override
            public List<AuditRecord> query(AuditQuery q) {
              return List.of();
            }

            @Override
            public List<AuditRecord> readChain(long from, int limit) {
              return List.of();
            }

            @Override
            public java.util.Optional<dev.warden.core.audit.AuditRecord> byEventId(String eventId) {
              return java.util.Optional.empty();
            }

            @Override
            public List<dev.warden.core.audit.AuditRecord> chainOf(String key, int limit) {
              return List.of();
            }

            @Override
            public dev.warden.core.audit.ChainHead head() {
              return new dev.warden.core.audit.ChainHead(events.size(), last);
            }
          },
          100,
          5000);
  final MemoryAgents store = new MemoryAgents();
  final DeclaredProxies declared = new DeclaredProxies();
  final AgentService service;

  AgentServiceTest() {
    CaManager ca =
        new CaManager(
            new MemoryAuthorities(),
            SecretBox.generate(),
            clock,
            PkiSettings.defaults("acme.test"),
            null,
            audit);
    ca.ensureActive();
    service =
        new AgentService(
            store,
            ca,
            null,
            new RegistrationIndex(),
            declared,
            () -> null,
            () -> null,
            audit,
            clock);
  }

  @AfterEach
  void close() {
    audit.close();
  }

  static byte[] csr() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var kp = g.generateKeyPair();
    return new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=a"), kp.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
        .getEncoded();
  }

  @Test
  void anExpiredJoinTokenIsRefusedWithItsExpiryAndAudited() throws Exception {
    var t = service.createJoinToken(Set.of(), Duration.ofMinutes(10), "admin:test");
    clock.advance(Duration.ofMinutes(11));
    assertThatThrownBy(() -> service.attestWithJoinToken(t.token().reveal(), csr()))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("expired")
        .satisfies(
            e -> assertThat(((DeniedException) e).reason()).isEqualTo(Reason.INVALID_JOIN_TOKEN));
    AuditEvent last = events.getLast();
    assertThat(last.type()).isEqualTo("agent.attest");
    assertThat(last.outcome()).isEqualTo("deny");
    assertThat(last.reason()).isEqualTo("invalid_join_token");
    assertThat(last.details().toString()).doesNotContain(t.token().reveal());
  }

  @Test
  void aWrongSecretForAKnownTokenIdIsRefusedAndDoesNotSpendTheToken() throws Exception {
    var t =
        service.createJoinToken(
            Set.of(Selector.parse("node:pool=a")), Duration.ofMinutes(10), "admin:test");
    String forged = "wjt_" + t.id() + ".not-the-secret";
    assertThatThrownBy(() -> service.attestWithJoinToken(forged, csr()))
        .isInstanceOf(DeniedException.class);
    AgentSession s = service.attestWithJoinToken(t.token().reveal(), csr());
    assertThat(s.agentId().path()).isEqualTo("/warden/agent/join/" + t.id());
  }

  @Test
  void aMalformedCsrDoesNotBurnTheJoinToken() throws Exception {
    var t = service.createJoinToken(Set.of(), Duration.ofMinutes(10), "admin:test");
    assertThatThrownBy(() -> service.attestWithJoinToken(t.token().reveal(), new byte[] {1, 2, 3}))
        .isInstanceOf(DeniedException.class);
    assertThat(service.attestWithJoinToken(t.token().reveal(), csr())).isNotNull();
  }

  static dev.warden.core.edge.ProxyDeclaration declaration(String name, String pool, int port) {
    return new dev.warden.core.edge.ProxyDeclaration(
        name,
        Set.of(Selector.parse("node:pool=" + pool)),
        dev.warden.core.edge.ProxySpec.parse("redis:resource=cache,listen=127.0.0.1:" + port),
        null);
  }

  @Test
  void anAgentGetsOnlyTheProxiesItsNodeSelectorsPickAndTheirVersionMovesOnlyWithThem()
      throws Exception {
    var t =
        service.createJoinToken(
            Set.of(Selector.parse("node:pool=a")), Duration.ofMinutes(10), "admin:test");
    AgentRecord agent =
        store
            .agent(service.attestWithJoinToken(t.token().reveal(), csr()).agentId().toString())
            .orElseThrow();
    declared.update(1, List.of(declaration("mine", "a", 6380), declaration("theirs", "b", 6381)));
    DeclaredProxies.View v1 = service.proxies(agent);

    declared.update(2, List.of(declaration("mine", "a", 6380), declaration("theirs", "b", 6399)));
    DeclaredProxies.View v2 = service.proxies(agent);
    declared.update(3, List.of(declaration("mine", "a", 6390), declaration("theirs", "b", 6399)));

    assertThat(v1.proxies())
        .extracting(dev.warden.core.edge.ProxyDeclaration::name)
        .containsExactly("mine");
    assertThat(v2.version()).as("a change on other agents only").isEqualTo(v1.version());
    assertThat(service.proxies(agent).version()).isNotEqualTo(v1.version());
  }

  @Test
  void aProxyReportKeepsOnlyTheAgentsOwnDeclarationsAndAuditsEachChangeOfState() throws Exception {
    var t =
        service.createJoinToken(
            Set.of(Selector.parse("node:pool=a")), Duration.ofMinutes(10), "admin:test");
    AgentRecord agent =
        store
            .agent(service.attestWithJoinToken(t.token().reveal(), csr()).agentId().toString())
            .orElseThrow();
    declared.update(1, List.of(declaration("mine", "a", 6380), declaration("theirs", "b", 6381)));
    ProxyStatus failed =
        new ProxyStatus(
            "mine", "v", ProxyStatus.State.FAILED, "Address already in use", clock.instant());
    ProxyStatus foreign =
        new ProxyStatus("theirs", "v", ProxyStatus.State.RUNNING, null, clock.instant());
    int before = events.size();

    service.reportProxies(agent, List.of(failed, foreign));
    service.reportProxies(agent, List.of(failed));

    assertThat(service.proxyStatuses(agent)).containsExactly(failed);
    List<AuditEvent> audited = events.subList(before, events.size());
    assertThat(audited).hasSize(1);
    assertThat(audited.getFirst().type()).isEqualTo("agent.proxy.failed");
    assertThat(audited.getFirst().reason()).isEqualTo("proxy_failed");
    assertThat(audited.getFirst().details()).containsEntry("message", "Address already in use");
    assertThatThrownBy(() -> service.reportProxies(agent, List.of(failed, failed)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("reported twice");
  }

  @Test
  void joinTokensLiveAtMostAnHour() {
    assertThatThrownBy(
            () -> service.createJoinToken(Set.of(), Duration.ofMinutes(61), "admin:test"))
        .isInstanceOf(ValidationException.class);
  }

  static final class MemoryAgents implements AgentStore {
    final Map<String, JoinToken> tokens = new LinkedHashMap<>();
    final Map<String, AgentRecord> agents = new LinkedHashMap<>();

    @Override
    public synchronized void insertJoinToken(JoinToken t) {
      tokens.put(t.id(), t);
    }

    @Override
    public synchronized Optional<JoinToken> consumeJoinToken(String id, Instant now) {
      JoinToken t = tokens.get(id);
      if (t == null || t.usedAt() != null || !now.isBefore(t.expiresAt())) {
        return Optional.empty();
      }
      tokens.put(
          id,
          new JoinToken(
              t.id(),
              t.secretHash(),
              t.selectors(),
              t.createdAt(),
              t.expiresAt(),
              now,
              t.createdBy()));
      return Optional.of(t);
    }

    @Override
    public synchronized Optional<JoinToken> joinToken(String id) {
      return Optional.ofNullable(tokens.get(id));
    }

    @Override
    public synchronized void putAgent(AgentRecord a) {
      agents.put(a.id().toString(), a);
    }

    @Override
    public synchronized Optional<AgentRecord> agentBySession(byte[] h) {
      return agents.values().stream()
          .filter(a -> java.util.Arrays.equals(a.sessionHash(), h))
          .findFirst();
    }

    @Override
    public synchronized Optional<AgentRecord> agent(String id) {
      return Optional.ofNullable(agents.get(id));
    }

    @Override
    public synchronized List<AgentRecord> agents() {
      return List.copyOf(agents.values());
    }

    @Override
    public synchronized boolean renewSession(
        String id, byte[] expected, byte[] next, Instant exp, Instant now) {
      AgentRecord a = agents.get(id);
      if (a == null || !java.util.Arrays.equals(a.sessionHash(), expected)) {
        return false;
      }
      agents.put(id, a.withSession(next, exp, now));
      return true;
    }

    @Override
    public synchronized boolean ban(String id, Instant at) {
      return false;
    }

    final Map<String, List<ProxyStatus>> proxies = new LinkedHashMap<>();

    @Override
    public synchronized void putProxyStatuses(String id, List<ProxyStatus> statuses, Instant at) {
      proxies.put(id, List.copyOf(statuses));
    }

    @Override
    public synchronized List<ProxyStatus> proxyStatuses(String id) {
      return proxies.getOrDefault(id, List.of());
    }
  }

  static final class MemoryAuthorities implements AuthorityStore {
    final List<AuthorityRecord> all = new ArrayList<>();

    @Override
    public synchronized List<AuthorityRecord> list() {
      return List.copyOf(all);
    }

    @Override
    public synchronized void insert(AuthorityRecord a) {
      all.add(a);
    }

    @Override
    public synchronized boolean update(AuthorityRecord a, KeyState expected) {
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).id().equals(a.id()) && all.get(i).state() == expected) {
          all.set(i, a);
          return true;
        }
      }
      return false;
    }

    @Override
    public synchronized long changeCounter() {
      return all.size() * 10L + all.stream().filter(x -> x.state() != KeyState.PREPARED).count();
    }
  }
}
